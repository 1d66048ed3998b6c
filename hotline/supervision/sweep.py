"""The sweep: every minute (by default), watch every running deadline and act (§6.5, §6.4.4).

One sweep does, in order:

1. **Warnings** — each running deadline past its ``warn_at`` (yellow) gets one reminder to
   whoever owes it: the unit (sign-for, feedback, extension, hang-up end), the reviewers
   (dispatch, §6.2) or the callback agents (callback).
2. **Overdue** — each running deadline past its ``due_at`` (red) gets one overdue notice,
   also by SMS to the unit.  Supervisors are not sent one notice per late deadline (a
   busy morning would bury them): they read the board, and hear from the ladder.
3. **Emergency reports** — an emergency order accepted recently that the emergency
   department has not been told about (the after-commit hook normally does it at once; this
   is the safety net if the process died in between) is reported (§6.4.4).
4. **Ladders** — each overdue order (§6.5) is placed on its ladder (``rules.ladder``); a
   due automatic rung is taken through ``do_supervise`` by the system (the same path a
   supervisor's step takes), a due manual rung is suggested to the supervisors.
5. **Delivery** — the outbox is drained (``outbox.deliver_due``).

Exactly once: every piece of work is keyed by a ``SweepMark`` (unique per deadline and
stage, or per order and rung) written in the same transaction as the notices, messages,
events and records it produces.  Two sweeps racing insert the same keys; the database lets
only one succeed, the other ignores the conflict and sees that the key is not its own
(``token``).  A sweep killed in the middle rolls back its open transaction — mark and
products together — and the next sweep does that work again.

Scale: each step starts from the partial indexes on *running* deadlines (``due_at`` /
``warn_at`` ≤ now), so its cost follows the orders that are due, not all open orders; work
is done in chunks of ``CHUNK`` deadlines per transaction.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from hotline import clock
from hotline.orders.errors import ActionError
from hotline.orders.models import Deadline, Event, WorkOrder
from hotline.rules import ladder as rl
from hotline.rules import lifecycle
from hotline.supervision import heartbeat, notify, outbox
from hotline.supervision.actions import do_supervise
from hotline.supervision.ladders import (
    Ladders,
    ladder_inputs,
    unit_deadlines,
)
from hotline.supervision.models import SweepMark

log = logging.getLogger(__name__)

CHUNK = 500
RUNG_BATCH = 50

# Which centre role owes a deadline that is not a unit's.
CENTRE_OWNER = {"dispatch": "reviewer", "callback": "callback"}


@dataclass
class SweepReport:
    warning: int = 0
    overdue: int = 0
    emergency: int = 0
    rungs: int = 0
    suggestions: int = 0
    delivery: outbox.DeliveryReport | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "delivery"}
        out["delivery"] = self.delivery.__dict__ if self.delivery else None
        return out


def run(
    *,
    now: datetime | None = None,
    deliver: bool = True,
    gateway=None,
) -> SweepReport:
    """One complete sweep at ``now`` (default: the clock)."""
    import time

    fixed = now is not None
    now = now or clock.now()
    token = uuid.uuid4().hex
    report = SweepReport()
    steps = [
        ("warning", lambda: remind_deadlines("warning", now, token)),
        ("overdue", lambda: remind_deadlines("overdue", now, token)),
        ("emergency", lambda: report_emergencies(now, token)),
    ]
    for name, fn in steps:
        t0 = time.perf_counter()
        setattr(report, name, fn())
        report.timings_ms[name] = round((time.perf_counter() - t0) * 1000, 1)
    t0 = time.perf_counter()
    report.rungs, report.suggestions = climb_ladders(now, token)
    report.timings_ms["ladders"] = round((time.perf_counter() - t0) * 1000, 1)
    if deliver:
        t0 = time.perf_counter()
        report.delivery = outbox.deliver_due(now=now if fixed else None, gateway=gateway)
        report.timings_ms["delivery"] = round((time.perf_counter() - t0) * 1000, 1)
    # the heartbeat: /health and the 督办员's board tell a stalled sweep (heartbeat.py)
    heartbeat.beat(heartbeat.SWEEP, now)
    return report


# ---------------------------------------------------------------------------
# 1–2. warnings and overdue notices, one per deadline and stage


def _claim_marks(marks: list[SweepMark], token: str) -> set[str]:
    """Insert marks, ignoring keys that exist; return the keys this sweep inserted.

    Inserted in key order, so two sweeps that overlap wait for each other instead of
    deadlocking."""
    marks.sort(key=lambda m: m.key)
    SweepMark.objects.bulk_create(marks, ignore_conflicts=True)
    return set(
        SweepMark.objects.filter(token=token, key__in=[m.key for m in marks]).values_list(
            "key", flat=True
        )
    )


def candidates(stage: str, now: datetime) -> list[Deadline]:
    """Up to ``CHUNK`` running deadlines that owe the ``stage`` reminder, read through the
    partial indexes on running deadlines."""
    base = Deadline.objects.active()
    if stage == "warning":
        base = base.filter(warn_at__lte=now, due_at__gt=now)
    else:
        base = base.filter(due_at__lte=now)
    done = SweepMark.objects.filter(deadline=OuterRef("pk"), stage=stage)
    return list(
        base.filter(~Exists(done))
        .select_related("order", "order__lead_unit", "assignment__unit")
        .only(*READ_FOR_REMINDERS)
        .order_by("due_at", "pk")[:CHUNK]
    )


# What a reminder needs: not the orders' texts of the appeal.
_ORDER = ("number", "title", "state", "lead_unit")
_UNIT = ("name", "phone", "contact_name")
READ_FOR_REMINDERS = (
    "kind",
    "due_at",
    "order",
    "assignment",
    *(f"order__{f}" for f in _ORDER),
    *(f"order__lead_unit__{f}" for f in _UNIT),
    *(f"assignment__unit__{f}" for f in _UNIT),
)


def remind_deadlines(stage: str, now: datetime, token: str) -> int:
    """Send the yellow (``warning``) or red (``overdue``) reminder of every running deadline
    that has not had it.  A deadline first seen already overdue gets only the overdue one."""
    channels = settings.HOTLINE_SUPERVISION["reminder_channels"][stage]
    total = 0
    while True:
        with transaction.atomic():
            batch = candidates(stage, now)
            if not batch:
                break
            mine = _claim_marks(
                [
                    SweepMark(
                        key=f"d{d.pk}:{stage}",
                        stage=stage,
                        order_id=d.order_id,
                        deadline_id=d.pk,
                        token=token,
                        at=now,
                    )
                    for d in batch
                ],
                token,
            )
            drafts: list[notify.Draft] = []
            events: list[Event] = []
            for d in batch:
                if f"d{d.pk}:{stage}" not in mine:
                    continue  # another sweep did this one
                text = notify.deadline_text(stage, d.kind, d.order, d.due_at, now)
                drafts += _deadline_drafts(d, stage, text, channels)
                events.append(_event(d.order, "auto_remind", now, text.body, d, stage))
            outbox.add(drafts, now)
            Event.objects.bulk_create(events)
            total += len(events)
    return total


def _deadline_drafts(d: Deadline, stage: str, text: notify.Text, channels) -> list[notify.Draft]:
    key = f"d{d.pk}:{stage}"
    order = d.order
    out: list[notify.Draft] = []
    role = CENTRE_OWNER.get(d.kind)
    if role:
        out.append(_role_draft(key, text, order, role))
    else:
        unit = d.assignment.unit if d.assignment_id else order.lead_unit
        out += notify.drafts(
            key, text, order=order, unit=unit, recipients=("unit",), channels=channels
        )
    return out


def _role_draft(key: str, text: notify.Text, order: WorkOrder, role: str) -> notify.Draft:
    return notify.Draft(
        key=f"{key}:system:role:{role}",
        channel="system",
        to=f"role:{role}",
        to_name=lifecycle.ROLES.label(role),
        kind=text.kind,
        level=text.level,
        subject=text.subject,
        body=text.body,
        order_id=order.pk,
        role=role,
    )


def _event(order: WorkOrder, action: str, now: datetime, note: str, d=None, stage="") -> Event:
    data = {"stage": stage}
    if d is not None:
        data.update(deadline=d.pk, kind=d.kind, due_at=d.due_at.isoformat())
    return Event(
        order=order,
        at=now,
        actor=None,
        actor_role=lifecycle.SYSTEM,
        actor_name="系统",
        unit=order.lead_unit,
        action=action,
        from_state=order.state,
        to_state=order.state,
        note=note,
        data=data,
    )


# ---------------------------------------------------------------------------
# 3. emergency reports (§6.4.4)


def emergency_keys(order: WorkOrder) -> list[tuple[str, str, object]]:
    """The reports an emergency order is owed: one when it is accepted, one for each
    dispatch to a lead unit (so the emergency department knows who handles it)."""
    keys: list[tuple[str, str, object]] = [(f"o{order.pk}:emergency", "emergency", None)]
    lead = (
        order.assignments.filter(role="lead", ended_at__isnull=True)
        .select_related("unit")
        .order_by("-pk")
        .first()
    )
    if lead is not None:
        keys.append((f"o{order.pk}:emergency:a{lead.pk}", "emergency_dispatch", lead.unit))
    return keys


def report_emergency(order: WorkOrder | int, *, now: datetime | None = None, token="") -> int:
    """Tell the emergency department about an emergency order (§6.4.4) — once per key."""
    now = now or clock.now()
    token = token or uuid.uuid4().hex
    sent = 0
    with transaction.atomic():
        order = WorkOrder.objects.select_related("lead_unit").get(
            pk=order.pk if isinstance(order, WorkOrder) else order
        )
        if not order.is_emergency or order.state in ("closed", "rejected"):
            return 0
        wanted = emergency_keys(order)
        have = set(
            SweepMark.objects.filter(key__in=[k for k, _, _ in wanted]).values_list(
                "key", flat=True
            )
        )
        depts = notify.emergency_depts()
        for key, stage, unit in wanted:
            if key in have:
                continue
            try:
                with transaction.atomic():
                    SweepMark.objects.create(key=key, stage=stage, order=order, token=token, at=now)
            except IntegrityError:
                continue  # reported by someone else meanwhile
            text = notify.emergency_text(order, unit)
            outbox.add(
                notify.drafts(
                    key,
                    text,
                    order=order,
                    unit=None,
                    recipients=("emergency",),
                    channels=("system", "sms"),
                    emergency_units=depts,
                ),
                now,
            )
            _event(order, "emergency_reported", now, text.body, stage=stage).save()
            sent += 1
    return sent


def report_emergencies(now: datetime, token: str) -> int:
    """The safety net: emergency orders accepted within the window without their report."""
    hours = settings.HOTLINE_SUPERVISION["emergency_report_window_hours"]
    ids = list(
        WorkOrder.objects.filter(accepted_at__gte=now - timedelta(hours=hours))
        .exclude(emergency_kind="")
        .exclude(state__in=["closed", "rejected"])
        .values_list("pk", flat=True)
    )
    return sum(report_emergency(pk, now=now, token=token) for pk in ids)


# ---------------------------------------------------------------------------
# 4. ladders (§6.5 a–d)


def climb_ladders(now: datetime, token: str) -> tuple[int, int]:
    """Take due automatic rungs, suggest due manual ones.  Returns (taken, suggested)."""
    ladders = Ladders.load()
    ids = sorted(set(unit_deadlines().filter(due_at__lte=now).values_list("order_id", flat=True)))
    rungs = suggestions = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        dls, taken = ladder_inputs(chunk)
        orders = (
            WorkOrder.objects.filter(
                pk__in=chunk, state__in=lifecycle.WITH_UNIT, lead_unit__isnull=False
            )
            .select_related("lead_unit")
            .only("number", "title", "state", "emergency_kind", "supervised_at", "lead_unit")
        )
        due = []
        for order in orders:
            plan = ladders.plan(order, dls[order.pk], taken[order.pk], now)
            if plan is not None and plan.is_due(now):
                due.append((order, plan))
        # Up to RUNG_BATCH orders per transaction (one commit, not one per order), each in
        # its own savepoint; orders in id order, so two sweeps lock them in the same order.
        due.sort(key=lambda op: op[0].pk)
        for j in range(0, len(due), RUNG_BATCH):
            with transaction.atomic():
                for order, plan in due[j : j + RUNG_BATCH]:
                    if plan.step.automatic:
                        rungs += take_rung(order.pk, ladders, now, token)
                    else:
                        suggestions += suggest_rung(order, plan, now, token)
    return rungs, suggestions


def take_rung(order_id: int, ladders: Ladders, now: datetime, token: str) -> int:
    """The system takes the order's due automatic rung (§6.5 a/c) through the one
    supervision path (``do_supervise``), which re-plans under the order's lock and claims
    the rung's key, so that it happens once."""
    try:
        with transaction.atomic():
            do_supervise(order_id, None, now=now, token=token, ladders=ladders)
            return 1
    except ActionError as exc:
        log.debug("rung for order %s not taken: %s", order_id, exc.message)
        return 0


def suggest_rung(order: WorkOrder, plan: rl.Plan, now: datetime, token: str) -> int:
    """A due rung only a person can take: tell the supervisors once."""
    key = f"o{order.pk}:suggest:{plan.key}"
    try:
        with transaction.atomic():
            SweepMark.objects.create(key=key, stage="suggest", order=order, token=token, at=now)
            text = notify.suggestion_text(order, plan.step.label, plan.reason)
            outbox.add([_role_draft(key, text, order, "supervisor")], now)
    except IntegrityError:
        return 0
    return 1
