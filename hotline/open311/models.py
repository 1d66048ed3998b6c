"""The public (redacted) description and address of a published order, computed once per
version.

Redacting personal data (``hotline.rules.pii``) is linear but not free: about 3 µs per
character, so 14 ms for a 5,000-character appeal and 40 ms for 20,000.  A GeoReport list
of 1,000 such appeals would spend 14–40 s scrubbing the same texts on every request.  The
redacted description is therefore kept here, keyed by a digest of everything the
redaction reads (the text and the order's citizen fields): a changed text or citizen field
changes the key and both are redacted again on the next read.  The retention
purge deletes these rows with the personal data (docs/privacy.md).
"""

from __future__ import annotations

from django.db import models

from hotline.orders.models import WorkOrder


class PublicText(models.Model):
    order = models.OneToOneField(
        WorkOrder,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="open311_public_text",
        verbose_name="工单",
    )
    key = models.CharField("原文摘要", max_length=64)
    description = models.TextField("公开描述")
    address = models.TextField("公开地址", blank=True)

    class Meta:
        verbose_name = "公开文本缓存"
        verbose_name_plural = verbose_name
