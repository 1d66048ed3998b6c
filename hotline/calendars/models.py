"""The working calendar in the database (SPEC §4): which years are known, and the days that
differ from an ordinary week — statutory holidays and adjusted working weekend days (调休).

Seeded from the ``chinesecalendar`` package for every year it knows; the administrator adds
next year's arrangement in the admin as soon as the State Council publishes it."""

from __future__ import annotations

from django.db import models

DAY_KINDS = [("holiday", "法定节假日（休息）"), ("workday", "调休上班")]


class CalendarYear(models.Model):
    """A year whose holiday arrangement is loaded.  A year without a row is unknown: deadlines
    that run into it are provisional (weekends only) until it is added."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField(
        "来源",
        max_length=32,
        choices=[("chinesecalendar", "chinesecalendar 包"), ("admin", "管理员录入")],
    )
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "日历年份"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年"


class CalendarDay(models.Model):
    """A day that is not what its weekday suggests: a holiday, or a working weekend day."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DAY_KINDS)
    name = models.CharField("节日", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()
