"""How much a person may send: the bounds on every text field and upload at every entrance.

The standard fixes the §6.1 fields (and the forms of an appeal, §6.1.2) but not their size;
a centre must bound them: one anonymous request must not be able to tie up a worker, fill
the disk or make a page unreadable.  The citizen portal is the strictest entrance (anyone, no login); staff forms,
the staff API, the channel API and Open311 share the general bound.  Every refusal names
the limit in Chinese (``too_long``).

Read it like ``lifecycle.TRANSITIONS``: one row per field, the portal bound beside the bound
everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextLimit:
    field: str
    label: str
    everywhere: int  # staff forms, staff API, channel API, Open311
    portal: int  # the citizen portal (anonymous)


# §6.1.5 / §6.1.6 fields of the work order, §6.1.4 the citizen.
ORDER_TEXT: tuple[TextLimit, ...] = (
    TextLimit("title", "诉求问题", 200, 200),
    TextLimit("address", "发生地址", 500, 500),
    TextLimit("content", "诉求内容", 20_000, 5_000),
    TextLimit("event_time", "事发时间", 100, 100),
    TextLimit("people", "涉及人物", 200, 200),
    TextLimit("cause", "事件起因", 5_000, 5_000),
    TextLimit("course", "事件经过", 5_000, 5_000),
    TextLimit("demand", "诉求", 5_000, 5_000),
    TextLimit("citizen_name", "姓名", 50, 50),
    TextLimit("citizen_phone", "联系电话", 30, 30),
    TextLimit("citizen_address", "联系地址", 300, 300),
)
ORDER_TEXT_BY_FIELD = {row.field: row for row in ORDER_TEXT}

# Free text staff write on an order: notes, reasons, replies (§6.4.3), answers (§6.7.1).
NOTE = 2_000
REPLY_PART = 10_000  # each of §6.4.3 a–d
PUBLIC_REPLY = 5_000
SEARCH_QUERY = 200  # a search box (knowledge base, unit search, order filters)
SHORT_TEXT = 200  # names, codes, identifiers, e-mail addresses, device ids
URL = 2_000
KNOWLEDGE_QUESTIONS = 5_000  # an entry's common questions, all lines together
KNOWLEDGE_ANSWER = 20_000  # an entry's answer (答复口径)
KNOWLEDGE_KEYWORDS = 300
CLIENT_EXTRA_JSON = 4_000  # a channel client's own fields kept with its submission

# Uploads on one public submission (portal, Open311, channel API).
PUBLIC_MAX_FILES = 9
PUBLIC_MAX_TOTAL_MB = 50
IMAGE_MAX_MEGAPIXELS = 40


def too_long(label: str, limit: int) -> str:
    """The refusal every entrance shows for an over-long text."""
    return f"{label}不能超过 {limit:,} 个字符"


def text_errors(values: dict[str, object], *, portal: bool = False) -> dict[str, str]:
    """Field → refusal for every order text field of ``values`` over its bound."""
    errors = {}
    for name, value in values.items():
        row = ORDER_TEXT_BY_FIELD.get(name)
        if row is None or not isinstance(value, str):
            continue
        limit = row.portal if portal else row.everywhere
        if len(value) > limit:
            errors[name] = too_long(row.label, limit)
    return errors


def megabytes(size: int) -> str:
    """A byte count as the refusals show it: ``50 MB``."""
    mb = size / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 1 else f"{size // 1024} KB"
