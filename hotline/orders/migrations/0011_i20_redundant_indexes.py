"""Indexes that lead another index of the same table answer nothing the other does not:
dropped (state, domain, created_at, lead_unit of orders; action of events; unit of
assignments).  Fewer indexes to write at each action, fewer to rebuild in a bulk load."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# (index, table, column): dropped by name, so SQLite does not remake the tables (which
# would also drop the indexes other apps made with RunSQL); "_like" ones exist on
# PostgreSQL only
DROPPED = [
    ("orders_workorder_state_2a5aac89", "orders_workorder", "state"),
    ("orders_workorder_state_2a5aac89_like", "", ""),
    ("orders_workorder_domain_6e050e47", "orders_workorder", "domain"),
    ("orders_workorder_domain_6e050e47_like", "", ""),
    ("orders_workorder_created_at_d551b39f", "orders_workorder", "created_at"),
    ("orders_workorder_lead_unit_id_d0ad295e", "orders_workorder", "lead_unit_id"),
    ("orders_event_action_1d594a26", "orders_event", "action"),
    ("orders_event_action_1d594a26_like", "", ""),
    ("orders_assignment_unit_id_aa5c6a4c", "orders_assignment", "unit_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_i20_search_indexes"),
        ("analytics", "0002_dating_indexes"),
        ("org", "0002_i15_token_expiry"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")'
                    if table
                    else migrations.RunSQL.noop,
                )
                for name, table, column in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="assignment",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="org.unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="action",
                    field=models.CharField(max_length=32, verbose_name="动作"),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="created_at",
                    field=models.DateTimeField(verbose_name="登记时间"),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="domain",
                    field=models.CharField(
                        blank=True,
                        choices=[
                            ("public_safety", "公共安全"),
                            ("urban_rural", "城乡建设"),
                            ("housing", "住房保障"),
                            ("environment", "环境保护"),
                            ("transport", "交通出行"),
                            ("education_culture", "科教文旅"),
                            ("health", "医疗卫生"),
                            ("economy", "经济综合"),
                            ("livelihood", "民生保障"),
                            ("public_service", "公共服务"),
                            ("agriculture", "农林水土"),
                            ("party_government", "党务政务"),
                        ],
                        max_length=32,
                        verbose_name="归口分类",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="lead_unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lead_orders",
                        to="org.unit",
                        verbose_name="主办单位",
                    ),
                ),
                migrations.AlterField(
                    model_name="workorder",
                    name="state",
                    field=models.CharField(
                        choices=[
                            ("draft", "待受理"),
                            ("accepted", "已受理"),
                            ("rejected", "不予受理"),
                            ("pending_review", "待审核"),
                            ("returned", "退回受理"),
                            ("dispatched", "待签收"),
                            ("handling", "办理中"),
                            ("extension_requested", "延期申请中"),
                            ("suspension_requested", "挂单申请中"),
                            ("suspended", "挂单中"),
                            ("replied", "已答复待认定"),
                            ("reverify", "再核实"),
                            ("pending_callback", "待回访"),
                            ("closed", "已办结"),
                            ("merged", "已并单"),
                        ],
                        max_length=24,
                        verbose_name="状态",
                    ),
                ),
                # the index analytics/0002 made with RunSQL, now in the model's state
                migrations.AddIndex(
                    model_name="event",
                    index=models.Index(fields=["action", "at"], name="an_event_action_at"),
                ),
            ],
        ),
    ]
