"""Supervisors' and units' changes around supervision: taking a rung of the ladder (§6.5),
marking a notice read, retrying a dead letter.  Order changes go through
``hotline.orders.actions`` (``do_remind``, ``do_supervise``); these functions add the
ladder's bookkeeping around them in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction

from hotline import clock
from hotline.orders import actions as order_actions
from hotline.orders.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.orders.models import WorkOrder
from hotline.org.models import User
from hotline.rules import ladder as rl
from hotline.rules import taxonomy
from hotline.supervision import notify, outbox, sweep
from hotline.supervision.ladders import Ladders
from hotline.supervision.models import Message, Notice, SupervisionRecord, SweepMark


def current_plan(order: WorkOrder, now: datetime, ladders: Ladders | None = None) -> rl.Plan | None:
    ladders = ladders or Ladders.load()
    dls, taken = sweep.ladder_inputs([order.pk])
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
        target = sweep.contacts_text(order, plan.step)
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
    record = order_actions.do_supervise(
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
            outbox.add(sweep.rung_drafts(mark.key, text, order, plan.step), now)
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
