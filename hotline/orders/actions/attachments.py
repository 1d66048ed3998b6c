"""Attachments (§6.1.2): voice, image, video and documents stored on the order."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from hotline.orders.actions.base import (
    acting_unit,
    check_transition,
    lock_order,
    record_event,
    resolve_now,
)
from hotline.orders.errors import ValidationFailed
from hotline.orders.models import (
    Reply,
    WorkOrder,
)
from hotline.org.models import User


@transaction.atomic
def do_attach(
    order: WorkOrder | int,
    actor: User | None,
    upload,
    *,
    purpose: str = "appeal",
    reply: Reply | None = None,
    now: datetime | None = None,
):
    """Store a voice, image, video or document file on the order (§6.1.2) after sniffing its
    type and checking its size.  The file is written before its row; if saving the row
    fails the file is removed again.  (A file orphaned by a later rollback of an enclosing
    transaction is harmless: nothing refers to it.)"""
    from hotline.orders import attachments
    from hotline.orders.models import Attachment

    now = resolve_now(now)
    order = lock_order(order)
    check_transition(order, "attach", actor, now)
    if actor is not None and actor.effective_role == "unit":
        acting_unit(order, actor, lead_only=False)
    if purpose not in dict(Attachment.PURPOSES):
        raise ValidationFailed({"purpose": "附件用途无效"})
    sniffed = attachments.check(upload)
    att = Attachment(
        order=order,
        reply=reply,
        kind=sniffed.kind,
        purpose=purpose,
        original_name=(getattr(upload, "name", "") or "file")[-200:],
        content_type=sniffed.content_type,
        size=sniffed.size,
        sha256=sniffed.sha256,
        uploaded_by=actor,
        uploaded_at=now,
    )
    att.file.save(att.original_name, upload, save=False)
    try:
        att.save()
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
    except BaseException:
        att.file.storage.delete(att.file.name)
        raise
    return att
