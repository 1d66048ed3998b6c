"""The work-order lifecycle of §6 as one table you can read in one screen.

Each row says: this action, by these roles, from these states, leads to that state, because
of that clause.  The Django actions (``hotline.orders.actions``) look every change up here
before they touch the database; nothing else decides whether a transition is legal.

States::

    draft ─accept→ accepted ─submit→ pending_review ─dispatch→ dispatched ─sign→ handling
      └reject→ rejected  │direct_close→ closed    │return_to_intake→ returned (→ submit again)
    handling ⇄ extension_requested (approve/deny) · handling ⇄ suspension_requested → suspended
    handling ─reply / no_further_handling→ replied ─accept_reply→ pending_callback ─close→ closed
    replied ─reverify→ reverify ─reply→ replied · dispatched/handling ─unit_return→ pending_review
    pending_callback / closed ─reopen→ dispatched
    draft/accepted/returned/pending_review ─merge→ merged ─unmerge→ accepted   (并单)
    merged follows its main order: called back when the main waits for callback, closed with it
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from hotline.rules.choices import Term, Vocabulary
from hotline.rules.taxonomy import ROLES

STATES = Vocabulary(
    "state",
    [
        Term("draft", "待受理", "§5.1", "secondary"),
        Term("accepted", "已受理", "§6.1.1", "info"),
        Term("rejected", "不予受理", "§5.3", "dark"),
        Term("pending_review", "待审核", "§6.2", "primary"),
        Term("returned", "退回受理", "§6.2", "warning"),
        Term("dispatched", "待签收", "§6.3", "primary"),
        Term("handling", "办理中", "§6.4", "primary"),
        Term("extension_requested", "延期申请中", "§6.4.1", "warning"),
        Term("suspension_requested", "挂单申请中", "§6.4.1", "warning"),
        Term("suspended", "挂单中", "§6.4.1", "secondary"),
        Term("replied", "已答复待认定", "§6.6", "info"),
        Term("reverify", "再核实", "§6.6.2", "warning"),
        Term("pending_callback", "待回访", "§6.7.2", "info"),
        Term("closed", "已办结", "§6.7", "success"),
        # 并单: the same matter already reported (§6.6.3 c) is handled under a main order
        Term("merged", "已并单", "§6.6.3 c [beyond]", "secondary"),
    ],
)

TERMINAL = frozenset({"rejected"})
# States in which a handling unit holds the order; supervision (§6.5) watches these.
WITH_UNIT = frozenset(
    {
        "dispatched",
        "handling",
        "extension_requested",
        "suspension_requested",
        "suspended",
        "reverify",
    }
)
OPEN = frozenset(STATES.codes) - {"rejected", "closed"}

AGENT, REVIEWER, UNIT, SUPERVISOR, CALLBACK, ADMIN, LEADER = (
    "agent",
    "reviewer",
    "unit",
    "supervisor",
    "callback",
    "admin",
    "leader",
)
SYSTEM = "system"  # the background worker acting on its own (smart supervision, §6.5 a)
CENTRE = frozenset({REVIEWER, SUPERVISOR, ADMIN})  # "热线服务机构" decisions


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change (a record on the timeline)
    roles: frozenset[str]
    clause: str


def _t(
    action: str,
    label: str,
    sources: Set[str],
    target: str | None,
    roles: Set[str],
    clause: str,
) -> Transition:
    for s in sources | ({target} if target else set()):
        if s not in STATES:
            raise ValueError(f"unknown state {s}")
    return Transition(action, label, frozenset(sources), target, frozenset(roles | {ADMIN}), clause)


_INTAKE = {"accepted", "returned"}
_WORKING = {"handling", "reverify"}
# An order may be merged (并单) into another before a unit holds it; a linked duplicate is only
# a record on both timelines.  §6.6.3 c: the same fact raised again is not handled twice.
_MERGEABLE = {"draft", "accepted", "returned", "pending_review"}

# "create" is recording and accepting in one step: a new order is a draft until accepted.
TRANSITIONS: tuple[Transition, ...] = (
    _t("create", "登记受理", {"draft"}, "accepted", {AGENT}, "§6.1.1"),
    # SYSTEM: a channel whose submissions the centre's policy accepts directly (§5.1).
    _t("accept", "受理渠道诉求", {"draft"}, "accepted", {AGENT, SYSTEM}, "§6.1.1"),
    _t("reject", "不予受理", {"draft"} | _INTAKE, "rejected", {AGENT}, "§5.3"),
    _t("update", "修改工单", {"draft"} | _INTAKE, None, {AGENT}, "§6.1"),
    _t("direct_close", "直办结案", _INTAKE, "closed", {AGENT}, "§6.7.1"),
    _t("submit", "提交审核", _INTAKE, "pending_review", {AGENT}, "§6.2"),
    _t("return_to_intake", "退回受理", {"pending_review"}, "returned", {REVIEWER}, "§6.2"),
    _t("dispatch", "派转", {"pending_review"}, "dispatched", {REVIEWER}, "§6.3"),
    _t("sign", "签收", {"dispatched"}, "handling", {UNIT}, "§6.3"),
    _t("co_sign", "协办签收", WITH_UNIT, None, {UNIT}, "§6.3 [beyond]"),
    _t(
        "unit_return",
        "退单",
        {"dispatched", "handling"},
        "pending_review",
        {UNIT},
        "§6.3 [beyond]",
    ),
    _t("request_extension", "申请延期", {"handling"}, "extension_requested", {UNIT}, "§6.4.1"),
    _t("approve_extension", "批准延期", {"extension_requested"}, "handling", CENTRE, "§6.4.1"),
    _t("deny_extension", "驳回延期", {"extension_requested"}, "handling", CENTRE, "§6.4.1"),
    _t("request_suspension", "申请挂单", {"handling"}, "suspension_requested", {UNIT}, "§6.4.1"),
    _t("approve_suspension", "批准挂单", {"suspension_requested"}, "suspended", CENTRE, "§6.4.1"),
    _t("deny_suspension", "驳回挂单", {"suspension_requested"}, "handling", CENTRE, "§6.4.1"),
    _t("resume", "恢复办理", {"suspended"}, "handling", {UNIT} | CENTRE, "§6.4.1"),
    _t("reply", "答复", _WORKING, "replied", {UNIT}, "§6.4.2, §6.4.3"),
    _t("no_further_handling", "不再办理", _WORKING, "replied", {UNIT}, "§6.6.3"),
    _t(
        "accept_reply", "答复认定通过", {"replied"}, "pending_callback", CENTRE | {CALLBACK}, "§6.6"
    ),
    _t("reverify", "再次核实", {"replied"}, "reverify", CENTRE | {CALLBACK}, "§6.6.2"),
    # §6.5 supervises the handling units: only while a unit holds the order.  Both are also
    # guarded by time (``hotline.orders.guards``): a call before any deadline has passed is
    # a 提醒, not a 催办, and 督办 is for overdue orders only.
    _t("remind", "电话催办", WITH_UNIT, None, {SUPERVISOR}, "§6.5"),
    _t("supervise", "督办", WITH_UNIT, None, {SUPERVISOR, SYSTEM}, "§6.5 a–d"),
    # a merged order's citizen is called back too, once the main order waits for callback;
    # SYSTEM: a smart callback (SMS/WeChat survey, the citizen's own rating, §6.8.2) records
    # the answer and closes a satisfied, resolved order by itself (rules.callback.VERDICTS)
    _t(
        "record_callback",
        "记录回访",
        {"pending_callback", "merged"},
        None,
        {CALLBACK, SYSTEM},
        "§6.8, §6.8.2",
    ),
    _t("close", "回访结案", {"pending_callback"}, "closed", {CALLBACK, SYSTEM}, "§6.7.2, §6.8.2"),
    _t(
        "reopen",
        "重办",
        {"pending_callback", "closed"},
        "dispatched",
        {CALLBACK} | CENTRE,
        "§6.8 [beyond]",
    ),
    _t(
        "link_duplicate",
        "关联重复工单",
        OPEN - {"merged"},
        None,
        {AGENT, REVIEWER, SUPERVISOR, CALLBACK},
        "§6.6.3 c [beyond]",
    ),
    _t("merge", "并单", _MERGEABLE, "merged", {AGENT, REVIEWER}, "§6.6.3 c [beyond]"),
    _t("unmerge", "取消并单", {"merged"}, "accepted", {AGENT, REVIEWER}, "§6.6.3 c [beyond]"),
    _t("comment", "备注", OPEN, None, {AGENT, REVIEWER, UNIT, SUPERVISOR, CALLBACK}, "§6.1"),
    _t(
        "attach",
        "上传附件",
        OPEN,
        None,
        {AGENT, REVIEWER, UNIT, SUPERVISOR, CALLBACK, SYSTEM},
        "§6.1.2",
    ),
)

TRANSITIONS_BY_ACTION = {t.action: t for t in TRANSITIONS}
ACTIONS = Vocabulary("action", [Term(t.action, t.label, t.clause) for t in TRANSITIONS])


class IllegalTransition(Exception):
    """The action is not allowed from the order's current state."""

    def __init__(self, action: str, state: str) -> None:
        t = TRANSITIONS_BY_ACTION.get(action)
        label = t.label if t else action
        super().__init__(f"工单当前状态为“{STATES.label(state)}”，不能执行“{label}”")
        self.action = action
        self.state = state


class RoleNotAllowed(Exception):
    """The actor's role may not perform the action."""

    def __init__(self, action: str, role: str) -> None:
        t = TRANSITIONS_BY_ACTION.get(action)
        label = t.label if t else action
        super().__init__(f"“{ROLES.label(role)}”角色无权执行“{label}”")
        self.action = action
        self.role = role


def transition(action: str, state: str, role: str) -> Transition:
    """Look up ``action`` for an order in ``state`` done by ``role``.

    Raises ``RoleNotAllowed`` (the role never may) before ``IllegalTransition`` (not now).
    """
    t = TRANSITIONS_BY_ACTION[action]
    if role not in t.roles:
        raise RoleNotAllowed(action, role)
    if state not in t.sources:
        raise IllegalTransition(action, state)
    return t


def allowed_actions(state: str, role: str) -> list[str]:
    """Actions ``role`` may take on an order in ``state`` — what the UI offers as buttons."""
    return [t.action for t in TRANSITIONS if state in t.sources and role in t.roles]


# ---------------------------------------------------------------------------
# Guards: facts the table alone cannot see.


def may_close_after_callback(
    reached_callbacks: int, failed_attempts: int, max_attempts: int
) -> bool:
    """§6.7.2: a transferred order closes only after the citizen was called back.  A citizen
    who cannot be reached after the centre's maximum attempts does not block closing
    (SPEC §6: unreachable citizens are retried per policy)."""
    return reached_callbacks > 0 or failed_attempts >= max_attempts


SUPERVISION_LADDER = ("smart", "phone", "sms", "other")  # §6.5 a → d, the default escalation
