"""Reminders and supervision records (§6.5) — the data.  The sweep that watches deadlines
and climbs the ladder by itself builds on these."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hotline.rules import taxonomy

USER = settings.AUTH_USER_MODEL


class Reminder(models.Model):
    """A phone reminder (电话催办, §6.5): who called whom at the unit, when, and whether the
    unit gave a result.  After 2 reminders without a result the order goes under supervision."""

    order = models.ForeignKey(
        "orders.WorkOrder", on_delete=models.CASCADE, related_name="reminders"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("催办时间")
    contact_name = models.CharField("联系对象", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    result = models.TextField("催办结果", blank=True)
    answered = models.BooleanField("单位已回复处理结果", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "电话催办记录"
        ordering = ["at", "id"]


class SupervisionRecord(models.Model):
    """One step of supervision (督办, §6.5 a–d): the method, who did it, to whom, what was
    said and what came of it.  ``by`` is empty for the system's own smart supervision."""

    order = models.ForeignKey(
        "orders.WorkOrder", on_delete=models.CASCADE, related_name="supervision_records"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(
        "督办方式", max_length=16, choices=taxonomy.SUPERVISION_METHODS.choices()
    )
    other_form = models.CharField(
        "其他督办形式",
        max_length=32,
        choices=taxonomy.OTHER_SUPERVISION_FORMS.choices(),
        blank=True,
    )
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("督办时间")
    target = models.CharField("督办对象", max_length=100, blank=True)
    content = models.TextField("督办内容", blank=True)
    result = models.TextField("督办结果", blank=True)
    effective = models.BooleanField("已见成效", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "督办记录"
        ordering = ["at", "id"]
