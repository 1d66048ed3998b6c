"""Template context for every page: the navigation of the signed-in user."""

from __future__ import annotations

from django.conf import settings

from hotline.web.nav import items_for


def workbench(request) -> dict:
    user = getattr(request, "user", None)
    items = items_for(user) if user is not None else []
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    return {
        "nav_items": [
            {
                "key": i.key,
                "label": i.label,
                "href": i.href(),
                "hotkey": i.hotkey,
                "external": i.external,
                "active": f"web:{current}" == i.url or current == i.key,
            }
            for i in items
        ],
        "centre_name": settings.HOTLINE_CENTRE_NAME,
    }
