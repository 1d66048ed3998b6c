"""Shared helpers of the workbench views: who may open a page, loading a visible order,
running an action so that errors come back as field messages or a clear conflict."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import render

from hotline.common.http import int_param
from hotline.orders import attachments
from hotline.orders import queries as oq
from hotline.orders.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.orders.models import WorkOrder
from hotline.rules import lifecycle
from hotline.web import once


def role_required(*roles: str) -> Callable:
    """Signed-in users whose effective role is one of ``roles`` (administrators always)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.effective_role not in {*roles, "admin"}:
                raise PermissionDenied("您的角色无权访问此页面")
            try:
                return view(request, *args, **kwargs)
            except Http404:
                # the same page with DEBUG on or off: never Django's technical 404, which
                # would list the URL patterns to someone probing order numbers
                return render(request, "404.html", status=404)

        return wrapped

    return decorator


staff_required = role_required("agent", "reviewer", "unit", "supervisor", "callback", "leader")


def visible_order(request, number: str, *, former: bool = False) -> WorkOrder:
    """The order if the user holds it, else 404 (never 403: an order another unit holds
    is not confirmed to exist).  With ``former``, also an order the user's unit returned
    or lost to a re-dispatch — the detail page then shows only its own part."""
    related = ("lead_unit", "category", "area", "created_by")
    order = oq.visible_orders(request.user).select_related(*related).filter(number=number).first()
    if order is None and former:
        order = oq.former_orders(request.user).select_related(*related).filter(number=number)
        order = order.first()
    if order is None:
        raise Http404("工单不存在或无权查看")
    return order


class Outcome:
    """What happened when a view ran an action: ``ok``, or field ``errors`` (422), or a
    ``conflict`` message with the order's current state (409)."""

    def __init__(self) -> None:
        self.ok = False
        self.result = None
        self.validation: ValidationFailed | None = None
        self.conflict: str = ""
        self.status = 200


def run_action(fn: Callable, *args, **kwargs) -> Outcome:
    """Run ``fn`` (one or more ``do_*`` calls) in one transaction: all or nothing.  The
    form's one-time token (``once``) is spent in the same transaction."""
    out = Outcome()
    try:
        with transaction.atomic():
            once.spend()
            out.result = fn(*args, **kwargs)
            once.note(out.result)
        out.ok = True
    except once.AlreadySubmitted:
        # a double click: the first request did it; ``one_time`` shows its result
        out.conflict, out.status = once.REPEATED, 409
    except ValidationFailed as exc:
        out.validation, out.status = exc, 422
    except Conflict as exc:
        state = exc.extra.get("state", "")
        label = exc.extra.get("state_label") or (lifecycle.STATES.label(state) if state else "")
        out.conflict = exc.message + (
            f"（工单当前状态：{label}）" if label and label not in exc.message else ""
        )
        out.status = 409
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound as exc:
        raise Http404(exc.message) from None
    finally:
        if not out.ok:
            once.forget()
    return out


def run_action_with_files(uploads, fn: Callable, *args, public: bool = False, **kwargs) -> Outcome:
    """``run_action`` for an action that files uploads: the files are checked and stored
    first, outside any transaction — hashing and writing a 100 MB video must not hold the
    day's order-number row — and ``fn(*args, staged, **kwargs)`` then numbers and links in
    one short transaction.  Files the action did not link (it failed, or kept none) are
    removed at once; a crash in between leaves orphans the worker's purge removes.  A
    ``public`` submission (the portal) is held to the public count and total size first."""
    try:
        if public:
            attachments.check_batch(uploads)
        staged = attachments.stage_all(uploads)
    except ValidationFailed as exc:
        out = Outcome()
        out.validation, out.status = exc, 422
        return out
    try:
        return run_action(fn, *args, staged, **kwargs)
    finally:
        attachments.discard(staged)


def page_size(request, default: int) -> int:
    """``?size=`` rows per page, 5 to 200; anything else is a 400 naming the bounds."""
    return int_param(request, "size", default, 5, 200, "每页条数")
