"""What the workbench and the portal keep for themselves: one row per state-changing form
submitted, so a repeat of the same form shows the first result instead of acting again."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """A one-time form token (``hotline.web.once``) that has been used.

    The row is inserted in the same transaction as the action the form asked for, so the
    token is spent exactly when the action committed: a double click waits on the unique
    token and then shows the first result; a failed action spends nothing.  ``result_url``
    is where the first submission was sent afterwards (the order page, the portal's
    receipt), ``number`` the order it acted on."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField("表单地址", max_length=300)
    number = models.CharField("工单编号", max_length=20, blank=True)
    result_url = models.CharField("首次提交的结果", max_length=500, blank=True)
    # the form's content and who sent it, for the forms that create an order: "back" can
    # reload the form with a fresh token but the citizen's text restored (once.SAME_CONTENT)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    client = models.CharField("来源地址", max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "表单提交记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.path} {self.number}"


class IntakeDraft(models.Model):
    """What an agent had typed on the intake form, saved every few seconds and on leaving a
    field (issue 16: intake never loses a call).  One row per agent and form — the new-call
    form (``number`` empty) or a queued order's — kept on the server so it comes back after a
    lost session, on another machine too; deleted when the form is saved.  Only its author
    reads it (it holds the caller's name and phone)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="intake_drafts"
    )
    number = models.CharField("工单编号", max_length=20, blank=True)
    data = models.JSONField("已填写内容", default=dict)
    saved_at = models.DateTimeField("保存时间")

    class Meta:
        verbose_name = verbose_name_plural = "受理草稿"
        constraints = [
            models.UniqueConstraint(fields=["user", "number"], name="web_intake_draft_one_per_form")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.number or '新工单'}"


class SavedFilter(models.Model):
    """A user's named filter of 工单查询: the query string of the list (its filter fields
    and sort, nothing else), listed above the table for one click."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField("名称", max_length=40)
    query = models.CharField("筛选条件", max_length=1000, blank=True)
    created_at = models.DateTimeField("保存时间")

    class Meta:
        verbose_name = verbose_name_plural = "常用筛选"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_filter_user_name")
        ]

    def __str__(self) -> str:
        return self.name
