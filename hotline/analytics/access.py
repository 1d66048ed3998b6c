"""Who may read the assessment: centre staff and leaders see every unit; a handling
unit's user sees its own unit and the units below it (SPEC §1)."""

from __future__ import annotations

from hotline.orders.errors import Forbidden, NotFound, ValidationFailed
from hotline.org.models import Unit, User

CENTRE_ROLES = {"agent", "reviewer", "supervisor", "callback", "admin", "leader"}
MANAGE_ROLES = {"admin", "leader", "supervisor", "reviewer"}


def scope_for(user: User, unit: str | int | None) -> Unit | None:
    """The unit whose subtree ``user`` asked for (None: all units).  Raises ``Forbidden``
    for a unit outside the user's reach and ``NotFound`` for an unknown one."""
    asked = None
    if unit not in (None, ""):
        q = Unit.objects.all()
        asked = (
            q.filter(pk=int(unit)).first() if str(unit).isdigit() else q.filter(code=unit).first()
        )
        if asked is None:
            raise NotFound("单位不存在")
    role = user.effective_role
    if role in CENTRE_ROLES:
        return asked
    if role == "unit" and user.unit_id:
        own = user.unit
        if asked is None:
            return own
        if not asked.path.startswith(own.path):
            raise Forbidden("只能查看本单位及下级单位的考核数据")
        return asked
    raise Forbidden("无权查看考核数据")


def may_manage(user: User) -> bool:
    """Handing a concentrated issue to a unit is the centre's decision (§4.2 b)."""
    return user.effective_role in MANAGE_ROLES


def period_or_error(month, start, end, today):
    from hotline.analytics.periods import Period

    try:
        return Period.parse(month, start, end, today)
    except ValueError as exc:
        raise ValidationFailed({"month" if month else "start": str(exc)}) from None
