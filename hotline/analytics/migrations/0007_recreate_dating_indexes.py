"""The analytics' indexes on the orders tables again, where missing: on SQLite an orders
migration that altered a column (``orders/0009``) remade ``orders_workorder`` and dropped
``an_order_supervised``, which the table's model does not know of.  Idempotent."""

from importlib import import_module

from django.db import migrations

# 0002's indexes and 0004's
ALL = import_module("hotline.analytics.migrations.0002_dating_indexes").INDEXES + [
    ("an_assignment_order_role_dispatched", "orders_assignment", "order_id, role, dispatched_at")
]


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0006_rollup_callbacks"),
        ("orders", "0011_i20_redundant_indexes"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})", "")
        for name, table, columns in ALL
    ]
