"""The citizen portal (门户网站, §5.1): submit an appeal and follow it with its number.

No login.  A submission becomes a draft (待受理) through ``do_create_draft`` with channel
``portal`` and waits for an agent.  Tracking needs the number AND the phone given at
submission; failures are counted per client address so nobody can walk the numbers, and
the page shows only the citizen's own appeal, its public progress and the public reply —
never staff notes, staff names or anyone's personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hotline import clock
from hotline.common import ratelimit
from hotline.orders import actions as act
from hotline.orders import public
from hotline.orders.models import WorkOrder
from hotline.rules import screening
from hotline.web import forms as f
from hotline.web.views.common import run_action

LIMIT_MESSAGE = "操作过于频繁，请稍后再试。"


def _submit(values: dict, uploads) -> WorkOrder:
    order = act.do_create_draft({**values, "channel": "portal"}, note="市民通过门户网站提交")
    for upload in uploads:
        act.do_attach(order, None, upload, purpose="appeal")
    return order


def _window() -> int:
    return settings.HOTLINE_WEB["portal_window_minutes"] * 60


@never_cache
def portal(request):
    """Submissions are limited per client address (``HOTLINE_PORTAL_SUBMISSIONS`` per
    ``HOTLINE_PORTAL_WINDOW_MINUTES``), counted in the database so every app server agrees;
    a submission the form refuses does not count."""
    form = f.PortalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ip, now = ratelimit.client_ip(request), clock.now()
        limit = settings.HOTLINE_WEB["portal_submissions"]
        if not ratelimit.acquire("portal-submit", ip, limit, window_seconds=_window(), now=now):
            form.add_error(None, LIMIT_MESSAGE)
            status = 429
        else:
            outcome = None
            if form.is_valid():
                outcome = run_action(
                    _submit, form.cleaned_data, request.FILES.getlist("attachments")
                )
            if outcome is not None and outcome.ok:
                return render(request, "web/portal/submitted.html", {"order": outcome.result})
            ratelimit.release("portal-submit", ip, window_seconds=_window(), now=now)
            if outcome is None:
                status = 422
            else:
                if outcome.validation:
                    form.show_errors(outcome.validation)
                status = outcome.status
    return render(request, "web/portal/submit.html", {"form": form}, status=status)


@never_cache
def track(request):
    """Number + phone → progress.  A wrong pair and an unknown number look the same; failed
    lookups are limited per client address (``HOTLINE_PORTAL_TRACK_FAILURES``)."""
    form = f.TrackForm(request.POST or None)
    ctx: dict = {"form": form}
    status = 200
    if request.method == "POST":
        ip, now = ratelimit.client_ip(request), clock.now()
        limit = settings.HOTLINE_WEB["portal_track_failures"]
        # Every attempt counts until it succeeds, so parallel guesses cannot overshoot.
        if not ratelimit.acquire("portal-track", ip, limit, window_seconds=_window(), now=now):
            form.add_error(None, LIMIT_MESSAGE)
            return render(request, "web/portal/track.html", ctx, status=429)
        if form.is_valid():
            number = form.cleaned_data["number"].strip()
            phone = form.cleaned_data["phone"].strip()
            order = public.track_lookup(number, phone)
            if order is None:
                form.add_error(None, "未找到与该编号和手机号码匹配的诉求，请核对后重试。")
                status = 404
            else:
                ratelimit.release("portal-track", ip, window_seconds=_window(), now=now)
                ctx.update(
                    order=order,
                    steps=public.public_timeline(order),
                    replies=public.public_replies(order),
                    not_accepted=screening.NOT_ACCEPTED_REASONS.label(order.not_accepted_reason)
                    if order.not_accepted_reason
                    else "",
                )
        else:
            ratelimit.release("portal-track", ip, window_seconds=_window(), now=now)
            status = 422
    return render(request, "web/portal/track.html", ctx, status=status)
