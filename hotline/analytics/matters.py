"""Long-term matters (长效机制, §4.2 b): a concentrated issue handed to a unit to fix at
the root.  Every change goes through a ``do_*`` function here — one transaction, one
timeline line."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet

from hotline import clock
from hotline.analytics import access
from hotline.analytics.models import LongTermMatter, LongTermMatterEvent
from hotline.orders.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.orders.models import WorkOrder
from hotline.org.models import Unit, User
from hotline.rules import limits
from hotline.rules.calendar import SHANGHAI

MAX_ORDERS = 1000  # orders one long-term matter may gather

# state → {next state: who may move it there ("unit" = the responsible unit, "centre")}
STEPS: dict[str, dict[str, str]] = {
    "open": {"in_progress": "unit"},
    "in_progress": {"resolved": "unit"},
    "resolved": {"closed": "centre", "in_progress": "centre"},
    "closed": {},
}
STEP_LABELS = {
    ("open", "in_progress"): "认领整改",
    ("in_progress", "resolved"): "报告整改完成",
    ("resolved", "closed"): "审核销号",
    ("resolved", "in_progress"): "退回继续整改",
}


def visible(user: User, state: str | None = None) -> QuerySet[LongTermMatter]:
    qs = LongTermMatter.objects.select_related("unit").order_by("-created_at")
    if state:
        qs = qs.filter(state=state)
    role = user.effective_role
    if role in access.CENTRE_ROLES:
        return qs
    if role == "unit" and user.unit_id:
        return qs.filter(unit__path__startswith=user.unit.path)
    return qs.none()


def get_visible(user: User, matter_id: int) -> LongTermMatter:
    m = visible(user).filter(pk=matter_id).first()
    if m is None:
        raise NotFound("长效问题不存在或无权查看")
    return m


def _event(m: LongTermMatter, actor: User, action: str, now: datetime, before: str, note: str):
    LongTermMatterEvent.objects.create(
        matter=m,
        at=now,
        actor=actor,
        actor_name=actor.display_name,
        action=action,
        from_state=before,
        to_state=m.state,
        note=note,
    )


@transaction.atomic
def do_hand_over(
    actor: User,
    *,
    title: str,
    unit: int | str,
    orders: list[str] | None = None,
    summary: str = "",
    places: list[str] | None = None,
    group_key: str = "",
    due_date: date | None = None,
    now: datetime | None = None,
) -> LongTermMatter:
    """The centre hands a group of similar appeals to a unit as a long-term matter."""
    now = now or clock.now()
    if not access.may_manage(actor):
        raise Forbidden("只有中心审核、督办人员和领导可以交办长效问题")
    errors = {}
    if not title.strip():
        errors["title"] = "请填写问题名称"
    elif len(title.strip()) > limits.SHORT_TEXT:
        errors["title"] = limits.too_long("问题名称", limits.SHORT_TEXT)
    if len(summary) > limits.NOTE:
        errors["summary"] = limits.too_long("问题概述", limits.NOTE)
    if len(orders or []) > MAX_ORDERS:
        errors["orders"] = f"一个长效问题最多关联 {MAX_ORDERS} 件工单"
    if len(places or []) > 100 or any(len(p) > limits.SHORT_TEXT for p in places or []):
        errors["places"] = f"地点最多 100 个，每个不超过 {limits.SHORT_TEXT} 个字符"
    target = (
        Unit.objects.filter(pk=int(unit)).first()
        if str(unit).isdigit()
        else Unit.objects.filter(code=unit).first()
    )
    if target is None or not target.active or target.kind == "centre":
        errors["unit"] = "责任单位不存在或已停用"
    numbers = list(dict.fromkeys(orders or []))
    found = list(WorkOrder.objects.filter(number__in=numbers))
    missing = sorted(set(numbers) - {o.number for o in found})
    if missing:
        errors["orders"] = f"工单不存在：{'、'.join(missing[:5])}"
    if due_date and due_date < now.date():
        errors["due_date"] = "整改期限不能早于今天"
    if errors:
        raise ValidationFailed(errors)
    m = LongTermMatter.objects.create(
        title=title.strip(),
        summary=summary.strip(),
        unit=target,
        places=list(places or []),
        group_key=group_key,
        due_date=due_date,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    m.orders.set(found)
    _event(m, actor, "hand_over", now, "", f"交办{target.name}，关联工单{len(found)}件")
    return m


@transaction.atomic
def do_progress(
    actor: User, matter_id: int, *, state: str, note: str = "", now: datetime | None = None
) -> LongTermMatter:
    """Move a long-term matter one step: the unit takes it on and reports it fixed; the
    centre closes it (销号) or sends it back."""
    now = now or clock.now()
    m = get_visible(actor, matter_id)
    m = LongTermMatter.objects.select_for_update().get(pk=m.pk)
    who = STEPS.get(m.state, {}).get(state)
    if who is None:
        raise Conflict(f"当前状态为“{m.get_state_display()}”，不能变更为该状态", state=m.state)
    if who == "centre" and not access.may_manage(actor):
        raise Forbidden("销号或退回须由中心办理")
    if who == "unit":
        own = (
            actor.effective_role == "unit"
            and actor.unit_id
            and m.unit.path.startswith(actor.unit.path)
        )
        if not own and not access.may_manage(actor):
            raise Forbidden("只能由责任单位办理")
    if state in {"resolved", "in_progress"} and m.state != "open" and not note.strip():
        raise ValidationFailed({"note": "请填写整改情况或退回理由"})
    if len(note) > limits.NOTE:
        raise ValidationFailed({"note": limits.too_long("说明", limits.NOTE)})
    before = m.state
    m.state = state
    m.updated_at = now
    m.save(update_fields=["state", "updated_at"])
    _event(m, actor, STEP_LABELS[(before, state)], now, before, note.strip())
    return m


def matter_out(m: LongTermMatter, *, timeline: bool = False) -> dict:
    out = {
        "id": m.pk,
        "title": m.title,
        "summary": m.summary,
        "unit": {"id": m.unit_id, "name": m.unit.name},
        "state": {"code": m.state, "label": m.get_state_display()},
        "places": m.places,
        "group_key": m.group_key,
        "due_date": m.due_date.isoformat() if m.due_date else None,
        "orders": list(m.orders.order_by("created_at").values_list("number", flat=True)),
        "created_at": m.created_at.astimezone(SHANGHAI).isoformat(),
        "updated_at": m.updated_at.astimezone(SHANGHAI).isoformat(),
    }
    if timeline:
        out["timeline"] = [
            {
                "at": e.at.astimezone(SHANGHAI).isoformat(),
                "actor": e.actor_name,
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "note": e.note,
            }
            for e in m.events.all()
        ]
    return out
