"""``POST requests``: an Open311 submission turned into a channel appeal.

The parameters of GeoReport v2 map onto ``hotline.channels.services.submit_appeal``
(docs/open311.md): ``service_code`` → category, ``description`` → content,
``address_string`` → address, ``address_id`` → area (its code; the area's full name is the
address when no ``address_string`` is given), ``lat``/``long``, ``first_name`` +
``last_name`` → the citizen's name, ``phone``; ``attribute[title|appeal_type|display_mode|
event_time]`` → the order fields of the same name.  ``email``, ``device_id``,
``account_id``, ``media_url`` and ``attribute[urgency]`` are kept with the submission
(``Submission.extra["open311"]``) for the agent; e-mail and account are never shown again.

Idempotency: a retry must never create a second order.  The key passed to
``submit_appeal`` is the client's own (``Idempotency-Key`` header or ``idempotency_key``
parameter), scoped by ``device_id``; a client that sends none (a plain GeoReport client)
gets a key derived from everything it posted plus the day (Asia/Shanghai), so an identical
POST repeated the same day returns the first order.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from hotline.open311.definitions import ATTRIBUTES_BY_CODE, find_service
from hotline.org.models import Area
from hotline.rules import limits
from hotline.rules.calendar import SHANGHAI

# order / appeal field → the Open311 parameter a client should fix
PARAM_OF_FIELD = {
    "category": "service_code",
    "content": "description",
    "title": "attribute[title]",
    "address": "address_string",
    "area": "address_id",
    "lat": "lat",
    "latitude": "lat",
    "lng": "long",
    "longitude": "long",
    "citizen_name": "first_name",
    "phone": "phone",
    "citizen_phone": "phone",
    "display_mode": "attribute[display_mode]",
    "appeal_type": "attribute[appeal_type]",
    "event_time": "attribute[event_time]",
    "idempotency_key": "idempotency_key",
    "attachments": "media",
}
# The longest value each parameter may have (``rules.limits``); any other: SHORT_TEXT.
PARAM_LIMITS = {
    "description": limits.ORDER_TEXT_BY_FIELD["content"].everywhere,
    "address_string": limits.ORDER_TEXT_BY_FIELD["address"].everywhere,
    "first_name": limits.ORDER_TEXT_BY_FIELD["citizen_name"].everywhere,
    "last_name": limits.ORDER_TEXT_BY_FIELD["citizen_name"].everywhere,
    "phone": limits.ORDER_TEXT_BY_FIELD["citizen_phone"].everywhere,
    "media_url": limits.URL,
}

# attachment errors name the file as ``files[i]``: the Open311 client sent it as ``media``
PARAM_PREFIXES = {"files[": "media["}


def param_of(field_name: str) -> str:
    """The Open311 parameter behind an intake error's field name."""
    for prefix, param in PARAM_PREFIXES.items():
        if field_name.startswith(prefix):
            return param + field_name[len(prefix) :]
    return PARAM_OF_FIELD.get(field_name, field_name)


@dataclass
class Problems:
    """What is wrong with a request, by HTTP status (the spec lists them all at once)."""

    by_status: dict[int, list[str]] = field(default_factory=dict)

    def add(self, status: int, description: str) -> None:
        self.by_status.setdefault(status, []).append(description)

    def first(self) -> tuple[int, list[str]] | None:
        if not self.by_status:
            return None
        status = min(self.by_status)  # 400 before 404
        return status, self.by_status[status]


@dataclass
class Submission:
    data: dict[str, Any]
    idempotency_key: str


def _float(params: dict[str, str], name: str, lo: float, hi: float, problems: Problems):
    raw = params.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
        if not lo <= value <= hi:
            raise ValueError
    except ValueError:
        problems.add(400, f"参数 {name} 须为 {lo} 到 {hi} 之间的数字")
        return None
    return value


def citizen_name(first: str | None, last: str | None) -> str:
    """Chinese names read family name first; Latin ones given name first."""
    first, last = first or "", last or ""
    if any(ord(ch) > 127 for ch in first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def parse(
    params: dict[str, str],
    attributes: dict[str, str],
    *,
    header_key: str,
    now: datetime,
    files: Sequence[UploadedFile] = (),
) -> Submission | Problems:
    """Check and map one POST; ``params`` hold only non-empty values (an empty parameter
    counts as absent)."""
    problems = Problems()
    for name, value in sorted(params.items()):
        bound = PARAM_LIMITS.get(name, limits.SHORT_TEXT)
        if len(value) > bound:
            problems.add(400, f"参数 {name} 不能超过 {bound:,} 个字符")
    if problems.by_status:
        return problems  # refused before anything looks at the text
    code = params.get("service_code")
    if code is None:
        problems.add(400, "缺少参数 service_code")
    elif find_service(code) is None:
        problems.add(404, f"服务 service_code={code} 不存在")

    lat = _float(params, "lat", -90, 90, problems)
    lng = _float(params, "long", -180, 180, problems)
    if (params.get("lat") is None) != (params.get("long") is None):
        problems.add(400, "参数 lat 与 long 须同时提供")
    address = params.get("address_string")
    area = None
    if params.get("address_id") is not None:
        area = Area.objects.filter(code=params["address_id"]).first()
        if area is None:
            problems.add(
                400, f"address_id={params['address_id']} 不是已知的地址编码（行政区划编码）"
            )
    located = (params.get("lat") and params.get("long")) or address or params.get("address_id")
    if not located:
        problems.add(400, "须提供位置：lat 和 long，或 address_string，或 address_id")

    values: dict[str, Any] = {}
    for code_, raw in attributes.items():
        attribute = ATTRIBUTES_BY_CODE.get(code_)
        if attribute is None:
            continue  # another service's attribute: ignored, as a form ignores unknown fields
        try:
            values[code_] = attribute.clean(raw)
        except ValueError as exc:
            problems.add(400, str(exc))
    if problems.by_status:
        return problems

    extra = {
        name: params[name]
        for name in ("email", "device_id", "account_id", "media_url")
        if params.get(name) is not None
    }
    if "urgency" in values:
        extra["urgency"] = values.pop("urgency")
    data: dict[str, Any] = {
        "category": code,
        "content": params.get("description"),
        "title": default_title(params.get("description")),
        "address": address or (full_area_name(area) if area else None),
        "area": area.code if area else None,
        "lat": lat,
        "lng": lng,
        "citizen_name": citizen_name(params.get("first_name"), params.get("last_name")) or None,
        "phone": params.get("phone"),
        **values,  # attribute[title] wins over the default title
        "extra": {"open311": extra} if extra else {},
    }
    data = {k: v for k, v in data.items() if v not in (None, "")}
    return Submission(data, idempotency_key(params, attributes, header_key, now, files))


def default_title(description: str | None, limit: int = 30) -> str | None:
    """The first sentence of the description, at most ``limit`` characters (§6.1.5 needs a
    title; the agent may rewrite it)."""
    if not description:
        return None
    first = re.split(r"[。！？!?\n]", description.strip(), maxsplit=1)[0].strip()
    return (first or description.strip())[:limit]


def full_area_name(area: Area) -> str:
    return "".join(a.name for a in [*area.ancestors(), area])


def idempotency_key(
    params: dict[str, str],
    attributes: dict[str, str],
    header_key: str,
    now: datetime,
    files: Sequence[UploadedFile] = (),
) -> str:
    device = params.get("device_id", "")
    own = header_key or params.get("idempotency_key", "")
    if own:
        return f"open311:{device}:{own}"[:200]
    body = {k: v for k, v in params.items() if k not in ("api_key", "idempotency_key")}
    body["attribute"] = attributes  # type: ignore[assignment]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode())
    for upload in files:
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        digest.update(b"\0")
    return f"open311:auto:{now.astimezone(SHANGHAI):%Y%m%d}:{digest.hexdigest()}"
