"""A big city's history, fast: millions of orders written with bulk inserts.

``hotline demo`` plays each order through the ``do_*`` actions — right for a few hundred
orders, far too slow for ten million.  ``hotline history --orders N`` writes the same rows
the actions would write (orders with their per-stage timestamps and counters, assignments,
deadlines met/superseded as the actions do, replies, callbacks, extension and hang-up
requests, reminders and the timeline events) straight into the tables: ``COPY`` on
PostgreSQL, ``executemany`` on SQLite, in batches, one transaction per batch.

A big history on PostgreSQL is mostly copies: each story of the days before yesterday is
written ``copies`` times, the extra ones by the database (``_copy_statements``: own ids,
number, phone, every instant a minute earlier per copy, the story's search bigrams), one
story per ~500,000 orders by default (``default_copies``).  A batch's copies run on two
connections while Python plays the next batch (``_Copier``).

Distributions (documented in ``docs/assessment.md`` §6): orders spread over ``days`` days
before ``now`` with fewer on weekends and a daily curve peaking 9–11 h and 14–16 h; channel
phone 68 %, app 12 %, portal 9 %, mini-program 7 %, grid 4 %; 4 % not accepted; 12 % of
consultations answered directly; dispatch to a unit responsible for the category in the
order's district (some units busier than others); 3 % returned by a wrong unit and
re-dispatched; signing mostly within hours, 8 % late; 5 % extended, 1.5 % hung up;
replies within the limit for 85 % (each unit has its own punctuality), late ones reminded
twice and supervised; callbacks 6 % unreachable at first; 满意/基本满意/不满意 about
76/15/9 with the unit's quality shifting it; half of 不满意 + 未解决 reopened once.
Orders near ``now`` stop at whatever stage they have reached by then.

Working-day due times come from the rules' calendar, computed once per day and limit kind
for a noon start and shifted by the start's clock time (what "the same clock time on the
N-th working day" means); the yellow-light instant (``warn_at``) is shifted the same way,
so near a non-working day it can differ by hours from the one an action would store.
"""

from __future__ import annotations

import json
import random
import threading
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from hotline import clock
from hotline.calendars.services import working_calendar
from hotline.catalog.models import Category
from hotline.orders import fulltext
from hotline.orders.models import (
    Assignment,
    Callback,
    Deadline,
    Event,
    ExtensionRequest,
    OrderSequence,
    Reply,
    SuspensionRequest,
    WorkOrder,
)
from hotline.org.models import Area, Unit, User
from hotline.rules import deadlines as dl
from hotline.rules import screening
from hotline.rules.calendar import SHANGHAI
from hotline.supervision.models import Reminder

MODELS = [
    WorkOrder,
    Assignment,
    ExtensionRequest,
    SuspensionRequest,
    Reply,
    Deadline,
    Callback,
    Reminder,
    Event,
]

HOURS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 12, 9, 10, 12, 12, 11, 10, 9, 8, 7, 5, 3, 2]
CHANNELS = (["phone", "app", "portal", "miniprogram", "grid"], [68, 12, 9, 7, 4])
TYPES = (
    ["consult", "help", "complaint", "report", "suggestion", "praise"],
    [22, 30, 33, 6, 7, 2],
)
SATISFACTION = (["satisfied", "basically_satisfied", "unsatisfied"], [76, 15, 9])
REPLY_TEXT = {
    "handling_situation": "已安排工作人员到现场核实处理，问题已整改完毕。",
    "citizen_contact": "已电话联系服务对象，告知处理情况。",
    "investigation": "经现场调查核实，反映情况属实，已督促责任方整改。",
    "opinion": "问题已解决；今后加强日常巡查，落实长效管理。",
}
TITLES = {
    "property_management": ["物业服务不到位", "物业乱收费", "小区电梯故障"],
    "housing_maintenance": ["楼顶漏水", "外墙脱落", "楼道破损"],
    "street_light": ["路灯不亮", "路灯白天常亮"],
    "road_facility": ["道路坑洼", "人行道破损"],
    "drainage": ["井盖缺失", "下水道堵塞"],
    "noise": ["夜间施工噪音扰民", "广场舞噪音扰民"],
    "oil_fume": ["餐饮油烟扰民"],
    "waste": ["垃圾清运不及时"],
    "parking": ["占道停车", "小区停车难"],
    "public_transit": ["公交车不按站停靠", "公交班次少"],
    "wage_arrears": ["拖欠农民工工资"],
    "heating": ["暖气不热", "供暖费争议"],
    "water_supply": ["停水未通知", "水压低"],
    "market_regulation": ["商家拒绝退款", "食品过期"],
}


class _Table:
    """Rows of one table as tuples in column order, defaults filled in."""

    def __init__(self, model) -> None:
        self.model = model
        self.name = model._meta.db_table
        fields = model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        self.index = {f.column: i for i, f in enumerate(fields)}
        defaults: list[Any] = []
        for f in fields:
            d = f.get_default() if f.has_default() else None
            if d is None and not f.null and f.get_internal_type() in {"CharField", "TextField"}:
                d = ""
            defaults.append(d)
        self.defaults = defaults
        self.datetime_columns = [
            i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"
        ]
        self.rows: list[list[Any]] = []
        self.next_id = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    def add(self, **values: Any) -> int:
        row = list(self.defaults)
        pk = values.pop("id", None) or self.next_id
        self.next_id = max(self.next_id, pk + 1)
        row[0] = pk
        for k, v in values.items():
            row[self.index[k]] = v
        self.rows.append(row)
        return pk


@dataclass
class _Cast:
    agents: list[User]
    reviewer: User
    supervisor: User
    callback: User
    clerks: dict[int, User]


@dataclass
class _Place:
    community: int
    district: int
    name: str


@dataclass
class _Unit:
    pk: int
    name: str
    punctual: float  # share of replies within the limit
    quality: float  # shifts satisfaction up or down
    clerk: User | None = None


@dataclass
class _Ctx:
    now: datetime
    rng: random.Random
    cast: _Cast
    cats: list[tuple[int, str, str]]  # pk, code, domain
    cat_weights: list[float]
    units_for: dict[tuple[str, int], list[_Unit]]  # (category code, district) → units
    fallback: list[_Unit]
    wrong: _Unit
    places: list[_Place]
    due: Callable[..., tuple[datetime, datetime]]
    tables: dict[str, _Table] = field(default_factory=dict)


class _DueCache:
    """Working-day due and warning instants, computed once per (limit, days, day) for a
    noon start and shifted by the start's clock time."""

    def __init__(self) -> None:
        self.cal = working_calendar()
        self.share = dl.DEFAULT_POLICY.warning_share
        self.cache: dict[tuple[str, int, date], tuple[bool, datetime, datetime, bool]] = {}

    def __call__(
        self, kind: str, start: datetime, n: int, hours: float = 0
    ) -> tuple[datetime, datetime]:
        if hours:
            due = start + timedelta(hours=hours)
            return due, start + (due - start) * self.share
        local = start.astimezone(SHANGHAI)
        key = (kind, n, local.date())
        hit = self.cache.get(key)
        if hit is None:
            noon = datetime.combine(local.date(), time(12), tzinfo=SHANGHAI)
            d = dl._working(kind, noon, n, self.cal, "", "")
            warn = dl.warning_at(noon, d.due, "working_days", self.cal, self.share)
            working = self.cal.is_working_day(local.date())
            hit = (working, d.due, warn, d.provisional)
            self.cache[key] = hit
        working, due, warn, _ = hit
        if working:
            shift = local - datetime.combine(local.date(), time(12), tzinfo=SHANGHAI)
            return due + shift, warn + shift
        return due, warn


def _ev(
    ctx: _Ctx,
    order: int,
    at: datetime,
    actor: User | None,
    action: str,
    frm: str,
    to: str,
    *,
    unit: int | None = None,
    note: str = "",
    data: dict | None = None,
) -> None:
    ctx.tables["orders_event"].add(
        order_id=order,
        at=at,
        actor_id=actor.pk if actor else None,
        actor_role=actor.effective_role if actor else "system",
        actor_name=actor.display_name if actor else "系统",
        unit_id=unit,
        action=action,
        from_state=frm,
        to_state=to,
        note=note,
        data=json.dumps(data, ensure_ascii=False) if data else "{}",
    )


def _deadline(
    ctx: _Ctx,
    order: int,
    kind: str,
    start: datetime,
    n: int,
    *,
    hours: float = 0,
    natural_days: int = 0,
    assignment: int | None = None,
    clause: str = "§6.4.2",
    rule: str = "",
    created: datetime | None = None,
) -> dict[str, Any]:
    if natural_days:
        due = start + timedelta(days=natural_days)
        warn = start + (due - start) * dl.DEFAULT_POLICY.warning_share
        basis, amount = "natural_days", natural_days
    elif hours:
        due, warn = ctx.due(kind, start, 0, hours)
        basis, amount = ("minutes", int(hours * 60)) if hours < 1 else ("hours", int(hours))
    else:
        due, warn = ctx.due(kind, start, n)
        basis, amount = "working_days", n
    row = {
        "order_id": order,
        "assignment_id": assignment,
        "kind": kind,
        "start_at": start,
        "due_at": due,
        "warn_at": warn,
        "basis": basis,
        "amount": amount,
        "clause": clause,
        "rule": rule or dl.DEADLINE_KINDS.label(kind),
        "skipped": "[]",
        "paused": "[]",
        "provisional": False,
        "created_at": created or start,
    }
    return row


def _flush_deadline(ctx: _Ctx, row: dict[str, Any]) -> None:
    ctx.tables["orders_deadline"].add(**row)


class _Order:
    """One order's life, written as rows; stops at whatever stage ``now`` finds it."""

    def __init__(self, ctx: _Ctx, pk: int, number: str, t0: datetime) -> None:
        self.ctx, self.pk, self.t0 = ctx, pk, t0
        self.o: dict[str, Any] = {
            "id": pk,
            "number": number,
            "created_at": t0,
            "reminder_count": 0,
            "reopen_count": 0,
        }
        self.state = ""
        self.last = t0
        self.open_deadlines: list[dict[str, Any]] = []

    # --- helpers ---------------------------------------------------------------------
    def ok(self, t: datetime) -> bool:
        return t <= self.ctx.now

    def ev(self, t: datetime, actor, action: str, to: str | None = None, **kw) -> None:
        before = self.state
        if to is not None:
            self.state = to
        _ev(self.ctx, self.pk, t, actor, action, before, self.state, **kw)
        self.last = max(self.last, t)

    def open(self, row: dict[str, Any]) -> dict[str, Any]:
        self.open_deadlines.append(row)
        return row

    def close_deadlines(
        self, kinds: set[str], t: datetime, how: str, assignment: int | None = None
    ) -> None:
        for d in self.open_deadlines:
            if d["kind"] in kinds and d.get("met_at") is None and d.get("superseded_at") is None:
                if assignment is None or d["assignment_id"] == assignment:
                    d[how] = t

    # --- the story --------------------------------------------------------------------
    def play(self) -> None:
        ctx, rng, t = self.ctx, self.ctx.rng, self.t0
        cast = ctx.cast
        agent = rng.choice(cast.agents)
        cat_pk, cat_code, domain = rng.choices(ctx.cats, ctx.cat_weights)[0]
        place = rng.choice(ctx.places)
        atype = rng.choices(*TYPES)[0]
        emergency = rng.random() < 0.01
        title = rng.choice(TITLES.get(cat_code, ["群众诉求"]))
        self.o.update(
            channel=rng.choices(*CHANNELS)[0],
            appeal_type=atype,
            category_id=cat_pk,
            domain=domain,
            title=title,
            content=f"{place.name}{title}，请尽快处理。",
            address=place.name,
            area_id=place.community,
            citizen_name="市民",
            citizen_phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
            display_mode="confidential" if rng.random() < 0.2 else "public",
            urgency="very_urgent" if emergency else rng.choices(["normal", "urgent"], [92, 8])[0],
            emergency_kind="a_utility_outage" if emergency else "",
            created_by_id=agent.pk,
        )
        if rng.random() < 0.04:
            reason = rng.choice(screening.NOT_ACCEPTED_REASONS.codes)
            line = "110" if reason == "d_emergency_line" else ""
            self.o.update(
                not_accepted_reason=reason, emergency_line=line, rejection_note="不予受理"
            )
            self.ev(
                t,
                agent,
                "recorded_rejected",
                "rejected",
                data={"reason": reason, "emergency_line": line},
            )
            return self.finish()
        self.o["accepted_at"] = t
        self.ev(t, agent, "create", "accepted", data={"channel": self.o["channel"]})
        self.open(_deadline(ctx, self.pk, "dispatch", t, dl.DISPATCH_WORKING_DAYS, clause="§6.2"))
        t += timedelta(minutes=rng.uniform(2, 10))
        if atype == "consult" and rng.random() < 0.12:
            if not self.ok(t):
                return self.finish()
            self.o.update(direct_answer="已当场解答。", closed_at=t)
            self.close_deadlines({"dispatch"}, t, "met_at")
            self.ev(t, agent, "direct_close", "closed", note="已当场解答。")
            return self.finish()
        if not self.ok(t):
            return self.finish()
        self.o["submitted_at"] = t
        self.ev(t, agent, "submit", "pending_review")
        t += timedelta(minutes=rng.uniform(5, 300))
        unit = self.route(cat_code, place.district)
        if rng.random() < 0.03:
            if not self.ok(t):
                return self.finish()
            self.dispatch(t, ctx.wrong, emergency)
            t += timedelta(hours=rng.uniform(0.5, 8))
            if not self.ok(t):
                return self.finish()
            self.end_assignments(t, "unit_return")
            self.close_deadlines({"sign", "feedback", "extension"}, t, "superseded_at")
            self.o["lead_unit_id"] = None
            self.ev(
                t,
                ctx.wrong.clerk,
                "unit_return",
                "pending_review",
                unit=ctx.wrong.pk,
                note="不属于本单位职责",
            )
            self.open(
                _deadline(ctx, self.pk, "dispatch", t, dl.DISPATCH_WORKING_DAYS, clause="§6.2")
            )
            t += timedelta(hours=rng.uniform(0.5, 4))
        if not self.ok(t):
            return self.finish()
        self.dispatch(t, unit, emergency)
        self.handle(t, unit, emergency)
        return self.finish()

    def route(self, cat_code: str, district: int) -> _Unit:
        units = self.ctx.units_for.get((cat_code, district)) or self.ctx.units_for.get(
            (cat_code, 0)
        )
        return self.ctx.rng.choice(units or self.ctx.fallback)

    def dispatch(
        self, t: datetime, unit: _Unit, emergency: bool, *, action: str = "dispatch"
    ) -> int:
        ctx = self.ctx
        if action == "dispatch":
            self.close_deadlines({"dispatch"}, t, "met_at")
        self.o.update(lead_unit_id=unit.pk, dispatched_at=t, signed_at=None)
        if action == "dispatch":
            self.ev(
                t,
                ctx.cast.reviewer,
                "dispatch",
                "dispatched",
                unit=unit.pk,
                note="请按时限办理",
                data={"lead_unit": unit.name, "co_units": []},
            )
        a = ctx.tables["orders_assignment"].add(
            order_id=self.pk,
            unit_id=unit.pk,
            role="lead",
            dispatched_at=t,
            dispatched_by_id=ctx.cast.reviewer.pk if action == "dispatch" else ctx.cast.callback.pk,
            note="请按时限办理",
        )
        self.assignment = a
        if emergency:
            self.open(
                _deadline(
                    ctx,
                    self.pk,
                    "sign",
                    t,
                    0,
                    hours=dl.DEFAULT_POLICY.emergency_sign_minutes / 60,
                    assignment=a,
                    clause="§6.4.4",
                )
            )
            self.open(_deadline(ctx, self.pk, "feedback", t, 0, hours=dl.EMERGENCY_FEEDBACK_HOURS))
        else:
            self.open(
                _deadline(
                    ctx,
                    self.pk,
                    "sign",
                    t,
                    dl.DEFAULT_POLICY.sign_working_days,
                    assignment=a,
                    clause="§6.3",
                )
            )
            self.open(_deadline(ctx, self.pk, "feedback", t, dl.FEEDBACK_WORKING_DAYS))
        return a

    def end_assignments(self, t: datetime, reason: str) -> None:
        for row in reversed(self.ctx.tables["orders_assignment"].rows):
            if row[1] != self.pk:
                break
            if row[8] is None:  # ended_at
                row[8], row[9] = t, reason

    def current(self, kinds: set[str]) -> dict[str, Any] | None:
        for d in reversed(self.open_deadlines):
            if d["kind"] in kinds and d.get("met_at") is None and d.get("superseded_at") is None:
                return d
        return None

    def handle(self, t: datetime, unit: _Unit, emergency: bool, *, again: bool = False) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        clerk = unit.clerk
        sign_d = self.current({"sign"})
        feedback = self.current({"feedback"})
        assert sign_d is not None and feedback is not None
        if emergency:
            t_sign = t + timedelta(minutes=rng.uniform(3, 40))
        elif rng.random() < 0.08:
            t_sign = sign_d["due_at"] + timedelta(hours=rng.uniform(1, 48))
        else:
            t_sign = t + (sign_d["due_at"] - t) * rng.uniform(0.02, 0.9)
        if not self.ok(t_sign):
            return
        t = t_sign
        self.o["signed_at"] = t
        for row in reversed(ctx.tables["orders_assignment"].rows):
            if row[0] == self.assignment:
                row[6], row[7] = t, clerk.pk if clerk else None
                break
        self.close_deadlines({"sign"}, t, "met_at", assignment=self.assignment)
        self.ev(t, clerk, "sign", "handling", unit=unit.pk)
        roll = rng.random()
        if not emergency and not again and roll < 0.05:
            t += timedelta(days=rng.uniform(0.5, 3))
            if not self.ok(t):
                return
            days = rng.choice([2, 3, 5])
            req = ctx.tables["orders_extensionrequest"].add(
                order_id=self.pk,
                unit_id=unit.pk,
                days=days,
                reason="需联合勘查",
                requested_by_id=clerk.pk if clerk else None,
                requested_at=t,
            )
            self.ev(
                t,
                clerk,
                "request_extension",
                "extension_requested",
                unit=unit.pk,
                note="需联合勘查",
                data={"days": days, "request": req},
            )
            t += timedelta(hours=rng.uniform(1, 8))
            if not self.ok(t):
                return
            approve = rng.random() < 0.88
            row = ctx.tables["orders_extensionrequest"].rows[-1]
            ix = ctx.tables["orders_extensionrequest"].index
            row[ix["decision"]] = "approved" if approve else "denied"
            row[ix["decided_by_id"]], row[ix["decided_at"]] = ctx.cast.reviewer.pk, t
            data: dict[str, Any] = {"days": days, "request": req}
            if approve:
                cur = self.current({"feedback", "extension"})
                base = cur["due_at"] if cur else t
                self.close_deadlines({"feedback", "extension"}, t, "superseded_at")
                new = self.open(
                    _deadline(ctx, self.pk, "extension", base, days, clause="§6.4.1", created=t)
                )
                data["new_due"] = new["due_at"].isoformat()
            self.ev(
                t,
                ctx.cast.reviewer,
                "approve_extension" if approve else "deny_extension",
                "handling",
                data=data,
                note="同意" if approve else "理由不充分",
            )
        elif not emergency and not again and roll < 0.065:
            t += timedelta(days=rng.uniform(0.5, 2))
            if not self.ok(t):
                return
            tab = ctx.tables["orders_suspensionrequest"]
            req = tab.add(
                order_id=self.pk,
                unit_id=unit.pk,
                days=60,
                reason="行政处罚法定程序",
                requested_by_id=clerk.pk if clerk else None,
                requested_at=t,
            )
            self.ev(
                t,
                clerk,
                "request_suspension",
                "suspension_requested",
                unit=unit.pk,
                data={"days": 60, "request": req},
            )
            t += timedelta(hours=rng.uniform(1, 6))
            if not self.ok(t):
                return
            row, ix = tab.rows[-1], tab.index
            row[ix["decision"]], row[ix["decided_by_id"]], row[ix["decided_at"]] = (
                "approved",
                ctx.cast.reviewer.pk,
                t,
            )
            row[ix["working_days_left"]] = 3
            self.close_deadlines({"feedback", "extension"}, t, "superseded_at")
            self.open(_deadline(ctx, self.pk, "hang_up", t, 0, natural_days=60, clause="§6.4.1"))
            self.ev(
                t,
                ctx.cast.reviewer,
                "approve_suspension",
                "suspended",
                data={"days": 60, "request": req, "working_days_left": 3},
            )
            t += timedelta(days=rng.uniform(5, 55))
            if not self.ok(t):
                return
            row[ix["resumed_at"]] = t
            self.close_deadlines({"hang_up"}, t, "met_at")
            self.open(_deadline(ctx, self.pk, "feedback", t, 3, clause="§6.4.1"))
            self.ev(t, clerk, "resume", "handling", unit=unit.pk, data={"working_days_left": 3})
        due_d = self.current({"feedback", "extension"})
        assert due_d is not None
        late = rng.random() > unit.punctual
        if late:
            t_reply = due_d["due_at"] + timedelta(hours=rng.uniform(2, 120))
            tr = due_d["due_at"] + timedelta(hours=2)
            unanswered = 0
            for _ in range(2):
                if not self.ok(tr) or tr >= t_reply:
                    break
                unanswered += 1
                rem = ctx.tables["supervision_reminder"].add(
                    order_id=self.pk,
                    unit_id=unit.pk,
                    by_id=ctx.cast.supervisor.pk,
                    at=tr,
                    contact_name="办理人员",
                    result="电话已通知",
                    answered=False,
                )
                self.o["reminder_count"] += 1
                self.ev(
                    tr,
                    ctx.cast.supervisor,
                    "remind",
                    None,
                    unit=unit.pk,
                    note="电话已通知",
                    data={"reminder": rem, "answered": False, "unanswered": unanswered},
                )
                if unanswered >= 2 and self.o.get("supervised_at") is None:
                    self.o["supervised_at"] = tr
                    self.ev(
                        tr,
                        ctx.cast.supervisor,
                        "enter_supervision",
                        None,
                        unit=unit.pk,
                        note="电话催办2次仍未回复处理结果，转入督办（§6.5）",
                    )
                tr += timedelta(hours=rng.uniform(4, 20))
        else:
            t_reply = t + max(timedelta(minutes=5), (due_d["due_at"] - t) * rng.uniform(0.05, 0.97))
        if not self.ok(t_reply):
            return
        t = t_reply
        reply = ctx.tables["orders_reply"].add(
            order_id=self.pk,
            unit_id=unit.pk,
            kind="reply",
            replied_by_id=clerk.pk if clerk else None,
            replied_at=t,
            public_note="您反映的问题已处理。",
            **REPLY_TEXT,
        )
        self.close_deadlines({"feedback", "extension"}, t, "met_at")
        self.o["replied_at"] = t
        self.ev(t, clerk, "reply", "replied", unit=unit.pk, data={"reply": reply, "kind": "reply"})
        t += timedelta(hours=rng.uniform(0.5, 10))
        if not self.ok(t):
            return
        tab = ctx.tables["orders_reply"]
        row, ix = tab.rows[-1], tab.index
        row[ix["verdict"]], row[ix["verdict_by_id"]], row[ix["verdict_at"]] = (
            "accepted",
            ctx.cast.callback.pk,
            t,
        )
        self.o["reply_accepted_at"] = t
        self.ev(t, ctx.cast.callback, "accept_reply", "pending_callback")
        self.open(
            _deadline(
                ctx, self.pk, "callback", t, dl.DEFAULT_POLICY.callback_working_days, clause="§6.8"
            )
        )
        t += timedelta(hours=rng.uniform(1, 40))
        if not self.ok(t):
            return
        if rng.random() < 0.06:
            cb = ctx.tables["orders_callback"].add(
                order_id=self.pk,
                method="phone",
                mode="manual",
                outcome="unreachable",
                note="无人接听",
                by_id=ctx.cast.callback.pk,
                at=t,
            )
            self.ev(
                t,
                ctx.cast.callback,
                "record_callback",
                None,
                data={
                    "callback": cb,
                    "outcome": "unreachable",
                    "satisfaction": "",
                    "resolution": "",
                },
            )
            t += timedelta(hours=rng.uniform(2, 10))
            if not self.ok(t):
                return
        weights = list(SATISFACTION[1])
        weights[0] *= unit.quality
        weights[2] /= unit.quality
        sat = rng.choices(SATISFACTION[0], weights)[0]
        res = "resolved" if sat != "unsatisfied" or rng.random() < 0.3 else "unresolved"
        cb = ctx.tables["orders_callback"].add(
            order_id=self.pk,
            method=rng.choice(["phone", "phone", "sms", "wechat"]),
            mode="manual",
            outcome="reached",
            satisfaction=sat,
            resolution=res,
            note="服务对象进行了评价",
            by_id=ctx.cast.callback.pk,
            at=t,
        )
        self.close_deadlines({"callback"}, t, "met_at")
        self.ev(
            t,
            ctx.cast.callback,
            "record_callback",
            None,
            data={"callback": cb, "outcome": "reached", "satisfaction": sat, "resolution": res},
        )
        t += timedelta(minutes=rng.uniform(1, 30))
        if not self.ok(t):
            return
        if sat == "unsatisfied" and res == "unresolved" and not again and rng.random() < 0.5:
            self.end_assignments(t, "completed")
            self.close_deadlines({"callback"}, t, "superseded_at")
            self.o.update(reopen_count=1, replied_at=None, reply_accepted_at=None, closed_at=None)
            self.ev(
                t,
                ctx.cast.callback,
                "reopen",
                "dispatched",
                unit=unit.pk,
                note="服务对象不满意，退回重办",
                data={"units": [unit.name]},
            )
            self.dispatch(t, unit, emergency, action="reopen")
            return self.handle(t, unit, emergency, again=True)
        self.o["closed_at"] = t
        self.end_assignments(t, "completed")
        self.close_deadlines({"callback"}, t, "met_at")
        self.ev(t, ctx.cast.callback, "close", "closed")

    def finish(self) -> None:
        self.o["state"] = self.state
        self.o["updated_at"] = self.last
        self.ctx.tables["orders_workorder"].add(**self.o)
        for d in self.open_deadlines:
            _flush_deadline(self.ctx, d)


# ---------------------------------------------------------------------------
# writing


def _sqlite_rows(table: _Table) -> list[list[Any]]:
    """Datetimes as Django's SQLite backend stores them: naive UTC, ``str()``."""
    cols = table.datetime_columns
    for row in table.rows:
        for i in cols:
            v = row[i]
            if v is not None:
                if v.tzinfo is not UTC:
                    v = v.astimezone(UTC)
                row[i] = str(v.replace(tzinfo=None))
    return table.rows


def _write(table: _Table) -> None:
    if not table.rows:
        return
    cols = ", ".join(f'"{c}"' for c in table.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
                for row in table.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["?"] * len(table.columns))
            cursor.cursor.executemany(
                f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', _sqlite_rows(table)
            )
    table.rows.clear()


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in MODELS:
            t = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{t}"), 1))'
            )


BULK_INDEX_THRESHOLD = 100_000


class _BulkLoad:
    """PostgreSQL, large loads: the secondary indexes of the written tables are dropped
    before and rebuilt after (one sort per index instead of millions of insertions, the
    bigram GIN index included), and the foreign-key triggers are skipped while the
    generator's own rows go in (``session_replication_role = replica``, superusers only —
    the rows reference only units, users, areas and categories read from the database).
    Indexes come back even when the load fails."""

    def __init__(self, orders: int) -> None:
        self.active = connection.vendor == "postgresql" and orders >= BULK_INDEX_THRESHOLD
        self.indexes: list[tuple[str, str]] = []
        self.replica = False

    def __enter__(self) -> _BulkLoad:
        if not self.active:
            return self
        tables = [m._meta.db_table for m in MODELS]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "JOIN pg_class c ON c.relname = i.indexname "
                "JOIN pg_index x ON x.indexrelid = c.oid "
                "WHERE i.tablename = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary",
                [tables],
            )
            self.indexes = list(cursor.fetchall())
            for name, _ in self.indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute("SET session_replication_role = replica")
                self.replica = True
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.active:
            return
        with connection.cursor() as cursor:
            if self.replica:
                cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(
                "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
                [[m._meta.db_table for m in MODELS]],
            )
            size = dict(cursor.fetchall())
        # the biggest tables' indexes first: the two builders end at about the same time
        ordered = sorted(self.indexes, key=lambda ix: -size.get(_table_of(ix[1]), 0))
        _build_indexes([definition for _, definition in ordered])


INDEX_BUILDERS = 2


def _table_of(definition: str) -> str:
    """``CREATE INDEX … ON public.orders_event USING …`` → ``orders_event``."""
    return definition.split(" ON ", 1)[1].split()[0].split(".")[-1].strip('"')


def _build_indexes(definitions: list[str]) -> None:
    _run_parallel(
        [(d, []) for d in definitions], setup=["SET maintenance_work_mem = '1GB'"], atomic=False
    )


def _run_parallel(
    statements: list[tuple[str, list[Any]]], *, setup: list[str], atomic: bool
) -> None:
    """Run the statements on ``INDEX_BUILDERS`` connections at once, each taking the next
    one when free (each statement is one database process's work: two cores run two at a
    time), each connection's work in one transaction when ``atomic``.  The first failure
    is raised after every connection stopped."""
    pending = list(statements)
    lock = threading.Lock()
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with transaction.atomic() if atomic else nullcontext(), connection.cursor() as cursor:
                for sql in setup:
                    cursor.execute(sql)
                while True:
                    with lock:
                        if not pending or failures:
                            break
                        sql, params = pending.pop(0)
                    cursor.execute(sql, params)
                with lock:
                    if failures and atomic:
                        transaction.set_rollback(True)
        except BaseException as exc:  # handed to the caller below
            with lock:
                failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(INDEX_BUILDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


def _analyze() -> None:
    """Fresh planner statistics after a bulk load: without them SQLite guesses which index
    answers the analytics' queries, and PostgreSQL's autovacuum may not have run yet."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in MODELS:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        else:
            cursor.execute("ANALYZE")


def _context(now: datetime, rng: random.Random) -> _Ctx:
    units = list(Unit.objects.filter(active=True).exclude(kind__in=["centre", "government"]))
    if not units:
        raise RuntimeError("没有承办单位：请先运行 hotline demo 建立演示单位")
    clerks = {u.unit_id: u for u in User.objects.filter(role="unit", is_active=True).order_by("id")}

    def staff(role: str) -> User:
        u = User.objects.filter(role=role, is_active=True).order_by("id").first()
        if u is None:
            raise RuntimeError(f"没有{role}角色的用户：请先运行 hotline demo")
        return u

    cast = _Cast(
        agents=list(User.objects.filter(role="agent", is_active=True)[:4]) or [staff("agent")],
        reviewer=staff("reviewer"),
        supervisor=staff("supervisor"),
        callback=staff("callback"),
        clerks=clerks,
    )
    urng = random.Random(7)
    handling = {
        u.pk: _Unit(u.pk, u.name, urng.uniform(0.7, 0.97), urng.uniform(0.6, 1.6), clerks.get(u.pk))
        for u in units
    }
    districts = {a.pk: a for a in Area.objects.filter(level="district")}
    district_of_path = {a.path: a.pk for a in districts.values()}
    places = []
    for a in Area.objects.filter(level="community"):
        parts = a.path.strip("/").split("/")
        d = district_of_path.get("/" + "/".join(parts[:2]) + "/", 0)
        places.append(_Place(a.pk, d, a.name))
    if not places:
        places = [_Place(a.pk, 0, a.name) for a in Area.objects.all()] or [_Place(None, 0, "")]  # type: ignore[arg-type]
    units_for: dict[tuple[str, int], list[_Unit]] = defaultdict(list)
    area_district: dict[int, int] = {}
    for a in Area.objects.all():
        parts = a.path.strip("/").split("/")
        area_district[a.pk] = district_of_path.get("/" + "/".join(parts[:2]) + "/", 0)
    for u in units:
        ds = {area_district.get(a.pk, 0) for a in u.areas.all()} or {0}
        for c in u.categories.all():
            for d in ds:
                units_for[(c.code, d)].append(handling[u.pk])
    cats = [
        (c.pk, c.code, c.domain) for c in Category.objects.filter(active=True, parent__isnull=False)
    ]
    if not cats:
        cats = [(c.pk, c.code, c.domain) for c in Category.objects.filter(active=True)]
    crng = random.Random(11)
    weights = [crng.paretovariate(1.2) for _ in cats]
    wrong = next((handling[u.pk] for u in units if u.code == "city-zwfw"), handling[units[0].pk])
    return _Ctx(
        now=now,
        rng=rng,
        cast=cast,
        cats=cats,
        cat_weights=weights,
        units_for=units_for,
        fallback=list(handling.values()),
        wrong=wrong,
        places=places,
        due=_DueCache(),
    )


def _day_weights(days: list[date]) -> list[float]:
    from hotline.calendars.services import working_calendar as wc

    cal = wc()
    out = []
    for i, d in enumerate(days):
        try:
            w = 1.0 if cal.is_working_day(d) else 0.7
        except Exception:
            w = 1.0 if d.weekday() < 5 else 0.7
        out.append(w * (0.85 + 0.3 * i / max(1, len(days))))  # a slowly growing city
    return out


# Copies (PostgreSQL): every story played in Python is also written ``copies - 1`` more
# times by ``INSERT … SELECT`` in the database — each copy with its own ids, number and
# phone, all its instants ``CLONE_STEP`` seconds earlier per copy.  The Python story costs
# ~0.3 ms an order; a copy costs the database a few microseconds a row.  Days from
# ``LIVE_DAYS`` ago on are always played order by order (their orders are still moving).
CLONE_STEP = 60
LIVE_DAYS = 2
# events whose ``data`` names a row of another generated table, by key
_EVENT_REFS = {
    "reply": "orders_reply",
    "callback": "orders_callback",
    "reminder": "supervision_reminder",
}


def default_copies(orders: int) -> int:
    """One Python story per ~500,000 orders at most: a big history is built from at most
    ~500 k distinct stories (20 copies each at 10 M), a small one has no copies."""
    return max(1, min(20, -(-orders // 500_000)))


def generate(
    orders: int,
    *,
    days: int = 730,
    seed: int = 2024,
    now: datetime | None = None,
    batch: int = 20000,
    copies: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``orders`` orders spread over the ``days`` days before ``now``.  Returns how
    many were written.  ``copies`` (PostgreSQL only; default ``default_copies``): how many
    orders each older story is written as."""
    now = (now or clock.now()).astimezone(UTC)
    if copies is None:
        copies = default_copies(orders)
    if connection.vendor != "postgresql" or copies < 1:
        copies = 1
    rng = random.Random(seed)
    ctx = _context(now, rng)
    ctx.tables = {m._meta.db_table: _Table(m) for m in MODELS}
    today = now.astimezone(SHANGHAI).date()
    day_list = [today - timedelta(days=days - 1 - i) for i in range(days)]
    weights = _day_weights(day_list)
    total_w = sum(weights)
    counts = [int(orders * w / total_w) for w in weights]
    for i in rng.sample(range(days), orders - sum(counts)):
        counts[i] += 1
    if len(day_list) <= LIVE_DAYS:
        copies = 1
    if copies > 1:
        _round_to_copies(counts, copies, len(day_list) - LIVE_DAYS)
    hour_cum: list[float] = []
    acc = 0.0
    for w in HOURS:
        acc += w
        hour_cum.append(acc)
    seqs = dict(OrderSequence.objects.filter(day__in=day_list).values_list("day", "last"))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB: index pages stay hot
    plan = _Plan(day_list, counts, seqs, hour_cum, acc, today, batch, copies, progress)
    with _BulkLoad(orders):
        written = _generate_days(ctx, plan)
    _reset_sequences()
    _analyze()
    if progress:
        progress(written)
    return written


def _round_to_copies(counts: list[int], copies: int, older: int) -> None:
    """Each of the first ``older`` days gets a multiple of ``copies`` orders (the rounding
    error carried to the next day, so the total stays); what is left goes to the live
    days at the end."""
    carry = 0.0
    moved = 0
    for i in range(older):
        want = counts[i] + carry
        got = copies * round(want / copies)
        carry = want - got
        moved += counts[i] - got
        counts[i] = got
    live = len(counts) - older
    for k in range(live):
        counts[older + k] += moved // live + (1 if k < moved % live else 0)
    if any(c < 0 for c in counts):  # tiny histories: no room to round
        raise ValueError("too few orders for this many copies")


@dataclass
class _Plan:
    day_list: list[date]
    counts: list[int]
    seqs: dict[date, int]
    hour_cum: list[float]
    acc: float
    today: date
    batch: int
    copies: int
    progress: Callable[[int], None] | None


def _generate_days(ctx: _Ctx, plan: _Plan) -> int:
    copier = _Copier()
    try:
        written = _play_days(ctx, plan, copier)
    except BaseException:
        copier.join()  # copies still running end before the indexes come back (_BulkLoad)
        raise
    copier.wait()
    return written


def _play_days(ctx: _Ctx, plan: _Plan, copier: _Copier) -> int:
    rng, now = ctx.rng, ctx.now
    order_table = ctx.tables["orders_workorder"]
    touched: set[date] = set()
    written = pending = 0
    live_from = len(plan.day_list) - LIVE_DAYS
    starts = {name: t.next_id for name, t in ctx.tables.items()}
    for i, (day, n) in enumerate(zip(plan.day_list, plan.counts, strict=True)):
        copies = plan.copies if i < live_from else 1
        if i == live_from and pending:  # copies never mix with the live days' stories
            _flush(ctx, plan.seqs, touched, starts, plan.copies, copier)
            pending = 0
        if n == 0:
            continue
        start = datetime.combine(day, time(0), tzinfo=SHANGHAI)
        # a copy is up to (copies-1) steps earlier than its story: stories start late
        # enough that their copies stay on the same day
        room = CLONE_STEP * (copies - 1)
        stamps = sorted(
            start
            + timedelta(
                seconds=max(
                    room,
                    3600 * bisect(plan.hour_cum, rng.random() * plan.acc) + rng.randint(0, 3599),
                )
            )
            for _ in range(n // copies)
        )
        if day == plan.today:
            # today only has the hours up to now: squeeze the day's profile into them, so
            # the requested number of orders is written whatever the time of day
            elapsed = now - start
            stamps = [start + (s - start) * (elapsed / timedelta(days=1)) for s in stamps]
        base = plan.seqs.get(day, 0)
        if base + n > 999_999:
            raise ValueError(f"{day}: more than 999,999 orders in one day")
        for k, t0 in enumerate(stamps):
            pk = order_table.next_id
            order_table.next_id += 1
            number = f"{day:%Y%m%d}{base + k * copies + 1:06d}"
            _Order(ctx, pk, number, t0.astimezone(UTC)).play()
        plan.seqs[day] = base + n
        touched.add(day)
        written += n
        pending += n
        if pending >= plan.batch:
            _flush(ctx, plan.seqs, touched, starts, copies, copier)
            pending = 0
            if plan.progress:
                plan.progress(written)
    _flush(ctx, plan.seqs, touched, starts, 1, copier)
    return written


def _flush(
    ctx: _Ctx,
    seqs: dict[date, int],
    touched: set[date],
    starts: dict[str, int],
    copies: int,
    copier: _Copier,
) -> None:
    with transaction.atomic():
        for m in MODELS:
            _write(ctx.tables[m._meta.db_table])
        for day in sorted(touched):
            OrderSequence.objects.update_or_create(day=day, defaults={"last": seqs[day]})
    if copies > 1:  # after the commit: the copying connections must see the stories
        copier.submit(_copy_statements(ctx, starts, copies))
    touched.clear()
    starts.update({name: t.next_id for name, t in ctx.tables.items()})


class _Copier:
    """Runs one batch's copies (``_run_copies``) on their own connections while this
    thread plays the next batch: playing keeps one core busy and copying two, so without
    the overlap a core idles for a third of the load.  One batch's copies at a time (the
    next waits for them); a copy's failure is raised by the next ``submit`` or ``wait``.
    Inside the caller's transaction the copies run at once, on its connection."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None

    def submit(self, statements: list[tuple[str, tuple[str, list[Any]]]]) -> None:
        if connection.in_atomic_block:
            # the caller's transaction holds the stories: only its connection sees them
            with connection.cursor() as cursor:
                for _, (sql, params) in statements:
                    cursor.execute(sql, params)
            return
        self.wait()
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            role = cursor.fetchone()[0]

        def run() -> None:
            try:
                _run_copies(statements, role)
            except BaseException as exc:  # raised on the playing thread by wait()
                self.failure = exc

        self.thread = threading.Thread(target=run)
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def wait(self) -> None:
        self.join()
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure


def _copy_statements(
    ctx: _Ctx, starts: dict[str, int], copies: int
) -> list[tuple[str, tuple[str, list[Any]]]]:
    """The batch just committed (ids ``starts[t]`` … ``next_id - 1`` of each table t)
    again ``copies - 1`` times, one statement per table (ids reserved here, before the
    next batch is played): copy j takes ids shifted by j × the batch's span, the number j
    after its story's (numbers were handed out with gaps for it), a phone of its own, and
    every instant j × ``CLONE_STEP`` seconds earlier — earlier, so no copy has a step
    after ``now`` — and its story's search bigrams (the same text: not computed again)."""
    span = {name: t.next_id - starts[name] for name, t in ctx.tables.items()}
    statements = []
    for name, table in sorted(ctx.tables.items(), key=lambda kv: -span[kv[0]]):
        if not span[name]:
            continue
        lo, hi = starts[name], table.next_id
        columns = table.columns
        if name == fulltext.TABLE:  # copies are PostgreSQL-only: the column is there
            columns = [*columns, fulltext.COLUMN]
        exprs = ", ".join(_copied(table, c, span, name) for c in columns)
        cols = ", ".join(f'"{c}"' for c in columns)
        statements.append(
            (
                name,
                (
                    f'INSERT INTO "{name}" ({cols}) SELECT {exprs} FROM "{name}" '
                    "CROSS JOIN generate_series(1, %s) AS copy_j WHERE id >= %s AND id < %s "
                    "ORDER BY copy_j, id",
                    [copies - 1, lo, hi],
                ),
            )
        )
        table.next_id = hi + (copies - 1) * span[name]
    return statements


def _run_copies(statements: list[tuple[str, tuple[str, list[Any]]]], role: str) -> None:
    """The copies on two connections, each connection's tables in one transaction: a load
    that fails here stops with the error and leaves an incomplete history (some copies
    written, others not) — build it again on a fresh database."""
    if role != "origin":
        # the load switched the foreign-key triggers off (_BulkLoad; superusers only): off
        # on the copying connections too, and every table at once
        _run_parallel(
            [st for _, st in statements],
            setup=[f"SET session_replication_role = {role}"],
            atomic=True,
        )
        return
    # with the triggers on, a copy may only point at copies already committed: the orders
    # first, then what points at them, then the deadlines (which point at assignments)
    for wave in (["orders_workorder"], None, ["orders_deadline"]):
        _run_parallel(
            [
                st
                for name, st in statements
                if (name in wave if wave else name not in {"orders_workorder", "orders_deadline"})
            ],
            setup=[],
            atomic=True,
        )


def _copied(table: _Table, col: str, span: dict[str, int], name: str) -> str:
    """The SQL expression for column ``col`` of copy ``copy_j``."""
    shift = f"copy_j * interval '{CLONE_STEP} seconds'"
    if col == fulltext.COLUMN:  # the same text, the same bigrams
        return f'"{col}"'
    if col == "id":
        return f"id + copy_j * {span[name]}"
    if col == "order_id":
        return f"order_id + copy_j * {span['orders_workorder']}"
    if col == "assignment_id":
        return f"assignment_id + copy_j * {span['orders_assignment']}"
    if table.index[col] in table.datetime_columns:
        return f'"{col}" - {shift}'
    if name == "orders_workorder" and col == "number":
        return "left(number, 8) || lpad((substr(number, 9)::int + copy_j)::text, 6, '0')"
    if name == "orders_workorder" and col == "citizen_phone":
        return (
            "left(citizen_phone, 2) || lpad(((substr(citizen_phone, 3)::bigint"
            " + copy_j * 7919) %% 1000000000)::text, 9, '0')"
        )
    if name == "orders_event" and col == "data":
        cases = [
            f"WHEN data ? '{key}' THEN jsonb_set(data, '{{{key}}}', "
            f"to_jsonb((data->>'{key}')::bigint + copy_j * {span[target]}))"
            for key, target in _EVENT_REFS.items()
        ]
        request = (
            "jsonb_set(data, '{request}', to_jsonb((data->>'request')::bigint + copy_j * "
            f"CASE WHEN action LIKE '%%suspension' THEN {span['orders_suspensionrequest']}"
            f" ELSE {span['orders_extensionrequest']} END))"
        )
        new_due = (
            f"jsonb_set({request}, '{{new_due}}', to_jsonb(to_char("
            f"((data->>'new_due')::timestamptz - {shift}) AT TIME ZONE 'UTC', "
            '\'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\')))'
        )
        cases.append(f"WHEN data ? 'new_due' THEN {new_due}")
        cases.append(f"WHEN data ? 'request' THEN {request}")
        return f"CASE {' '.join(cases)} ELSE data END"
    return f'"{col}"'
