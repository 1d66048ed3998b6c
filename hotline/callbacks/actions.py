"""Every change the smart callback makes (§6.8.2), one function each, on the orders'
plumbing: the order row is locked first, the answer becomes a ``Callback`` through
``orders.actions.do_record_callback`` and a satisfied, resolved order closes through
``orders.actions.do_close`` — the same single path a callback agent's record takes.

* ``plan_callback`` — an order reached 待回访: the policy picks a person or a survey; a
  survey is queued in the outbox in the same transaction (called by ``hooks``).
* ``notify_citizen`` — the SMS at acceptance, at the unit's reply, at closing (``hooks``).
* ``receive_sms`` — one delivery from the SMS provider: an answer, a late answer, an
  opt-out or an unmatched reply.  Idempotent on the provider's message id.
* ``do_answer_survey`` — the one-time survey page; ``do_rate_order`` — the citizen's own
  rating on the tracking page.
* ``expire_surveys`` — the worker's periodic check: no answer in time → a callback agent.
* ``do_opt_out``, ``do_mark_handled`` — the citizen's "no more SMS"; the desk's "read it".
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from hotline.callbacks import notify, queries
from hotline.callbacks.models import InboundSms, SmsOptOut, Survey, TrackingLink
from hotline.orders import actions as act
from hotline.orders.actions.base import lock_order, record_event, resolve_now
from hotline.orders.errors import Conflict, NotFound, ValidationFailed
from hotline.orders.models import Event, WorkOrder
from hotline.org.models import User
from hotline.rules import callback as rules
from hotline.rules import taxonomy
from hotline.supervision import outbox
from hotline.supervision.models import Message

log = logging.getLogger(__name__)

SYSTEM = None  # the smart callback acts as the system (lifecycle role ``system``)


def _token(nbytes: int) -> str:
    return secrets.token_urlsafe(nbytes)


def _create_unique(model, retries: int = 5, **fields):
    """Insert a row whose random ``token`` (or reply ``code``) must be unique; on the rare
    collision draw again (in a savepoint, so the caller's action goes on)."""
    for attempt in range(retries):
        try:
            with transaction.atomic():
                return model.objects.create(
                    **{k: v() if callable(v) else v for k, v in fields.items()}
                )
        except IntegrityError:
            if attempt == retries - 1:
                raise
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------
# planning and sending


def plan_callback(order: WorkOrder, now: datetime) -> Survey | None:
    """§6.8.2: an order has just reached 待回访.  The policy picks a person or a survey; the
    choice goes on the timeline, and a survey is queued in the outbox — all inside the
    transaction of the action that moved the order."""
    if not notify.conf("smart_callback"):
        return None
    choice = rules.choose(queries.case_for(order), queries.policy_rows())
    data = {"method": choice.method, "mode": choice.mode, "rule": choice.row.label}
    if not choice.smart:
        record_event(
            order,
            SYSTEM,
            "callback_planned",
            now,
            from_state=order.state,
            note=f"{taxonomy.CALLBACK_MODES.label(choice.mode)}"
            f"{taxonomy.CALLBACK_METHODS.label(choice.method)}回访：{choice.row.label}",
            data=data,
        )
        return None
    to = queries.sms_address(order) if choice.method == "sms" else queries.wechat_address(order)
    survey = _create_unique(
        Survey,
        order=order,
        method=choice.method,
        to=to,
        code=(lambda: _free_code(to)) if choice.method == "sms" else "",
        token=lambda: _token(8),
        rule=choice.row.label,
        created_at=now,
        due_at=rules.survey_due(now, notify.conf("survey_hours")),
    )
    url = notify.public_link(f"/portal/s/{survey.token}/")
    if choice.method == "sms":
        body = notify.survey_text(order.number, url)
    else:
        body = notify.wechat_survey_text(order.number, url)
    outbox.add(
        [notify.citizen_draft(survey.message_key, "survey", choice.method, to, order, body)], now
    )
    record_event(
        order,
        SYSTEM,
        "callback_planned",
        now,
        from_state=order.state,
        note=f"已发送{taxonomy.CALLBACK_METHODS.label(choice.method)}评价（{choice.row.label}），"
        f"{notify.conf('survey_hours')}小时内未答复转人工回访",
        data={**data, "survey": survey.pk, "code": survey.code},
    )
    return survey


def _free_code(phone: str) -> str:
    """A 4-digit reply code (the provider's extension code) no other waiting survey of this
    phone uses, so a reply's (phone, code) names one survey."""
    taken = set(
        Survey.objects.filter(to=phone, state="waiting", method="sms").values_list(
            "code", flat=True
        )
    )
    for _ in range(100):
        code = f"{secrets.randbelow(10_000):04d}"
        if code not in taken:
            return code
    return secrets.choice([c for c in (f"{n:04d}" for n in range(10_000)) if c not in taken])


def tracking_url(order: WorkOrder, now: datetime) -> str:
    """The order's tracking link, made (or renewed when expired) on first use."""
    if not notify.conf("public_url"):
        return ""
    link = TrackingLink.objects.filter(order=order).first()
    expires = now + timedelta(days=notify.conf("tracking_link_days"))
    if link is not None and link.expires_at <= now:
        link.delete()  # a fresh token for a renewed link
        link = None
    if link is None:
        link = _create_unique(
            TrackingLink, order=order, token=lambda: _token(6), created_at=now, expires_at=expires
        )
    return notify.public_link(f"/portal/t/{link.token}/")


NOTIFY_ON = {
    "create": "accepted",
    "accept": "accepted",
    "reply": "replied",
    "no_further_handling": "replied",
    "close": "closed",
    "direct_close": "closed",
}


def notify_citizen(action: str, order: WorkOrder, event: Event) -> str | None:
    """The citizen's SMS for ``event`` (acceptance, the unit's reply, closing), queued in
    the event's transaction; keyed by the event, so it is queued once.  Nothing for a
    landline, a citizen who opted out, or when notifications are off."""
    kind = NOTIFY_ON.get(action)
    if kind is None or not notify.conf("notify_citizens"):
        return None
    to = queries.sms_address(order)
    if not to:
        return None
    if kind == "accepted":
        body = notify.accepted_text(order.number, tracking_url(order, event.at))
    elif kind == "replied":
        body = notify.replied_text(order.number, tracking_url(order, event.at))
    else:
        body = notify.closed_text(order.number)
    key = f"notify:{event.pk}:sms:{to}"
    outbox.add([notify.citizen_draft(key, kind, "sms", to, order, body)], event.at)
    return key


def cancel_surveys(order: WorkOrder, now: datetime) -> int:
    """A person called back, the citizen rated the order, or the order moved on: waiting
    surveys end (the timeline says why; a reply that comes later is kept as late)."""
    return Survey.objects.filter(order=order, state="waiting").update(
        state="cancelled", finished_at=now
    )


# ---------------------------------------------------------------------------
# answers


@dataclass
class Applied:
    """What one answer did: ``outcome`` is an ``INBOUND_OUTCOMES`` code."""

    outcome: str
    survey: Survey | None = None
    note: str = ""


def _to_person(
    order: WorkOrder, survey: Survey | None, reason: str, now: datetime, note: str = ""
) -> None:
    """The order needs a callback agent: the survey ends, the timeline says why, the desk
    gets an in-system notice."""
    label = rules.ESCALATION_REASONS.label(reason)
    if survey is not None:
        survey.state, survey.reason, survey.finished_at = "to_person", reason, now
        survey.save(update_fields=["state", "reason", "finished_at"])
    event = record_event(
        order,
        SYSTEM,
        "callback_to_person",
        now,
        from_state=order.state,
        note=f"{label}{'：' + note if note else ''}，转回访员人工回访",
        data={"reason": reason, "survey": survey.pk if survey else None},
    )
    outbox.add([notify.to_person_draft(f"to_person:{event.pk}", order, label)], now)


def _apply(
    survey: Survey | None,
    order: WorkOrder,
    *,
    satisfaction: str,
    resolution: str,
    understood: bool,
    source: str,
    raw: str,
    comment: str = "",
    final: bool = False,
    now: datetime,
) -> Applied:
    """Record an answer and act on it (``rules.callback.VERDICTS``).  The caller holds the
    order's row lock and has checked that the survey (if any) is still waiting.  ``final``:
    no more asking (the time is up)."""
    if not understood:
        _to_person(order, survey, "unparsable", now, f"“{raw[:40]}”")
        return Applied("answered", survey, "回复无法识别，转人工")
    if survey is not None:
        satisfaction = satisfaction or survey.satisfaction
        resolution = resolution or survey.resolution
    v = rules.verdict(satisfaction, resolution, source)
    method = survey.method if survey is not None else "other"
    if v.decision == rules.ASK_AGAIN and survey is not None and not final:
        if rules.may_ask_again(survey.followups, notify.conf("max_followups")):
            survey.satisfaction, survey.resolution = satisfaction, resolution
            survey.followups += 1
            survey.save(update_fields=["satisfaction", "resolution", "followups"])
            missing = "resolution" if satisfaction else "satisfaction"
            outbox.add(
                [
                    notify.citizen_draft(
                        survey.followup_key(survey.followups),
                        "survey_followup",
                        survey.method,
                        survey.to,
                        order,
                        notify.followup_text(missing),
                    )
                ],
                now,
            )
            return Applied("followed_up", survey, "只答了一半，已追问")
    heard = {
        "sms": f"短信回复“{raw[:60]}”",
        "link": "评价页面",
        "self_rating": "进度查询页自评",
    }[source]
    callback = act.do_record_callback(
        order,
        SYSTEM,
        method=method,
        mode="smart",
        outcome="reached",
        satisfaction=satisfaction,
        resolution=resolution,
        note=f"智能回访（{heard}）" + (f"：{comment.strip()[:500]}" if comment.strip() else ""),
        raw_reply=raw,
        now=now,
    )
    if survey is not None:
        survey.satisfaction, survey.resolution = satisfaction, resolution
        survey.comment, survey.source = comment.strip()[:2000], source
        survey.callback, survey.answered_at = callback, now
        survey.save()
    if v.decision == rules.CLOSE:
        if survey is not None:
            # ended before closing, so the close does not cancel it as "moved on"
            survey.state, survey.finished_at = "closed", now
            survey.save(update_fields=["state", "finished_at"])
        try:
            with transaction.atomic():
                act.do_close(
                    order, SYSTEM, note=f"智能回访：{v.row.label if v.row else ''}", now=now
                )
        except Conflict as exc:  # e.g. merged citizens still to be called (§6.6.3 c)
            _to_person(order, survey, "close_blocked", now, exc.message)
            return Applied("answered", survey, "不能自动结案，转人工")
        return Applied("answered", survey, "满意已结案")
    reason = v.reason if v.decision == rules.TO_PERSON else "incomplete"
    _to_person(order, survey, reason, now)
    return Applied("answered", survey, rules.ESCALATION_REASONS.label(reason))


def _lock_waiting(survey_pk: int) -> tuple[WorkOrder, Survey] | None:
    """Lock the survey's order, then re-read the survey: None if it stopped waiting
    meanwhile (answered by the other route, timed out, cancelled)."""
    order_id = Survey.objects.filter(pk=survey_pk).values_list("order_id", flat=True).first()
    if order_id is None:
        return None
    order = lock_order(order_id)
    survey = Survey.objects.select_for_update().get(pk=survey_pk)
    if survey.state != "waiting" or order.state != "pending_callback":
        return None
    return order, survey


@dataclass
class Received:
    """The answer to the provider: ``status`` is ``duplicate`` or an outcome code."""

    status: str
    inbound: InboundSms


def receive_sms(
    provider: str,
    message_id: str,
    phone: str,
    *,
    text: str,
    code: str = "",
    sent_at: datetime | None = None,
    now: datetime | None = None,
) -> Received:
    """One SMS the provider delivered.  Recorded once per (provider, message id) — a
    redelivery returns ``duplicate`` and changes nothing — then matched to the waiting
    survey of this phone (and reply code, when the provider passes it on).  Whatever
    happens, the delivery is kept: an unknown phone or code, or an answer that could not be
    processed, becomes an unmatched reply on the callback desk, never an error for the
    provider (which would only retry)."""
    now = resolve_now(now)
    mobile = rules.mobile_number(phone) or phone.strip()[:40]
    with transaction.atomic():
        try:
            with transaction.atomic():
                inbound = InboundSms.objects.create(
                    provider=provider,
                    message_id=message_id,
                    phone=mobile,
                    code=code.strip()[:20],
                    text=text[:1000],
                    sent_at=sent_at,
                    received_at=now,
                    outcome="unmatched",
                )
        except IntegrityError:
            return Received(
                "duplicate", InboundSms.objects.get(provider=provider, message_id=message_id)
            )
        try:
            with transaction.atomic():
                applied = _match_and_apply(inbound, now)
        except Exception:  # a person reads what the machine could not process
            log.exception("inbound SMS %s/%s could not be processed", provider, message_id)
            applied = Applied("unmatched", None, "处理出错，请人工处理")
        if applied.outcome == "unmatched":
            # no phone number in the log (PII); the desk shows the reply itself
            log.info("unmatched SMS reply %s/%s: %s", provider, message_id, applied.note)
        inbound.outcome, inbound.note = applied.outcome, applied.note[:200]
        inbound.survey = applied.survey
        inbound.save(update_fields=["outcome", "note", "survey"])
    return Received(inbound.outcome, inbound)


def _match_and_apply(inbound: InboundSms, now: datetime) -> Applied:
    parsed = rules.parse_reply(inbound.text)
    if parsed.opt_out:
        n = do_opt_out(inbound.phone, via="sms", now=now)
        return Applied("opt_out", None, f"已退订短信{f'，{n}项评价转人工' if n else ''}")
    waiting = Survey.objects.filter(to=inbound.phone, method="sms", state="waiting")
    if inbound.code:
        waiting = waiting.filter(code=inbound.code)
    candidates = list(waiting.order_by("-created_at", "-id")[:2])
    if len(candidates) != 1:
        late = _late_survey(inbound) if not candidates else None
        if late is not None:
            _note_late(late, inbound, now)
            # the state's label already says 已… (已取消, 满意已结案): no "评价已已取消"
            return Applied("late", late, f"评价结束（{late.get_state_display()}）后收到")
        why = "该号码有多项评价，且未带回复码" if candidates else "没有等待评价的工单"
        return Applied("unmatched", None, why)
    locked = _lock_waiting(candidates[0].pk)
    if locked is None:  # answered or ended a moment ago
        survey = Survey.objects.get(pk=candidates[0].pk)
        _note_late(survey, inbound, now)
        return Applied("late", survey, "评价已结束后收到")
    order, survey = locked
    return _apply(
        survey,
        order,
        satisfaction=parsed.satisfaction,
        resolution=parsed.resolution,
        understood=parsed.understood,
        source="sms",
        raw=inbound.text,
        now=now,
    )


def _late_survey(inbound: InboundSms) -> Survey | None:
    """The survey a reply belongs to although it no longer waits: the same phone (and
    code), sent within the last 30 days."""
    qs = Survey.objects.filter(to=inbound.phone, method="sms").exclude(state="waiting")
    if inbound.code:
        qs = qs.filter(code=inbound.code)
    since = inbound.received_at - timedelta(days=30)
    return qs.filter(created_at__gte=since).order_by("-created_at", "-id").first()


def _note_late(survey: Survey, inbound: InboundSms, now: datetime) -> None:
    """A late answer changes nothing by itself; it goes on the order's timeline and the
    callback desk so the agent reads it."""
    record_event(
        survey.order,
        SYSTEM,
        "survey_late_reply",
        now,
        from_state=survey.order.state,
        note=f"评价结束后收到短信回复“{inbound.text[:60]}”",
        data={"survey": survey.pk, "inbound": inbound.pk},
    )


@transaction.atomic
def do_answer_survey(
    token: str,
    *,
    satisfaction: str,
    resolution: str,
    comment: str = "",
    now: datetime | None = None,
) -> Survey:
    """The one-time survey page (``/portal/s/<token>/``): the citizen picks satisfaction
    and resolution (§6.8.3).  Once answered, expired or ended the link is spent."""
    now = resolve_now(now)
    survey = queries.survey_by_token(token)
    if survey is None:
        raise NotFound("评价链接无效")
    errors = {}
    if satisfaction not in taxonomy.SATISFACTION:
        errors["satisfaction"] = "请选择满意程度"
    if resolution not in taxonomy.RESOLUTION:
        errors["resolution"] = "请选择问题是否已解决"
    if len(comment) > 500:
        errors["comment"] = "意见不能超过500字"
    if errors:
        raise ValidationFailed(errors)
    if not queries.link_valid(survey, now):
        raise Conflict("该评价链接已使用或已过期", state=survey.state)
    locked = _lock_waiting(survey.pk)
    if locked is None:
        raise Conflict("该评价链接已使用或已过期", state=survey.state)
    order, survey = locked
    _apply(
        survey,
        order,
        satisfaction=satisfaction,
        resolution=resolution,
        understood=True,
        source="link",
        raw=f"{taxonomy.SATISFACTION.label(satisfaction)}，{taxonomy.RESOLUTION.label(resolution)}",
        comment=comment,
        now=now,
    )
    survey.refresh_from_db()
    return survey


@transaction.atomic
def do_rate_order(
    order: WorkOrder | int, *, resolution: str, comment: str = "", now: datetime | None = None
) -> WorkOrder:
    """The citizen's own rating on the tracking page (已解决 / 未解决 + comment) counts as a
    smart callback (§6.8.2): resolved closes the order (§6.7.2), unresolved puts it before a
    callback agent for 重办 (§6.8).  Waiting surveys end: the citizen has answered."""
    now = resolve_now(now)
    order = lock_order(order)
    if resolution not in taxonomy.RESOLUTION:
        raise ValidationFailed({"resolution": "请选择问题是否已解决"})
    if len(comment) > 500:
        raise ValidationFailed({"comment": "意见不能超过500字"})
    if not queries.may_self_rate(order):
        raise Conflict("该诉求当前不能评价或已评价", state=order.state)
    cancel_surveys(order, now)
    _apply(
        None,
        order,
        satisfaction="",
        resolution=resolution,
        understood=True,
        source="self_rating",
        raw=taxonomy.RESOLUTION.label(resolution)
        + (f"：{comment.strip()[:500]}" if comment.strip() else ""),
        comment=comment,
        now=now,
    )
    order.refresh_from_db()
    return order


# ---------------------------------------------------------------------------
# the worker's periodic check


@dataclass
class TickReport:
    timed_out: int = 0
    send_failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def expire_surveys(now: datetime | None = None, limit: int = 500) -> TickReport:
    """Surveys past their time without an answer go to a callback agent and count as one
    unanswered attempt (§6.8.1; three make 未联系上).  A survey whose message could not be
    sent goes to a person at once.  Safe with several workers: each survey is re-checked
    under its order's row lock."""
    now = resolve_now(now)
    report = TickReport()
    due = list(
        Survey.objects.filter(state="waiting", due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        with transaction.atomic():
            locked = _lock_waiting(pk)
            if locked is None:
                continue
            order, survey = locked
            hours = notify.conf("survey_hours")
            if survey.satisfaction or survey.resolution:
                # half an answer, and no second half in time
                _apply(
                    survey,
                    order,
                    satisfaction=survey.satisfaction,
                    resolution=survey.resolution,
                    understood=True,
                    source="sms",
                    raw="（追问后未再回复）",
                    final=True,
                    now=now,
                )
            else:
                act.do_record_callback(
                    order,
                    SYSTEM,
                    method=survey.method,
                    mode="smart",
                    outcome="unreachable",
                    note=f"智能回访{hours}小时内未答复",
                    now=now,
                )
                _to_person(order, survey, "timeout", now)
            report.timed_out += 1
    # a survey whose message was dead-lettered (a refused number …) never reached anyone
    dead_keys = Message.objects.filter(
        kind="survey", state="dead", dead_at__gte=now - timedelta(days=30)
    ).values_list("key", flat=True)
    dead_pks = {int(k.split(":")[1]) for k in dead_keys if k.count(":") == 2}
    dead = list(
        Survey.objects.filter(state="waiting", pk__in=dead_pks).values_list("pk", flat=True)
    )
    for pk in dead:
        with transaction.atomic():
            locked = _lock_waiting(pk)
            if locked is None:
                continue
            order, survey = locked
            _to_person(order, survey, "send_failed", now)
            report.send_failed += 1
    return report


# ---------------------------------------------------------------------------
# opt-out and the desk


def do_opt_out(phone: str, *, via: str, now: datetime | None = None) -> int:
    """The citizen wants no more SMS: no notifications, no SMS surveys.  Their waiting SMS
    surveys go to a person (the callback is still owed, §6.7.2).  Returns how many."""
    now = resolve_now(now)
    mobile = rules.mobile_number(phone)
    if not mobile:
        return 0
    with transaction.atomic():
        SmsOptOut.objects.get_or_create(phone=mobile, defaults={"at": now, "via": via})
        moved = 0
        for pk in Survey.objects.filter(to=mobile, method="sms", state="waiting").values_list(
            "pk", flat=True
        ):
            locked = _lock_waiting(pk)
            if locked is None:
                continue
            order, survey = locked
            _to_person(order, survey, "opted_out", now)
            moved += 1
    return moved


@transaction.atomic
def do_mark_handled(
    inbound: InboundSms | int, user: User, *, note: str = "", now: datetime | None = None
) -> InboundSms:
    """A callback agent has read an unmatched or late reply (and acted on it)."""
    now = resolve_now(now)
    pk = inbound.pk if isinstance(inbound, InboundSms) else inbound
    row = InboundSms.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFound("短信不存在")
    if row.handled_at is not None:
        raise Conflict("该短信已由他人处理", state="handled")
    row.handled_at, row.handled_by, row.handled_note = now, user, note.strip()[:2000]
    row.save(update_fields=["handled_at", "handled_by", "handled_note"])
    return row
