"""Attachments (§6.1.2): voice, image, video and documents stored on the order."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from hotline.orders import attachments
from hotline.orders.actions.base import (
    acting_unit,
    check_transition,
    lock_order,
    record_event,
    resolve_now,
)
from hotline.orders.errors import ValidationFailed
from hotline.orders.models import (
    Attachment,
    PendingUpload,
    Reply,
    WorkOrder,
)
from hotline.org.models import User


def do_attach(
    order: WorkOrder | int,
    actor: User | None,
    upload,
    *,
    purpose: str = "appeal",
    reply: Reply | None = None,
    now: datetime | None = None,
):
    """Link a voice, image, video or document file to the order (§6.1.2).

    ``upload`` is a file already stored by ``attachments.stage`` (what intake does, before
    the transaction that numbers the order) or a raw upload, which is checked (type sniffed
    from its bytes, size) and stored here first — before the order's row is locked, so
    writing a large file never holds the order.  Linking is one short transaction: the
    attachment row, the staged file's ``PendingUpload`` row removed, the timeline event.
    A raw upload whose linking fails is removed again; a staged one is the caller's (or,
    should everything die, the orphan purge's)."""
    now = resolve_now(now)
    if isinstance(upload, attachments.Staged):
        return _link(order, actor, upload, purpose, reply, now)
    if purpose not in dict(Attachment.PURPOSES):
        raise ValidationFailed({"purpose": "附件用途无效"})
    # refuse before storing anything when the actor may not attach at all
    current = WorkOrder.objects.select_related("lead_unit").get(
        pk=order.pk if isinstance(order, WorkOrder) else order
    )
    _check(current, actor, now)
    staged = attachments.stage(upload, now=now)
    try:
        return _link(order, actor, staged, purpose, reply, now)
    except BaseException:
        attachments.discard([staged])
        raise


def _check(order: WorkOrder, actor: User | None, now: datetime) -> None:
    check_transition(order, "attach", actor, now)
    if actor is not None and actor.effective_role == "unit":
        acting_unit(order, actor, lead_only=False)


@transaction.atomic
def _link(order, actor, staged, purpose: str, reply: Reply | None, now: datetime) -> Attachment:
    order = lock_order(order)
    _check(order, actor, now)
    if purpose not in dict(Attachment.PURPOSES):
        raise ValidationFailed({"purpose": "附件用途无效"})
    att = Attachment.objects.create(
        order=order,
        reply=reply,
        kind=staged.kind,
        purpose=purpose,
        file=staged.name,
        original_name=staged.original_name,
        content_type=staged.content_type,
        size=staged.size,
        sha256=staged.sha256,
        uploaded_by=actor,
        uploaded_at=now,
    )
    PendingUpload.objects.filter(pk=staged.pending_id).delete()
    record_event(
        order,
        actor,
        "attachment",
        now,
        from_state=order.state,
        data={
            "attachment": att.pk,
            "kind": att.kind,
            "name": att.original_name,
            "purpose": purpose,
        },
    )
    return att
