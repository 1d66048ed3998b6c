"""Every change to a work order, one ``do_*`` function each.

Each action runs in one transaction: it locks the order row (``select_for_update``; on
SQLite the IMMEDIATE transaction serialises writers), asks ``hotline.rules.lifecycle``
whether the actor's role may take the action from the current state, validates its input
against the standard, changes the rows, opens/closes the order's deadlines and appends one
timeline ``Event`` (who, when, what, from, to).  Whatever the entry point — web form, API,
command or worker — it comes through here; nothing is half-saved.

The actions are grouped by stage of the flow (``intake``, ``review``, ``dispatch``,
``handling``, ``closing``, ``duplicates``, ``calendar``, ``attachments``, ``retention``) on the shared
plumbing of ``base``, and re-exported here.  Supervision steps (催办, 督办) live in
``hotline.supervision.actions``.

``now`` is injectable everywhere (demo data, tests); it defaults to ``hotline.clock.now()``.
"""

from hotline.orders.actions.attachments import do_attach
from hotline.orders.actions.base import (
    ORDER_FIELDS,
    after_commit_hooks,
    event_hooks,
    next_number,
    policy,
    role_of,
)
from hotline.orders.actions.calendar import as_rule_deadline, recompute_provisional_deadlines
from hotline.orders.actions.closing import do_close, do_comment, do_record_callback, do_reopen
from hotline.orders.actions.dispatch import do_dispatch
from hotline.orders.actions.duplicates import do_link_duplicate, do_merge, do_unmerge
from hotline.orders.actions.handling import (
    do_accept_reply,
    do_co_sign,
    do_decide_extension,
    do_decide_suspension,
    do_no_further_handling,
    do_reply,
    do_request_extension,
    do_request_suspension,
    do_resume,
    do_reverify,
    do_sign,
    do_unit_return,
)
from hotline.orders.actions.intake import (
    do_accept,
    do_create_draft,
    do_create_order,
    do_direct_close,
    do_record_rejected,
    do_reject,
    do_submit,
    do_update,
)
from hotline.orders.actions.retention import do_purge_personal_data, retention_hooks
from hotline.orders.actions.review import do_return_to_intake
from hotline.orders.errors import ActionError

__all__ = [
    "ActionError",
    "ORDER_FIELDS",
    "after_commit_hooks",
    "event_hooks",
    "as_rule_deadline",
    "do_accept",
    "do_accept_reply",
    "do_attach",
    "do_close",
    "do_co_sign",
    "do_comment",
    "do_create_draft",
    "do_create_order",
    "do_decide_extension",
    "do_decide_suspension",
    "do_direct_close",
    "do_dispatch",
    "do_link_duplicate",
    "do_purge_personal_data",
    "do_merge",
    "do_no_further_handling",
    "do_record_callback",
    "do_record_rejected",
    "do_reject",
    "do_reopen",
    "do_reply",
    "do_request_extension",
    "do_request_suspension",
    "do_resume",
    "do_return_to_intake",
    "do_reverify",
    "do_sign",
    "do_submit",
    "do_unit_return",
    "do_unmerge",
    "do_update",
    "next_number",
    "policy",
    "recompute_provisional_deadlines",
    "retention_hooks",
    "role_of",
]
