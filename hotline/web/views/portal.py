"""The citizen portal (门户网站, §5.1): submit an appeal and follow it with its number.

No login.  A submission becomes a draft (待受理) through ``do_create_draft`` with channel
``portal`` and waits for an agent.  Tracking needs the number AND the phone given at
submission; failures are counted per client address so nobody can walk the numbers, and
the page shows only the citizen's own appeal, its public progress and the public reply —
never staff notes, staff names or anyone's personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from hotline import clock
from hotline.common import ratelimit
from hotline.orders import actions as act
from hotline.orders import public
from hotline.orders.models import WorkOrder
from hotline.rules import screening
from hotline.web import forms as f
from hotline.web import once
from hotline.web.views import citizen
from hotline.web.views.common import run_action_with_files

LIMIT_MESSAGE = "操作过于频繁，请稍后再试。"


def _submit(values: dict, uploads) -> WorkOrder:
    """The draft and its files (stored before this transaction, ``run_action_with_files``)."""
    order = act.do_create_draft(
        {**values, "channel": "portal"},
        note="市民通过门户网站提交（已同意个人信息保护说明）",
    )
    for upload in uploads:
        act.do_attach(order, None, upload, purpose="appeal")
    return order


def _window() -> int:
    return settings.HOTLINE_WEB["portal_window_minutes"] * 60


@never_cache
@once.one_time(same_content=True)
def portal(request):
    """Submit: the POST files the appeal and redirects to its receipt (POST/redirect/GET),
    so F5 on the receipt only shows it again; a repeated POST of the same form (back +
    resubmit, a double click) lands on the same receipt without filing a second appeal.
    Submissions are limited per client address (``HOTLINE_PORTAL_SUBMISSIONS`` per
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
                # at most 9 files, 50 MB together, checked before anything is stored
                outcome = run_action_with_files(
                    request.FILES.getlist("attachments"), _submit, form.cleaned_data, public=True
                )
            if outcome is not None and outcome.ok:
                return redirect("web:portal_submitted", token=once.current_token())
            ratelimit.release("portal-submit", ip, window_seconds=_window(), now=now)
            if outcome is None:
                status = 422
            else:
                if outcome.validation:
                    form.show_errors(outcome.validation)
                status = outcome.status
    return render(
        request,
        "web/portal/submit.html",
        {"form": form, "privacy": notice(), "upload_limits": _upload_limits()},
        status=status,
    )


def _upload_limits() -> dict[str, int]:
    bounds = settings.HOTLINE_PUBLIC_UPLOADS
    return {
        "max_files": bounds["max_files"],
        "max_total_mb": bounds["max_total"] // (1024 * 1024),
        "max_megapixels": settings.HOTLINE_MAX_IMAGE_PIXELS // 1_000_000,
    }


def notice() -> dict:
    """What the portal's privacy notice says (PIPL Art. 17): kept how long, whom to ask."""
    return {
        "years": settings.HOTLINE_RETENTION_YEARS,
        "contact": settings.HOTLINE_PRIVACY_CONTACT,
    }


@never_cache
def submitted(request, token: str):
    """The receipt of one submission (its number), for a week after it was filed; the
    token in the address is the portal form's one-time token, known only to the browser
    that sent the form."""
    done = once.receipt(token, path=reverse("web:portal"))
    order = WorkOrder.objects.filter(number=done.number).first() if done else None
    if order is None:
        return render(request, "404.html", status=404)
    return render(request, "web/portal/submitted.html", {"order": order})


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
                    **citizen.rating_context(order),
                )
        else:
            ratelimit.release("portal-track", ip, window_seconds=_window(), now=now)
            status = 422
    return render(request, "web/portal/track.html", ctx, status=status)
