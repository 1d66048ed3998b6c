"""Who sees and edits which entries, and the reads the pages, the API and the index use.

* The centre (管理员, 督办员) sees and moderates every entry.
* A unit clerk edits the entries of its unit and of the units below it, and sees those in
  every state; of other units it sees what agents see.
* Everyone else (受理员 first) sees only valid entries: published, in force today.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from hotline import clock
from hotline.knowledge.choices import CENTRE_ROLES
from hotline.knowledge.models import Entry
from hotline.org.models import Unit


def today(now: datetime | None = None) -> date:
    """The centre's calendar day (Asia/Shanghai)."""
    return timezone.localdate(now or clock.now())


def is_centre(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.effective_role in CENTRE_ROLES


def owned_units(user) -> QuerySet[Unit]:
    """Units whose entries ``user`` may edit: the centre all, a clerk its subtree."""
    if is_centre(user):
        return Unit.objects.all()
    if user.effective_role == "unit" and user.unit_id:
        return Unit.objects.subtree(user.unit)
    return Unit.objects.none()


def can_author(user) -> bool:
    return is_centre(user) or (user.effective_role == "unit" and bool(user.unit_id))


def can_edit(user, entry: Entry) -> bool:
    if is_centre(user):
        return True
    unit = user.unit if user.effective_role == "unit" else None
    return unit is not None and entry.owner_unit.path.startswith(unit.path)


def valid_q(day: date) -> Q:
    return Q(state="published", effective_from__lte=day) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=day)
    )


def valid_entries(day: date | None = None) -> QuerySet[Entry]:
    return Entry.objects.filter(valid_q(day or today()))


def visible_entries(user, day: date | None = None) -> QuerySet[Entry]:
    day = day or today()
    if is_centre(user) or user.effective_role == "leader":
        return Entry.objects.all()
    if user.effective_role == "unit" and user.unit_id:
        return Entry.objects.filter(valid_q(day) | Q(owner_unit__path__startswith=user.unit.path))
    return Entry.objects.filter(valid_q(day))


def stale_entries(day: date | None = None) -> QuerySet[Entry]:
    """Entries past their review date that are still in use (not expired)."""
    return Entry.objects.filter(review_on__lt=day or today()).exclude(state="expired")


def stale_counts(now: datetime) -> dict[int, int]:
    """Unit id → its own entries past their review date (the assessment's column)."""
    from django.db.models import Count

    rows = stale_entries(today(now)).values("owner_unit_id").annotate(n=Count("pk")).order_by()
    return {r["owner_unit_id"]: r["n"] for r in rows}
