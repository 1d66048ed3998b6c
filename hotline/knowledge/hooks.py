"""What the knowledge base plugs into the intake form (``hotline.common.hooks``)."""

from __future__ import annotations

from hotline.knowledge import actions
from hotline.orders.errors import ValidationFailed


def link_entry(order, user, data: dict) -> None:
    """Inside the direct-close transaction (§6.7.1): link the entry the agent quoted
    (posted as ``knowledge_entry``) to the order and count the use.  A stale or unknown
    entry undoes the whole close with a message beside the answer."""
    raw = str(data.get("knowledge_entry") or "").strip()
    if not raw:
        return
    if not raw.isdigit():
        raise ValidationFailed({"answer": "所引用的知识条目无效，请重新检索"})
    actions.do_record_use(int(raw), order, user)
