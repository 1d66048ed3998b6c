"""Reads of the smart callback: the policy in force, who can be reached how, what the
callback desk sees, an order's survey history."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from hotline.callbacks.models import CallbackRule, InboundSms, SmsOptOut, Survey
from hotline.orders.models import Callback, WorkOrder
from hotline.rules import callback as rules


def policy_rows() -> list[rules.PolicyRow]:
    """The administrator's rows, or the built-in policy while none is active."""
    rows = [r.as_row() for r in CallbackRule.objects.filter(active=True)]
    return rows or list(rules.DEFAULT_POLICY)


def opted_out(phone: str) -> bool:
    mobile = rules.mobile_number(phone)
    return bool(mobile) and SmsOptOut.objects.filter(phone=mobile).exists()


def sms_address(order: WorkOrder) -> str:
    """The citizen's mobile number if SMS may go there (a mobile, not opted out), else ""."""
    mobile = rules.mobile_number(order.citizen_phone)
    if not mobile or SmsOptOut.objects.filter(phone=mobile).exists():
        return ""
    return mobile


def wechat_address(order: WorkOrder) -> str:
    """The citizen's WeChat id (openid) when the mini-program sent it with the appeal — and
    only while links can be sent (a WeChat survey is its link; ``HOTLINE_PUBLIC_URL``)."""
    if order.channel != "miniprogram" or not settings.HOTLINE_CALLBACK["public_url"]:
        return ""
    try:
        extra = order.channel_submission.extra or {}  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return ""
    openid = extra.get("openid") if isinstance(extra, dict) else None
    return str(openid)[:120] if isinstance(openid, str) and openid.strip() else ""


def case_for(order: WorkOrder) -> rules.CallbackCase:
    return rules.CallbackCase(
        channel=order.channel,
        appeal_type=order.appeal_type,
        domain=order.domain,
        urgency=order.urgency,
        emergency=order.is_emergency,
        reopen_count=order.reopen_count,
        mobile=sms_address(order),
        wechat=wechat_address(order),
    )


def waiting_survey_exists() -> Exists:
    """For annotating orders: a survey is still waiting for the citizen's answer."""
    return Exists(Survey.objects.filter(order=OuterRef("pk"), state="waiting"))


def negative_answer_exists() -> Exists:
    """For annotating orders: this round's callbacks include an unsatisfied or unresolved
    answer — the orders a callback agent considers for 重办 (§6.8)."""
    return Exists(
        Callback.objects.filter(
            order=OuterRef("pk"), outcome="reached", at__gte=OuterRef("reply_accepted_at")
        ).filter(Q(satisfaction="unsatisfied") | Q(resolution="unresolved"))
    )


def surveys_for(order: WorkOrder) -> list[Survey]:
    """An order's surveys, newest first, each with its replies (the history the callback
    agent reads before calling)."""
    return list(
        Survey.objects.filter(order=order)
        .select_related("callback")
        .prefetch_related(
            Prefetch("replies", queryset=InboundSms.objects.order_by("received_at", "id"))
        )
        .order_by("-created_at", "-id")
    )


def desk_replies(*, handled: bool = False) -> QuerySet[InboundSms]:
    """Replies a person must read: unmatched ones and late ones, oldest first."""
    qs = InboundSms.objects.filter(outcome__in=["unmatched", "late"])
    qs = qs.filter(handled_at__isnull=not handled)
    return qs.select_related("survey__order", "handled_by").order_by("received_at", "id")


def may_self_rate(order: WorkOrder) -> bool:
    """The citizen may rate the answer on the tracking page (§6.8 [beyond]) while the order
    waits for its callback and nobody has reached them in this round yet."""
    if order.state != "pending_callback":
        return False
    since = order.reply_accepted_at or order.created_at
    return not order.callbacks.filter(outcome="reached", at__gte=since).exists()


def survey_by_token(token: str) -> Survey | None:
    if not token or len(token) > 32:
        return None
    return Survey.objects.select_related("order", "order__lead_unit").filter(token=token).first()


def link_valid(survey: Survey, now: datetime) -> bool:
    return survey.state == "waiting" and survey.due_at > now
