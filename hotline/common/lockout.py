"""Login lock-out (django-axes): the answer a locked-out client gets, and one log line per
lock-out.

Axes counts wrong passwords per username and client address (``client_address``, that is
``ratelimit.client_ip``, proxy-aware) on every path that calls ``authenticate`` — /login/, /admin/login/ and
``POST /api/v1/auth/token`` — and flags the request; ``AxesMiddleware`` then calls
``lockout_response`` (settings ``AXES_LOCKOUT_CALLABLE``), which answers in the shape of the
entrance: JSON for the API, the Chinese page elsewhere.  Status 429 with ``Retry-After``.
"""

from __future__ import annotations

import ipaddress
import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from hotline.common import ratelimit
from hotline.common.http import refusal

log = logging.getLogger("hotline.security")


def client_address(request: HttpRequest) -> str | None:
    """The client address axes counts under (settings ``AXES_CLIENT_IP_CALLABLE``): the one
    the rate limits use, ``ratelimit.client_ip``; None when that is no IP address (a
    request without ``REMOTE_ADDR``), since axes stores it in an IP address column."""
    address = ratelimit.client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return (
        f"登录失败次数过多（连续 {settings.AXES_FAILURE_LIMIT} 次），该账号在本机已被锁定 "
        f"{lockout_minutes()} 分钟。请稍后再试，或联系管理员解除锁定。"
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    return refusal(
        request,
        429,
        "locked_out",
        lockout_message(),
        headers={"Retry-After": str(int(settings.AXES_COOLOFF_TIME.total_seconds()))},
    )


@receiver(user_locked_out, dispatch_uid="hotline.lockout.log")
def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """One line when a lock-out starts.  A try while locked out (axes sends the signal again,
    without counting) is not logged again."""
    if request is not None and getattr(request, "axes_failures_since_start", None) is None:
        return
    log.warning(
        "login locked out: username=%r client=%s path=%s failures=%s minutes=%s",
        username,
        ip_address,
        getattr(request, "path", ""),
        getattr(request, "axes_failures_since_start", ""),
        lockout_minutes(),
    )
