"""Supervisors' and units' changes around supervision: taking a rung of the ladder (§6.5),
marking a notice read, retrying a dead letter.  The phone reminder (催办,
``do_remind``) and the supervision record (督办, ``do_supervise``) are order changes built on
``hotline.orders.actions.base``; ``do_take_step`` adds the ladder's bookkeeping around them in
the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from hotline import clock
from hotline.orders.actions.base import (
    check_transition,
    lock_order,
    move_state,
    record_event,
    resolve_now,
)
from hotline.orders.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.orders.models import WorkOrder
from hotline.org.models import User
from hotline.rules import ladder as rl
from hotline.rules import lifecycle, taxonomy
from hotline.supervision import notify, outbox
from hotline.supervision.ladders import Ladders, contacts_text, ladder_inputs, rung_drafts
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
    """A phone reminder to the unit (电话催办, §6.5).  After 2 reminders without a result the
    order goes under supervision (督办)."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "remind", actor)
    unit = order.lead_unit
    if unit is None:
        raise Conflict("工单尚未派转，无法催办", state=order.state)
    reminder = Reminder.objects.create(
        order=order,
        unit=unit,
        by=actor,
        at=now,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        result=result.strip(),
        answered=answered,
    )
    order.reminder_count = F("reminder_count") + 1
    fields = ["reminder_count"]
    unanswered = Reminder.objects.filter(order=order, answered=False).count()
    enter = order.supervised_at is None and unanswered >= lifecycle.reminders_before_supervision()
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
    method: str,
    other_form: str = "",
    target: str = "",
    content: str = "",
    result: str = "",
    effective: bool = False,
    now: datetime | None = None,
) -> SupervisionRecord:
    """One supervision step (§6.5 a–d), recorded with who, when, whom and the result."""
    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "supervise", actor)
    errors = {}
    if method not in taxonomy.SUPERVISION_METHODS:
        errors["method"] = "请选择督办方式（§6.5 a–d）"
    if method == "other" and other_form not in taxonomy.OTHER_SUPERVISION_FORMS:
        errors["other_form"] = (
            "其他形式督办须选择具体形式（联席会议、现场协调、政风热线、媒体监督、通报约谈）"
        )
    unit = order.lead_unit
    if unit is None:
        errors["order"] = "工单尚未派转至承办单位"
    if errors:
        raise ValidationFailed(errors)
    record = SupervisionRecord.objects.create(
        order=order,
        unit=unit,
        method=method,
        other_form=other_form if method == "other" else "",
        by=actor,
        at=now,
        target=target.strip(),
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
            "target": target,
        },
        unit=unit,
        extra_fields=fields,
    )
    return record


def current_plan(order: WorkOrder, now: datetime, ladders: Ladders | None = None) -> rl.Plan | None:
    ladders = ladders or Ladders.load()
    dls, taken = ladder_inputs([order.pk])
    return ladders.plan(order, dls[order.pk], taken[order.pk], now)


@transaction.atomic
def do_take_step(
    order: WorkOrder | int,
    actor: User,
    *,
    method: str = "",
    other_form: str = "",
    target: str = "",
    content: str = "",
    result: str = "",
    effective: bool = False,
    now: datetime | None = None,
) -> SupervisionRecord:
    """A supervisor takes a supervision step (§6.5 a–d) — by default the rung the ladder
    suggests, with its contacts as the target.  Taking the suggested rung claims its key,
    so the sweep (or a second supervisor) cannot take the same rung again; a rung that
    sends messages (SMS supervision taken by hand) queues them."""
    now = now or clock.now()
    pk = order.pk if isinstance(order, WorkOrder) else order
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=pk)
    plan = current_plan(order, now)
    if not method:
        if plan is None:
            raise ValidationFailed({"method": "当前没有建议的督办步骤，请选择督办方式（§6.5 a–d）"})
        method, other_form = plan.step.method, other_form or plan.step.other_form
    suggested = plan is not None and plan.step.method == method
    if suggested and not target:
        target = contacts_text(order, plan.step)
    mark = None
    if suggested and method in taxonomy.SUPERVISION_METHODS:
        key = f"o{order.pk}:rung:{plan.key}"
        try:
            with transaction.atomic():
                mark = SweepMark.objects.create(
                    key=key, stage="rung", order=order, token=uuid.uuid4().hex, at=now
                )
        except IntegrityError:
            raise Conflict(
                "该督办步骤已由系统或其他督办员完成，请刷新后查看", state=order.state
            ) from None
    record = do_supervise(
        order,
        actor,
        method=method,
        other_form=other_form,
        target=target,
        content=content,
        result=result,
        effective=effective,
        now=now,
    )
    if mark is not None:
        mark.record = record
        mark.save(update_fields=["record"])
        if plan.step.channels and not effective:
            text = notify.rung_text(order, plan.step.label, plan.reason, order.lead_unit)
            outbox.add(rung_drafts(mark.key, text, order, plan.step), now)
    return record


def visible_notices(user: User):
    """Notices addressed to ``user``, to its role, or to its unit (and units below it)."""
    from django.db.models import Q

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
