"""GeoReport v2 documents as JSON or XML.

A response is plain data (dicts, lists, scalars) rendered in the format the path asked for.
JSON lists are top-level arrays; XML wraps them in the spec's root and item elements
(``<service_requests><request>…``).  Nested lists take their element names from
``CHILD_TAGS`` (``<attributes><attribute>…``).  ``None`` is JSON ``null`` and an empty
XML element; booleans are ``true``/``false`` in both.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

from hotline.rules.calendar import SHANGHAI

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# element name of one item of a nested list, by the list's element name
CHILD_TAGS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def w3(t: datetime | None) -> str | None:
    """A W3C-profile ISO 8601 datetime in the centre's offset (+08:00), seconds precision."""
    if t is None:
        return None
    return t.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        el = ET.SubElement(parent, key)
        if isinstance(value, dict):
            _fill(el, value)
        elif isinstance(value, list | tuple):
            child = CHILD_TAGS.get(key, "item")
            for item in value:
                sub = ET.SubElement(el, child)
                if isinstance(item, dict):
                    _fill(sub, item)
                else:
                    sub.text = _text(item)
        else:
            el.text = _text(value)


def to_xml(root: str, data: dict[str, Any] | list[dict[str, Any]], item: str = "") -> bytes:
    """``data`` under ``<root>``: a dict's keys as elements, or each item of a list as
    ``<item>``."""
    top = ET.Element(root)
    if isinstance(data, list):
        for row in data:
            _fill(ET.SubElement(top, item), row)
    else:
        _fill(top, data)
    return XML_DECLARATION + ET.tostring(top, encoding="unicode").encode("utf-8")


def respond(
    fmt: str,
    data: dict[str, Any] | list[dict[str, Any]],
    *,
    root: str,
    item: str = "",
    status: int = 200,
) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(root, data, item)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error list: one ``{code, description}`` per problem, ``code`` being the
    HTTP status."""
    rows = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, rows, root="errors", item="error", status=status)
