"""Supervision steps (§6.5): the phone call to a unit (催办, or 提醒 before any deadline
passed) and the supervision step (督办), plus marking a notice read and retrying a dead
letter.

``do_supervise`` is the ONE supervision path: the web form, both API endpoints and the
sweep's automatic rungs all come through it.  It places the step on the order's ladder
(``rules.ladder.landing``): a step that lands on a rung claims that rung's key — so the
sweep or a second supervisor cannot take it again — and queues the rung's messages (an SMS
rung sends its SMS whoever takes it).  Built on ``hotline.orders.actions.base``; one
transaction each."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from hotline import clock
from hotline.orders.actions.base import (
    check_transition,
    lock_order,
    move_state,
    record_event,
    resolve_now,
)
from hotline.orders.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.orders.guards import overdue_since
from hotline.orders.models import WorkOrder
from hotline.org.models import User
from hotline.rules import ladder as rl
from hotline.rules import taxonomy
from hotline.supervision import notify, outbox
from hotline.supervision.ladders import (
    Ladders,
    contacts_text,
    ladder_inputs,
    rung_drafts,
    track_of,
)
from hotline.supervision.models import Message, Notice, Reminder, SupervisionRecord, SweepMark


@transaction.atomic
def do_remind(
    order: WorkOrder | int,
    actor: User | None,
    *,
    contact_name: str = "",
    contact_phone: str = "",
    result: str = "",
    answered: bool = False,
    now: datetime | None = None,
) -> Reminder:
    """A supervisor phones the unit (§6.5).  On an overdue order it is a 催办: counted,
    and after 2 of them without a result the order goes under supervision (督办).  Before
    any deadline of the unit passed it is a 提醒 (``kind="prompt"``): on the record and the
    timeline, but neither a 催办 nor 督办, and not in the assessment."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "remind", actor, now)
    unit = order.lead_unit
    kind = rl.reminder_kind(overdue_since(order, now))
    reminder = Reminder.objects.create(
        order=order,
        unit=unit,
        by=actor,
        at=now,
        kind=kind,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        result=result.strip(),
        answered=answered,
    )
    if kind == "prompt":
        record_event(
            order,
            actor,
            "prompt",
            now,
            from_state=order.state,
            note=result.strip(),
            data={"reminder": reminder.pk, "answered": answered},
            unit=unit,
        )
        return reminder
    order.reminder_count = F("reminder_count") + 1
    fields = ["reminder_count"]
    unanswered = Reminder.objects.filter(order=order, kind="urge", answered=False).count()
    enter = order.supervised_at is None and rl.enters_supervision(unanswered)
    if enter:
        order.supervised_at = now
        fields.append("supervised_at")
    move_state(
        order,
        actor,
        "remind",
        now,
        note=result,
        data={"reminder": reminder.pk, "answered": answered, "unanswered": unanswered},
        unit=unit,
        extra_fields=fields,
    )
    if enter:
        record_event(
            order,
            actor,
            "enter_supervision",
            now,
            from_state=order.state,
            note=f"电话催办{unanswered}次仍未回复处理结果，转入督办（§6.5）",
            unit=unit,
        )
    order.refresh_from_db(fields=["reminder_count"])
    return reminder


@transaction.atomic
def do_supervise(
    order: WorkOrder | int,
    actor: User | None,
    *,
    method: str = "",
    other_form: str = "",
    target: str = "",
    content: str = "",
    result: str = "",
    effective: bool = False,
    now: datetime | None = None,
    token: str = "",
    ladders: Ladders | None = None,
) -> SupervisionRecord:
    """One supervision step (§6.5 a–d) on an overdue order, recorded with who, when, whom
    and the result — by a supervisor (``actor``) or by the system (``actor=None``).

    * ``method`` empty: the rung the ladder suggests, with its contacts as ``target``.
      The system takes only a due automatic rung.
    * The step lands on a rung of the ladder (``rules.ladder.landing``): it claims that
      rung's key (``Conflict`` if the sweep or another supervisor took it first) and, unless
      the unit already responded (``effective``), queues the rung's messages.
    * The first step puts the order under supervision (``supervised_at``)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "supervise", actor, now)
    ladders = ladders or Ladders.load()
    dls, taken = ladder_inputs([order.pk])
    plan = ladders.plan(order, dls[order.pk], taken[order.pk], now)
    if actor is None and (plan is None or not plan.is_due(now) or not plan.step.automatic):
        raise Conflict("没有到期的自动督办步骤", state=order.state)
    if not method:
        if plan is None:
            raise ValidationFailed({"method": "当前没有建议的督办步骤，请选择督办方式（§6.5 a–d）"})
        method, other_form = plan.step.method, other_form or plan.step.other_form
    errors = {}
    if method not in taxonomy.SUPERVISION_METHODS:
        errors["method"] = "请选择督办方式（§6.5 a–d）"
    if method == "other" and other_form not in taxonomy.OTHER_SUPERVISION_FORMS:
        errors["other_form"] = (
            "其他形式督办须选择具体形式（联席会议、现场协调、政风热线、媒体监督、通报约谈）"
        )
    if errors:
        raise ValidationFailed(errors)
    steps = ladders.steps.get(track_of(order), [])
    key = rl.landing(steps, taken[order.pk], rl.Taken(method, now))
    rung = _rung(steps, key)
    if rung is not None and not target:
        target = contacts_text(order, rung)
    mark = None
    if key is not None:
        try:
            with transaction.atomic():
                mark = SweepMark.objects.create(
                    key=f"o{order.pk}:rung:{key}",
                    stage="rung",
                    order=order,
                    token=token or uuid.uuid4().hex,
                    at=now,
                )
        except IntegrityError:
            raise Conflict(
                "该督办步骤已由系统或其他督办员完成，请刷新后查看", state=order.state
            ) from None
    text = None
    if rung is not None:
        reason = (
            plan.reason if plan is not None and plan.key == key else "督办岗执行督办步骤（§6.5）"
        )
        text = notify.rung_text(order, rung.label, reason, order.lead_unit)
        if actor is None and not content:
            content = text.body
    record = SupervisionRecord.objects.create(
        order=order,
        unit=order.lead_unit,
        method=method,
        other_form=other_form if method == "other" else "",
        by=actor,
        at=now,
        target=target.strip()[:100],
        content=content.strip(),
        result=result.strip(),
        effective=effective,
    )
    fields = []
    if order.supervised_at is None:
        order.supervised_at = now
        fields.append("supervised_at")
    move_state(
        order,
        actor,
        "supervise",
        now,
        note=content,
        data={
            "record": record.pk,
            "method": method,
            "other_form": record.other_form,
            "target": record.target,
            "rung": key,
        },
        unit=order.lead_unit,
        extra_fields=fields,
    )
    if mark is not None:
        mark.record = record
        mark.save(update_fields=["record"])
        if rung is not None and text is not None and rung.channels and not effective:
            outbox.add(rung_drafts(mark.key, text, order, rung), now)
    return record


def _rung(steps: list[rl.Step], key: str | None) -> rl.Step | None:
    if key is None:
        return None
    return steps[int(key.split(".")[1])]


def visible_notices(user: User):
    """Notices addressed to ``user``, to its role, or to its unit (and units below it)."""
    q = Q(user=user) | Q(role=user.effective_role)
    if user.unit_id and user.effective_role == "unit":
        q |= Q(unit__path__startswith=user.unit.path)
    return Notice.objects.filter(q)


@transaction.atomic
def do_read_notice(notice_id: int, user: User, *, now: datetime | None = None) -> Notice:
    notice = visible_notices(user).select_for_update(of=("self",)).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("通知不存在或无权查看")
    if notice.read_at is None:
        notice.read_at, notice.read_by = now or clock.now(), user
        notice.save(update_fields=["read_at", "read_by"])
    return notice


def do_retry_message(message_id: int, user: User, *, now: datetime | None = None) -> Message:
    """An administrator sends a dead letter again."""
    if user.effective_role != "admin":
        raise Forbidden("只有管理员可以重发死信")
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        raise NotFound("消息不存在")
    if not outbox.retry(message, now=now):
        raise Conflict("只有发送失败（死信）的消息可以重发", state=message.state)
    message.refresh_from_db()
    return message
