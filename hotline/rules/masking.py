"""Who sees which citizen fields of which order (§6.1.6 个人信息显示方式, PIPL) as one table.

Each row says: this viewer, on an order in this display mode, reads this much of the order
(``order``) and sees the citizen's name, phone and home address and the personal data typed
into the order's texts in this form — because of that clause.  Every surface (API, pages,
exports, timeline, search and filters, notifications, Open311, portal, dashboards) asks
``visibility`` through one Django helper (``hotline.orders.privacy``); nothing else decides.

Viewers (a unit's relation to an order comes from its assignments, ``unit_relation``)::

    centre      agent, reviewer, supervisor, callback agent, administrator, leader
    lead        the unit that now leads the order (主办), or led it to the end
    co          a current co-unit (协办)
    former      a unit that no longer holds the order: it returned it (退单) or was
                replaced by a re-dispatch or a reassignment on reopening (改派)
    unrelated   a unit the order was never dispatched to
    public      anyone on the open Internet (Open311 without a key)
    submitter   the channel client (API key holder) that sent the order in
    citizen     the citizen, proven by order number + the phone given at submission

Field forms: ``full`` (as stored), ``masked`` (王**, 139****5555), ``hidden`` (absent).
Text forms: ``original``; ``masked`` (personal data in free text replaced, shape kept:
139****5555, 1503**********0021); ``redacted`` (replaced by a placeholder such as
[电话已隐去], names and home addresses after a cue too — for publication).
Order forms: ``full``; ``own_part`` (a read-only summary of what this unit did — no citizen,
no content, no other unit's reply); ``published`` (the public fields of an accepted order);
``none`` (not found).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotline.rules.choices import Term, Vocabulary

CENTRE, LEAD, CO, FORMER, UNRELATED = "centre", "lead", "co", "former", "unrelated"
PUBLIC, SUBMITTER, CITIZEN = "public", "submitter", "citizen"

VIEWERS = Vocabulary(
    "viewer",
    [
        Term(CENTRE, "热线中心", "§4.1"),
        Term(LEAD, "主办单位", "§6.3"),
        Term(CO, "协办单位", "§6.3 [beyond]"),
        Term(FORMER, "原承办单位", "§6.3 [beyond]"),
        Term(UNRELATED, "无关单位", "SPEC §1"),
        Term(PUBLIC, "公众（Open311）", "§5.1"),
        Term(SUBMITTER, "提交渠道", "§5.1"),
        Term(CITIZEN, "服务对象本人", "§6.1.4"),
    ],
)

CENTRE_ROLES = frozenset({"agent", "reviewer", "supervisor", "callback", "admin", "leader"})

FULL, MASKED, HIDDEN = "full", "masked", "hidden"
ORIGINAL, REDACTED = "original", "redacted"
OWN_PART, PUBLISHED, NONE = "own_part", "published", "none"
ANY = "*"
MODES = ("public", "confidential")


@dataclass(frozen=True)
class Visibility:
    viewer: str
    mode: str  # display mode of the order (§6.1.6), or ANY
    order: str  # full | own_part | published | none
    name: str  # full | masked | hidden
    phone: str
    address: str
    text: str  # original | masked | redacted
    clause: str

    @property
    def unmasked(self) -> tuple[str, ...]:
        """The citizen fields shown as stored: what the personal-info access log records."""
        return tuple(
            f
            for f, form in (
                ("citizen_name", self.name),
                ("citizen_phone", self.phone),
                ("citizen_address", self.address),
            )
            if form == FULL
        )

    @property
    def sees_citizen(self) -> bool:
        """Whether this viewer may read the citizen as stored — and so search by it."""
        return self.phone == FULL and self.text == ORIGINAL


def _v(
    viewer: str,
    mode: str,
    order: str,
    name: str,
    phone: str,
    address: str,
    text: str,
    clause: str,
) -> Visibility:
    return Visibility(viewer, mode, order, name, phone, address, text, clause)


# fmt: off
POLICY: tuple[Visibility, ...] = (
    #  viewer     mode            order      name    phone   address text      clause
    _v(CENTRE,    ANY,            FULL,      FULL,   FULL,   FULL,   ORIGINAL,
       "§6.1.6; §6.8 callback needs the contact; every unmasked view logged (PIPL Art. 51)"),
    _v(LEAD,      "public",       FULL,      FULL,   FULL,   FULL,   ORIGINAL,
       "§6.1.6 public; §6.4.3 b the unit contacts the citizen"),
    _v(LEAD,      "confidential", FULL,      MASKED, MASKED, HIDDEN, MASKED,
       "§6.1.6 confidential: handling units see a masked name and phone"),
    _v(CO,        "public",       FULL,      FULL,   FULL,   FULL,   ORIGINAL,
       "§6.1.6 public; §6.3 co-units handle their part"),
    _v(CO,        "confidential", FULL,      MASKED, MASKED, HIDDEN, MASKED,
       "§6.1.6 confidential"),
    _v(FORMER,    ANY,            OWN_PART,  HIDDEN, HIDDEN, HIDDEN, REDACTED,
       "PIPL Art. 6 minimum necessary: a unit no longer handling keeps only its own record"),
    _v(UNRELATED, ANY,            NONE,      HIDDEN, HIDDEN, HIDDEN, MASKED,
       "SPEC §1: a unit sees the orders dispatched to it"),
    _v(PUBLIC,    "public",       PUBLISHED, HIDDEN, HIDDEN, HIDDEN, REDACTED,
       "§5.1 public service; PIPL Art. 25 no publication of personal information"),
    _v(PUBLIC,    "confidential", NONE,      HIDDEN, HIDDEN, HIDDEN, REDACTED,
       "§6.1.6 confidential: never published"),
    _v(SUBMITTER, ANY,            FULL,      FULL,   FULL,   FULL,   ORIGINAL,
       "§5.1: the channel sees what it sent in on the citizen's behalf"),
    _v(CITIZEN,   ANY,            FULL,      FULL,   FULL,   FULL,   ORIGINAL,
       "PIPL Art. 45: the citizen may consult their own information"),
)
# fmt: on

_BY_KEY = {(v.viewer, v.mode): v for v in POLICY}


def visibility(viewer: str, mode: str) -> Visibility:
    """The row for ``viewer`` on an order in display ``mode`` (an exact row first, then
    the row for any mode).  Unknown viewers and modes see nothing."""
    if viewer not in VIEWERS:
        raise KeyError(f"unknown viewer {viewer!r}")
    row = _BY_KEY.get((viewer, mode)) or _BY_KEY.get((viewer, ANY))
    if row is None:  # a display mode the table does not know: the strictest row
        row = _BY_KEY.get((viewer, "confidential")) or _BY_KEY[(viewer, ANY)]
    return row


# ---------------------------------------------------------------------------
# a unit's relation to an order, from its assignment rows


@dataclass(frozen=True)
class AssignmentFact:
    """One assignment row as the relation needs it: its role (lead/co) and whether and why
    it ended."""

    role: str
    ended: bool = False
    end_reason: str = ""


# Reasons an assignment ends that take the order away from the unit (退单, 改派).
TAKEN_AWAY = frozenset({"unit_return", "redispatch"})


def relation_of(rows_by_unit: Mapping[object, Sequence[AssignmentFact]]) -> str:
    """A viewer's relation to an order from the assignment rows of the viewer's units
    (its own unit and, for a parent unit's user, the units below it), each unit's rows
    oldest first.

    Each unit's *latest* row counts: a unit that returned an order and got it back holds it
    again.  A latest row still running, or ended because the order was completed (办结 —
    a reopening renews the rows of the same units), makes the unit ``lead`` or ``co``; one
    ended by 退单 or 改派 makes it ``former``; no row at all, ``unrelated``.  With several
    units the closest relation wins: lead, then co, then former.
    """
    relations = set()
    for rows in rows_by_unit.values():
        if not rows:
            continue
        last = rows[-1]
        if last.ended and last.end_reason in TAKEN_AWAY:
            relations.add(FORMER)
        else:
            relations.add(LEAD if last.role == "lead" else CO)
    for rel in (LEAD, CO, FORMER):
        if rel in relations:
            return rel
    return UNRELATED


# ---------------------------------------------------------------------------
# purposes of an unmasked view (the access log's ``purpose``)

PURPOSES = Vocabulary(
    "purpose",
    [
        Term("intake", "受理登记", "§6.1"),
        Term("review", "审核派转", "§6.2, §6.3"),
        Term("handling", "承办处置", "§6.4"),
        Term("supervision", "催办督办", "§6.5"),
        Term("callback", "回访", "§6.8"),
        Term("management", "管理与考核", "§4.1 b"),
        Term("export", "导出", "PIPL Art. 51"),
    ],
)

_ROLE_PURPOSE = {
    "agent": "intake",
    "reviewer": "review",
    "unit": "handling",
    "supervisor": "supervision",
    "callback": "callback",
    "admin": "management",
    "leader": "management",
}


def purpose_for_role(role: str) -> str:
    """Why a person in ``role`` reads a citizen's data: their duty in the flow."""
    return _ROLE_PURPOSE.get(role, "management")
