"""Tables of the shared helpers (they import Django only, never an app)."""

from __future__ import annotations

from django.db import models


class RateWindow(models.Model):
    """One fixed window of a per-client limit (``hotline.common.ratelimit``): how many times
    ``ident`` (a client address) used ``scope`` (e.g. portal submissions) since
    ``window_start``.  Kept in the database so every process on every machine counts in the
    same row; rows of finished windows are deleted as new windows open."""

    scope = models.CharField(max_length=32)
    ident = models.CharField(max_length=128)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "限流计数"
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "ident", "window_start"], name="common_rate_window_unique"
            )
        ]
        indexes = [models.Index(fields=["scope", "window_start"], name="common_rate_window_age")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.ident}@{self.window_start:%Y-%m-%d %H:%M} = {self.count}"
