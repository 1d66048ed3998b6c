"""Shanghai days and periods as UTC instants (the database stores UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hotline.rules.calendar import SHANGHAI


def day_start(d: date) -> datetime:
    """00:00 Asia/Shanghai of ``d``."""
    return datetime.combine(d, time(0), tzinfo=SHANGHAI)


def local_day(t: datetime) -> date:
    return t.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class Period:
    """Shanghai days ``first`` … ``last``, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        return day_start(self.last + timedelta(days=1))

    @property
    def label(self) -> str:
        if self.first.day == 1 and (self.last + timedelta(days=1)).day == 1:
            if self.first.month == self.last.month:
                return f"{self.first.year}年{self.first.month}月"
        return f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return cls(first, nxt - timedelta(days=1))

    @classmethod
    def parse(cls, month: str | None, start: str | None, end: str | None, today: date) -> Period:
        """``month=YYYY-MM`` or ``start``/``end`` (YYYY-MM-DD); default: this month so far.
        Raises ``ValueError`` with a Chinese message."""
        if start or end:
            try:
                first = date.fromisoformat(start) if start else today.replace(day=1)
                last = date.fromisoformat(end) if end else today
            except ValueError:
                raise ValueError("日期格式应为 YYYY-MM-DD") from None
            if last < first:
                raise ValueError("结束日期不能早于开始日期")
            if (last - first).days > 3660:
                raise ValueError("统计期不能超过十年")
            return cls(first, last)
        if month:
            try:
                y, m = (int(x) for x in month.split("-"))
                return cls.month(y, m)
            except ValueError:
                raise ValueError("月份格式应为 YYYY-MM") from None
        return cls(today.replace(day=1), today)

    def previous(self) -> Period:
        """The period of the same length just before (for month-on-month comparison)."""
        if self.first.day == 1 and (self.last + timedelta(days=1)).day == 1:
            p = self.first - timedelta(days=1)
            return Period.month(p.year, p.month)
        n = (self.last - self.first).days + 1
        return Period(self.first - timedelta(days=n), self.first - timedelta(days=1))
