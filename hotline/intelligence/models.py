"""What the intelligence service keeps (SPEC §9): the centre's own models, the routing
catalogue (派单目录) and its learned counts, and every confirmation or correction of a
suggestion."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hotline.rules.taxonomy import COMPONENT_TYPES

USER = settings.AUTH_USER_MODEL


class ModelVersion(models.Model):
    """A classifier trained from the centre's confirmed orders (``hotline model retrain``).
    The active row of a kind replaces the default model; none active → the default."""

    KINDS = [("domain", "归口分类"), ("type", "诉求类型")]

    kind = models.CharField("模型", max_length=16, choices=KINDS)
    path = models.CharField("目录", max_length=500)
    version = models.CharField("版本", max_length=40)
    n_train = models.PositiveIntegerField("训练样本数", default=0)
    labels = models.JSONField("类别", default=list, blank=True)
    metrics = models.JSONField("评估", default=dict, blank=True)
    source = models.CharField("来源", max_length=100, blank=True)
    active = models.BooleanField("启用", default=False)
    created_at = models.DateTimeField("训练时间")
    # the model files as opaque bytes (``artifacts.pack``), so every server can load the
    # active version, not only the machine that trained it
    artifact = models.BinaryField("模型文件", null=True, editable=False)
    artifact_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "分类模型版本"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(active=True), name="modelversion_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class RoutingRule(models.Model):
    """One line of the routing catalogue (派单目录): orders of this category (and below) in
    this area (and below), optionally of this component type or mentioning a keyword, go to
    this unit (§6.3: nature of the problem, responsibility, territory).  Empty conditions
    match everything; lower ``priority`` numbers win."""

    category = models.ForeignKey(
        "catalog.Category",
        verbose_name="诉求分类（含下级）",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    area = models.ForeignKey(
        "org.Area", verbose_name="区域（含下级）", null=True, blank=True, on_delete=models.CASCADE
    )
    component_type = models.CharField(
        "部件类型", max_length=32, choices=COMPONENT_TYPES.choices(), blank=True
    )
    keyword = models.CharField("关键词", max_length=50, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name="派往单位", on_delete=models.CASCADE)
    priority = models.PositiveSmallIntegerField("优先级（小者优先）", default=100)
    enabled = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "派单目录"
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        """规则：城乡建设/路灯 · 海勃湾区 → 区市政养护中心"""
        parts = []
        if self.category_id:
            parts.append(self.category.full_name().replace(" / ", "/"))
        if self.area_id:
            parts.append(self.area.name)
        if self.component_type:
            parts.append(COMPONENT_TYPES.label(self.component_type))
        if self.keyword:
            parts.append(f"“{self.keyword}”")
        return f"规则：{' · '.join(parts) or '全部'} → {self.unit.name}"


class RoutingStat(models.Model):
    """How many confirmed dispatches (the lead unit signed for the order) of a category in
    an area went to a unit.  One row per (category, area, unit) for the order's area and
    each of its ancestors, so "orders like this" is one indexed query at any level; kept
    up to date on each sign-for, rebuilt by ``rebuild_routing_stats``."""

    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(
        "org.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "派单经验统计"
        constraints = [
            models.UniqueConstraint(fields=["category", "area", "unit"], name="routingstat_key"),
            models.UniqueConstraint(
                fields=["category", "unit"],
                condition=models.Q(area__isnull=True),
                name="routingstat_key_no_area",
            ),
        ]
        indexes = [models.Index(fields=["category", "area"])]


class SuggestionFeedback(models.Model):
    """A person confirmed or corrected one suggestion (SPEC §9: suggestions never decide
    alone).  ``accepted`` is whether the value saved equals the value suggested; accuracy
    by field and by week is read from these rows."""

    FIELDS = [
        ("appeal_type", "诉求类型"),
        ("domain", "归口分类"),
        ("category", "诉求分类"),
        ("urgency", "紧急程度"),
        ("emergency_kind", "应急类型"),
        ("not_accepted_reason", "不予受理原因"),
        ("area", "所属区域"),
        ("lead_unit", "承办单位"),
        ("duplicate", "重复工单"),
    ]
    SOURCES = [("intake", "受理页面"), ("dispatch", "派转页面"), ("api", "接口")]

    order = models.ForeignKey(
        "orders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suggestion_feedback",
    )
    field = models.CharField("字段", max_length=32, choices=FIELDS, db_index=True)
    suggested = models.CharField("建议值", max_length=100, blank=True)
    confidence = models.FloatField("置信度", null=True, blank=True)
    model_version = models.CharField("模型版本", max_length=60, blank=True)
    chosen = models.CharField("确认值", max_length=100, blank=True)
    accepted = models.BooleanField("采纳")
    source = models.CharField("来源", max_length=16, choices=SOURCES, default="intake")
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "建议采纳记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.suggested} → {self.chosen}"
