"""One-time form tokens: a repeat of a state-changing form shows the first result instead of
acting again (issue 13 item 5).

Every form that changes something — the portal's submission, the agent's intake form and
every action panel of an order (dispatch, reply, callback, …) — carries a hidden token made
fresh each time the page is drawn (``{% form_token %}``).  The view is wrapped in
``@one_time``, and ``run_action`` *spends* the token inside the action's own transaction
(``FormSubmission``, unique token):

* F5 on the page a POST answered, back + resubmit, a second click after the first
  finished: the token is already spent → redirect to where the first submission went, with
  a note that nothing was done again;
* a double click while the first is still running: the second insert waits on the unique
  token, fails once the first commits, and redirects the same way (PostgreSQL waits on the
  index, SQLite on its IMMEDIATE write lock);
* the action fails (a field error, a conflict): its transaction — the token's row with it —
  rolls back, so the corrected form can be sent again.

A POST without a token (a script, a page from before this change) is acted on as before,
under a token made up for it, so the portal can still redirect to its receipt.

"Back" after a POST/redirect/GET usually *reloads* the form (pages are not kept in the
browser's cache): the browser restores what the person typed, but the hidden token is a
fresh one.  For the forms that create an order (``one_time(same_content=True)``: the portal,
a new intake) the same content sent again by the same person — the same signed-in user, or
for the portal the same client address — within ``SAME_CONTENT`` of the first counts as the
same submission too.  Two identical appeals from one caller minutes apart are one appeal.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.urls import reverse

from hotline import clock
from hotline.common import ratelimit
from hotline.web.models import FormSubmission

FIELD = "form_token"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KEEP = timedelta(days=7)  # how long a spent token still answers with its first result
SAME_CONTENT = timedelta(minutes=10)  # a resent form with the same content is a repeat
IGNORED = {"csrfmiddlewaretoken", FIELD}
REPEATED = "这张表单已经提交过，没有重复办理；以下是第一次提交的结果。"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class AlreadySubmitted(Exception):
    """Another request with the same token committed first."""


@dataclass
class _Pending:
    token: str
    user_id: int | None
    path: str
    fingerprint: str = ""
    client: str = ""
    row_id: int | None = None
    duplicate: bool = False


_pending: ContextVar[_Pending | None] = ContextVar("hotline_form_token", default=None)


def current_token() -> str | None:
    """The token of the form being handled (for a receipt URL), or None."""
    p = _pending.get()
    return p.token if p is not None else None


def spend() -> None:
    """Inside the action's transaction, before the action: record the token as used.
    Raises ``AlreadySubmitted`` when another request spent it first."""
    p = _pending.get()
    if p is None or p.row_id is not None:
        return
    now = clock.now()
    try:
        with transaction.atomic():
            row = FormSubmission.objects.create(
                token=p.token,
                user_id=p.user_id,
                path=p.path[:300],
                fingerprint=p.fingerprint,
                client=p.client[:64],
                created_at=now,
            )
    except IntegrityError:
        p.duplicate = True
        raise AlreadySubmitted(p.token) from None
    p.row_id = row.pk
    if row.pk % 100 == 0:  # now and then, forget tokens nobody will repeat any more
        FormSubmission.objects.filter(created_at__lt=now - KEEP).delete()


def note(result: Any) -> None:
    """Inside the action's transaction, after it: remember which order it acted on."""
    p = _pending.get()
    if p is None or p.row_id is None:
        return
    order = getattr(result, "order", None) if not hasattr(result, "number") else result
    number = getattr(order, "number", "") or ""
    if number:
        FormSubmission.objects.filter(pk=p.row_id).update(number=number)


def forget() -> None:
    """The action's transaction rolled back: the token's row went with it."""
    p = _pending.get()
    if p is not None:
        p.row_id = None


def one_time(view: Callable | None = None, *, same_content: bool = False) -> Callable:
    """Wrap a view whose POST runs one action through ``run_action``.  ``same_content``:
    the form creates an order, and the same content from the same person shortly after
    is a repeat too (see the module's docstring)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            return _once(view, same_content, request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate


def _once(view: Callable, same_content: bool, request, *args, **kwargs):
    token = request.POST.get(FIELD) or ""
    user_id = request.user.pk if request.user.is_authenticated else None
    if token:
        if not TOKEN.match(token):
            raise PermissionDenied("表单已失效，请刷新页面后重新提交")
        done = FormSubmission.objects.filter(token=token).first()
        if done is not None:
            return _replay(request, done, user_id)
    else:
        token = new_token()
    pending = _Pending(token, user_id, request.path)
    if same_content:
        pending.fingerprint = fingerprint(request)
        pending.client = "" if user_id else ratelimit.client_ip(request)
        done = (
            FormSubmission.objects.filter(
                path=pending.path,
                fingerprint=pending.fingerprint,
                user_id=user_id,
                client=pending.client,
                created_at__gte=clock.now() - SAME_CONTENT,
            )
            .order_by("-created_at")
            .first()
        )
        if done is not None:
            return _replay(request, done, user_id)
    reset = _pending.set(pending)
    try:
        response = view(request, *args, **kwargs)
    finally:
        _pending.reset(reset)
    if pending.duplicate:
        done = FormSubmission.objects.filter(token=token).first()
        if done is not None:
            return _replay(request, done, user_id)
    if pending.row_id is not None and response.status_code in (301, 302, 303):
        FormSubmission.objects.filter(pk=pending.row_id).update(
            result_url=response["Location"][:500]
        )
    return response


def fingerprint(request) -> str:
    """The SHA-256 of what the form sent: its fields (not the CSRF or one-time token) and
    each file's name and bytes."""
    digest = hashlib.sha256()
    for name in sorted(k for k in request.POST if k not in IGNORED):
        for value in request.POST.getlist(name):
            digest.update(f"{name}\0{value}\0".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"{name}\0{upload.name}\0{upload.size}\0".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _replay(request, done: FormSubmission, user_id: int | None):
    if done.user_id != user_id:
        raise PermissionDenied("表单已失效，请刷新页面后重新提交")
    messages.info(request, REPEATED)
    if done.result_url:
        return redirect(done.result_url)
    if done.path == reverse("web:portal"):
        return redirect("web:portal_submitted", token=done.token)
    if done.number:
        return redirect("web:order", number=done.number)
    return redirect(done.path)


def receipt(token: str, *, path: str) -> FormSubmission | None:
    """The spent token of a form at ``path`` still young enough to show its result."""
    if not TOKEN.match(token or ""):
        return None
    return (
        FormSubmission.objects.filter(
            token=token, path=path, user__isnull=True, created_at__gte=clock.now() - KEEP
        )
        .exclude(number="")
        .first()
    )
