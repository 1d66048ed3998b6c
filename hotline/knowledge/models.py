"""Knowledge entries that handling units keep current so agents can answer on the call
(直办, §4.2 c, §6.7.1): the entry, its append-only versions, its files and every use."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from hotline.knowledge.choices import STATES
from hotline.orders.models import StoredFile

USER = settings.AUTH_USER_MODEL


class Stamp(models.Model):
    """One row whose ``value`` goes up by one with every change to any entry.  Each
    process compares it with the value its search index was built at (one primary-key read
    per search), so several web workers notice an edit made in another one."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "知识库版本戳"


class Entry(models.Model):
    """A knowledge entry (知识条目): how citizens ask (``questions``, one per line), the
    answer an agent may give, its owner unit, and the dates it is valid and due for review.

    Agents see it only while it is *valid*: published, ``effective_from <= today`` and
    (no ``expires_on`` or ``today <= expires_on``), today in Asia/Shanghai.  State changes
    go through ``hotline.knowledge.actions``."""

    title = models.CharField("标题", max_length=200)
    questions = models.TextField("常见问法", blank=True, help_text="群众的不同问法，每行一条")
    keywords = models.CharField("关键词", max_length=300, blank=True, help_text="逗号分隔")
    answer = models.TextField("答复口径")
    category = models.ForeignKey(
        "catalog.Category", verbose_name="诉求分类", on_delete=models.PROTECT, related_name="+"
    )
    owner_unit = models.ForeignKey(
        "org.Unit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="knowledge"
    )
    effective_from = models.DateField("生效日期")
    expires_on = models.DateField("失效日期", null=True, blank=True)
    review_on = models.DateField("复核日期", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=STATES.choices(), default="draft", db_index=True
    )
    usage_count = models.PositiveIntegerField("引用次数", default=0)
    stamp = models.BigIntegerField(default=0, db_index=True, editable=False)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间")
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", db_index=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "知识条目"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner_unit", "review_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def state_label(self) -> str:
        return STATES.label(self.state)

    @property
    def state_colour(self) -> str:
        return STATES.colour(self.state)

    @property
    def question_list(self) -> list[str]:
        return [q.strip() for q in self.questions.splitlines() if q.strip()]

    def is_valid_on(self, day: date) -> bool:
        """True if an agent may quote it on ``day``."""
        return (
            self.state == "published"
            and self.effective_from <= day
            and (self.expires_on is None or day <= self.expires_on)
        )

    def is_stale_on(self, day: date) -> bool:
        """Past its review date and still in use (not expired)."""
        return self.review_on is not None and self.review_on < day and self.state != "expired"


class EntryVersion(models.Model):
    """Append-only snapshot of an entry after each change: who, when, which action, which
    fields changed and the full content at that point."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    action = models.CharField("操作", max_length=16)
    state = models.CharField("状态", max_length=16, choices=STATES.choices())
    changed = models.JSONField("变更字段", default=list)
    snapshot = models.JSONField("内容")
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "知识条目版本"
        ordering = ["entry", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="knowledge_version_unique")
        ]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("entry versions are append-only")
        super().save(*args, **kwargs)

    @property
    def action_label(self) -> str:
        from hotline.knowledge.choices import ACTION_LABELS

        return ACTION_LABELS.get(self.action, self.action)

    @property
    def changed_labels(self) -> list[str]:
        from hotline.knowledge.choices import FIELD_LABELS

        return [FIELD_LABELS.get(f, f) for f in self.changed]


class EntryAttachment(StoredFile):
    """A file of an entry (a form, a policy document); the type is sniffed from the bytes
    by the same checks as order attachments (§6.1.2)."""

    FOLDER = "knowledge"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")

    class Meta(StoredFile.Meta):
        verbose_name = verbose_name_plural = "知识条目附件"


class EntryUse(models.Model):
    """An entry an agent quoted to close an order by direct handling (§6.7.1)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="uses")
    order = models.ForeignKey(
        "orders.WorkOrder", on_delete=models.CASCADE, related_name="knowledge_uses"
    )
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "知识引用记录"
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "order"], name="knowledge_use_once_per_order")
        ]
