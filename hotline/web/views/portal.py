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

from hotline.common import ratelimit
from hotline.orders import actions as act
from hotline.orders import attachments, public
from hotline.orders.models import WorkOrder
from hotline.rules import screening
from hotline.web import forms as f
from hotline.web.views.common import run_action

LIMIT_MESSAGE = "操作过于频繁，请稍后再试。"


def _submit(values: dict, uploads) -> WorkOrder:
    attachments.check_batch(uploads)  # at most 9 files, 50 MB together, before anything is kept
    order = act.do_create_draft({**values, "channel": "portal"}, note="市民通过门户网站提交")
    for upload in uploads:
        act.do_attach(order, None, upload, purpose="appeal")
    return order


@never_cache
def portal(request):
    form = f.PortalForm(request.POST or None)
    status = 200
    ip = ratelimit.client_ip(request)
    limit = settings.HOTLINE_WEB["portal_submissions"]
    if request.method == "POST":
        if ratelimit.exceeded("submit", ip, limit):
            form.add_error(None, LIMIT_MESSAGE)
            status = 429
        elif form.is_valid():
            outcome = run_action(_submit, form.cleaned_data, request.FILES.getlist("attachments"))
            if outcome.ok:
                ratelimit.add("submit", ip)
                return render(request, "web/portal/submitted.html", {"order": outcome.result})
            if outcome.validation:
                form.show_errors(outcome.validation)
            status = outcome.status
        else:
            status = 422
    return render(
        request,
        "web/portal/submit.html",
        {"form": form, "upload_limits": _upload_limits()},
        status=status,
    )


def _upload_limits() -> dict[str, int]:
    bounds = settings.HOTLINE_PUBLIC_UPLOADS
    return {
        "max_files": bounds["max_files"],
        "max_total_mb": bounds["max_total"] // (1024 * 1024),
        "max_megapixels": settings.HOTLINE_MAX_IMAGE_PIXELS // 1_000_000,
    }


@never_cache
def track(request):
    """Number + phone → progress.  A wrong pair and an unknown number look the same."""
    form = f.TrackForm(request.POST or None)
    ip = ratelimit.client_ip(request)
    limit = settings.HOTLINE_WEB["portal_track_failures"]
    ctx: dict = {"form": form}
    status = 200
    if request.method == "POST":
        if ratelimit.exceeded("track", ip, limit):
            form.add_error(None, LIMIT_MESSAGE)
            return render(request, "web/portal/track.html", ctx, status=429)
        if form.is_valid():
            number = form.cleaned_data["number"].strip()
            phone = form.cleaned_data["phone"].strip()
            order = public.track_lookup(number, phone)
            if order is None:
                ratelimit.add("track", ip)
                form.add_error(None, "未找到与该编号和手机号码匹配的诉求，请核对后重试。")
                status = 404
            else:
                ctx.update(
                    order=order,
                    steps=public.public_timeline(order),
                    replies=public.public_replies(order),
                    not_accepted=screening.NOT_ACCEPTED_REASONS.label(order.not_accepted_reason)
                    if order.not_accepted_reason
                    else "",
                )
        else:
            status = 422
    return render(request, "web/portal/track.html", ctx, status=status)
