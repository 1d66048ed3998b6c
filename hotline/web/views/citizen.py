"""The citizen's links from SMS (§6.8.2): the one-time survey page ``/portal/s/<token>/``,
the tracking link ``/portal/t/<token>/`` (with "no more SMS"), and the rating on the
tracking page (``/portal/rate/``).

No login: the token is the key, sent only to the citizen's own phone.  Unknown tokens are
counted per client address like failed tracking look-ups, so nobody can walk them; a spent
or expired link says so (410) and tells the citizen to call instead.  Every form posts,
then redirects (POST/redirect/GET), so reloading never answers twice.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hotline import clock
from hotline.callbacks import actions as cba
from hotline.callbacks import queries as cq
from hotline.callbacks.models import TrackingLink
from hotline.common import ratelimit
from hotline.orders import public
from hotline.orders.models import WorkOrder
from hotline.rules import screening
from hotline.web import forms as f
from hotline.web.views.common import run_action

RATE_SALT = "hotline.portal.rate"
RATE_MAX_AGE = 2 * 3600
LIMIT_MESSAGE = "操作过于频繁，请稍后再试。"


def _window() -> int:
    return settings.HOTLINE_WEB["portal_window_minutes"] * 60


def _limited(request) -> bool:
    return ratelimit.exceeded(
        "link",
        ratelimit.client_ip(request),
        settings.HOTLINE_WEB["portal_track_failures"],
        window_seconds=_window(),
    )


def _gone(request, message: str, status: int):
    if status == 404:
        ratelimit.add("link", ratelimit.client_ip(request), window_seconds=_window())
    return render(request, "web/portal/gone.html", {"message": message}, status=status)


def rating_token(order: WorkOrder) -> str:
    """A signed, short-lived permission to rate this order, given to whoever just saw its
    progress (number + phone, or the tracking link)."""
    return signing.dumps({"order": order.pk}, salt=RATE_SALT)


def rating_context(order: WorkOrder, back: str = "") -> dict:
    """What the tracking pages need to offer the rating form (§6.8 [beyond])."""
    if not cq.may_self_rate(order):
        return {}
    return {
        "rating_form": f.RatingForm(initial={"token": rating_token(order)}, prefix="rate"),
        "rating_back": back,
    }


@never_cache
def survey(request, token: str):
    """§6.8.2–§6.8.3: three large buttons (满意 / 基本满意 / 不满意), whether the problem
    was solved, an optional comment."""
    if _limited(request):
        return render(request, "web/portal/gone.html", {"message": LIMIT_MESSAGE}, status=429)
    s = cq.survey_by_token(token)
    if s is None:
        return _gone(request, "评价链接无效。", 404)
    now = clock.now()
    order = s.order
    if not cq.link_valid(s, now):
        if s.answered_at is not None:
            return render(request, "web/portal/survey.html", {"survey": s, "done": True})
        return _gone(request, "该评价链接已过期或已失效。如需评价，请拨打12345热线。", 410)
    form = f.SurveyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            outcome = run_action(
                cba.do_answer_survey,
                token,
                satisfaction=form.cleaned_data["satisfaction"],
                resolution=form.cleaned_data["resolution"],
                comment=form.cleaned_data["comment"],
            )
            if outcome.ok:
                return redirect("web:survey", token=token)
            if outcome.validation:
                form.show_errors(outcome.validation)
                status = 422
            else:
                return _gone(request, "该评价链接已使用或已过期。", 410)
        else:
            status = 422
    replies = public.public_replies(order)
    return render(
        request,
        "web/portal/survey.html",
        {"survey": s, "order": order, "form": form, "reply": replies[-1] if replies else None},
        status=status,
    )


@never_cache
def tracking_link(request, token: str):
    """The acceptance SMS's link: the order's public progress, the rating when it waits for
    its callback, and "no more SMS" (退订)."""
    if _limited(request):
        return render(request, "web/portal/gone.html", {"message": LIMIT_MESSAGE}, status=429)
    link = (
        TrackingLink.objects.select_related("order", "order__lead_unit").filter(token=token).first()
        if len(token) <= 32
        else None
    )
    if link is None:
        return _gone(request, "查询链接无效。", 404)
    if link.expires_at <= clock.now():
        return _gone(request, "查询链接已过期，请凭工单编号和手机号码查询。", 410)
    order = link.order
    if request.method == "POST" and request.POST.get("action") == "opt_out":
        cba.do_opt_out(order.citizen_phone, via="portal")
        messages.success(request, "已退订：今后不再向您的手机发送短信。")
        return redirect("web:tracking_link", token=token)
    return render(
        request,
        "web/portal/link.html",
        {
            "order": order,
            "steps": public.public_timeline(order),
            "replies": public.public_replies(order),
            "not_accepted": screening.NOT_ACCEPTED_REASONS.label(order.not_accepted_reason)
            if order.not_accepted_reason
            else "",
            "opted_out": cq.opted_out(order.citizen_phone),
            **rating_context(order, back=request.path),
        },
    )


@never_cache
@require_POST
def rate(request):
    """The citizen's own rating (已解决 / 未解决 + comment), a smart callback (§6.8.2)."""
    form = f.RatingForm(request.POST, prefix="rate")
    back = request.POST.get("back", "")
    if not back.startswith("/portal/t/") or "//" in back:
        back = ""
    if not form.is_valid():
        return render(
            request,
            "web/portal/rated.html",
            {"form": form, "rating_form": form, "rating_back": back},
            status=422,
        )
    try:
        data = signing.loads(form.cleaned_data["token"], salt=RATE_SALT, max_age=RATE_MAX_AGE)
        order_pk = int(data["order"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return _gone(request, "评价已超时，请重新查询后再评价。", 410)
    outcome = run_action(
        cba.do_rate_order,
        order_pk,
        resolution=form.cleaned_data["resolution"],
        comment=form.cleaned_data["comment"],
    )
    if not outcome.ok:
        return _gone(request, "该诉求当前不能评价或已评价。", 409)
    messages.success(request, "感谢您的评价！")
    return redirect(back or "web:rated")


def rated(request):
    return render(request, "web/portal/rated.html", {})
