"""Roll-ups that keep the leaders' pages fast on tens of millions of orders, and the
long-term matters (长效机制) that concentrated issues are handed over as (§4.2 b).

The roll-ups are *derived* data: every number in them is the count of rows that
``hotline.analytics.metrics`` defines, per unit (or dimension) and Shanghai day.  They are
rebuilt for sealed days by ``hotline.analytics.rollup.refresh``; days after the watermark
are counted live, so a missing or late roll-up makes a page slower, never wrong.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL

# The counters of one unit on one day, in the order the assessment table shows them.
# Each name is a metric of ``hotline.analytics.metrics.METRICS``.
UNIT_COUNTERS = (
    "received",
    "sign_on_time",
    "sign_missed",
    "reply_on_time",
    "reply_missed",
    "extended",
    "suspended",
    "returned",
    "supervised",
    "reopened",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "resolved",
    "unresolved",
)


class UnitDay(models.Model):
    """One unit's counters for one Shanghai day (the unit's own orders, not its sub-units';
    sub-unit totals are sums over the unit tree).  Dated by when each thing happened: a
    dispatch by its dispatch time, an on-time reply by its reply time, a missed deadline
    by its due time (see ``docs/assessment.md``)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    received = models.PositiveIntegerField("派件量", default=0)
    sign_on_time = models.PositiveIntegerField("按时签收", default=0)
    sign_missed = models.PositiveIntegerField("超时签收", default=0)
    reply_on_time = models.PositiveIntegerField("按时答复", default=0)
    reply_missed = models.PositiveIntegerField("超期", default=0)
    extended = models.PositiveIntegerField("延期", default=0)
    suspended = models.PositiveIntegerField("挂单", default=0)
    returned = models.PositiveIntegerField("退单", default=0)
    supervised = models.PositiveIntegerField("督办", default=0)
    reopened = models.PositiveIntegerField("重办", default=0)
    satisfied = models.PositiveIntegerField("满意", default=0)
    basically_satisfied = models.PositiveIntegerField("基本满意", default=0)
    unsatisfied = models.PositiveIntegerField("不满意", default=0)
    resolved = models.PositiveIntegerField("已解决", default=0)
    unresolved = models.PositiveIntegerField("未解决", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "单位日汇总"
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="unitday_day_unit")]


class VolumeDay(models.Model):
    """How many orders were registered on one Shanghai day, by one dimension (channel,
    type, domain, area, hour of day)."""

    day = models.DateField("日期")
    dimension = models.CharField("维度", max_length=16)
    key = models.CharField("取值", max_length=64)
    count = models.PositiveIntegerField("数量", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "来件量日汇总"
        constraints = [
            models.UniqueConstraint(fields=["day", "dimension", "key"], name="volumeday_key")
        ]


class RollupState(models.Model):
    """How far the roll-ups are sealed: everything dated before ``sealed_until`` is summed
    from ``UnitDay``/``VolumeDay`` (the rows of its own day cover midnight to it); later
    rows are counted live."""

    name = models.CharField(max_length=32, primary_key=True)
    sealed_until = models.DateTimeField("汇总截至", null=True, blank=True)
    refreshed_at = models.DateTimeField("最近汇总时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "汇总进度"


class LongTermMatter(models.Model):
    """A concentrated issue handed to a unit to fix at the root (长效机制, §4.2 b): the group
    of similar appeals it came from, the unit responsible, and where it stands."""

    STATES = [
        ("open", "待认领"),
        ("in_progress", "整改中"),
        ("resolved", "已整改"),
        ("closed", "已销号"),
    ]

    title = models.CharField("问题名称", max_length=200)
    summary = models.TextField("问题概述", blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=16, choices=STATES, default="open")
    orders = models.ManyToManyField(
        "orders.WorkOrder", verbose_name="关联工单", blank=True, related_name="long_term_matters"
    )
    places = models.JSONField("涉及地点", default=list, blank=True)
    group_key = models.CharField("聚类标识", max_length=64, blank=True)
    due_date = models.DateField("整改期限", null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("交办时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "长效问题交办"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class LongTermMatterEvent(models.Model):
    """One line of a long-term matter's timeline (append-only)."""

    matter = models.ForeignKey(LongTermMatter, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    action = models.CharField("动作", max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "长效问题轨迹"
        ordering = ["at", "id"]


class HotspotRun(models.Model):
    """One run of the concentrated-issue analysis (``hotline.hotspots``) over a period's
    appeals, kept so the page shows it at once: the analysis takes seconds to minutes."""

    first = models.DateField("起始日期")
    last = models.DateField("截止日期")
    domain = models.CharField("归口分类", max_length=32, blank=True)
    records = models.PositiveIntegerField("分析工单数")
    truncated = models.BooleanField("仅分析最近部分", default=False)
    computed_at = models.DateTimeField("分析时间")
    seconds = models.FloatField("耗时（秒）")
    report = models.JSONField("分析结果")

    class Meta:
        verbose_name = verbose_name_plural = "集中诉求分析"
        ordering = ["-computed_at"]
        indexes = [models.Index(fields=["first", "last", "domain", "-computed_at"])]
