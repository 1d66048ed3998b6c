"""Every change to a knowledge entry (§4.2 c): one transaction, the entry row locked, one
append-only ``EntryVersion`` per change and the global ``Stamp`` moved on so every
process's search index picks the change up.  Errors are the core's ``ActionError``s with
Chinese messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import F

from hotline import clock
from hotline.catalog.models import Category
from hotline.knowledge import queries as q
from hotline.knowledge.choices import TRANSITIONS
from hotline.knowledge.models import Entry, EntryAttachment, EntryUse, EntryVersion, Stamp
from hotline.orders.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.org.models import Unit
from hotline.rules import limits

# The fields a version snapshots and an edit may change.
FIELDS = (
    "title",
    "questions",
    "keywords",
    "answer",
    "category",
    "owner_unit",
    "effective_from",
    "expires_on",
    "review_on",
)


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def next_stamp() -> int:
    """Move the global stamp on by one (inside the caller's transaction)."""
    row = Stamp.objects.select_for_update().filter(pk=1).first()
    if row is None:
        row = Stamp.objects.create(pk=1, value=0)
        row = Stamp.objects.select_for_update().get(pk=1)
    Stamp.objects.filter(pk=1).update(value=F("value") + 1)
    return row.value + 1


def snapshot(entry: Entry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "questions": entry.questions,
        "keywords": entry.keywords,
        "answer": entry.answer,
        "category": entry.category.code,
        "category_name": entry.category.name,
        "owner_unit": entry.owner_unit.code,
        "owner_unit_name": entry.owner_unit.name,
        "effective_from": entry.effective_from.isoformat(),
        "expires_on": entry.expires_on.isoformat() if entry.expires_on else None,
        "review_on": entry.review_on.isoformat() if entry.review_on else None,
        "state": entry.state,
    }


def _version(entry: Entry, actor, action: str, now: datetime, changed=(), note: str = ""):
    last = entry.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return EntryVersion.objects.create(
        entry=entry,
        number=last + 1,
        action=action,
        state=entry.state,
        changed=list(changed),
        snapshot=snapshot(entry),
        note=note,
        actor=actor,
        at=now,
    )


def _lock(entry: Entry | int) -> Entry:
    pk = entry.pk if isinstance(entry, Entry) else entry
    found = (
        Entry.objects.select_for_update()
        .select_related("owner_unit", "category")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("知识条目不存在")
    return found


def _date(value: Any, field: str, label: str, errors: dict, *, required: bool = False):
    if value in (None, ""):
        if required:
            errors[field] = f"{label}为必填项"
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors[field] = f"{label}格式应为 年-月-日，例如 2026-01-31"
        return None


def _unit(value: Any) -> Unit | None:
    if isinstance(value, Unit):
        return value
    if value in (None, ""):
        return None
    text = str(value).strip()
    found = Unit.objects.filter(code=text).first() or Unit.objects.filter(name=text).first()
    if found is None and text.isdigit():
        found = Unit.objects.filter(pk=int(text)).first()
    return found


def _category(value: Any) -> Category | None:
    if isinstance(value, Category):
        return value
    if value in (None, ""):
        return None
    text = str(value).strip()
    found = Category.objects.filter(code=text).first() or Category.objects.filter(name=text).first()
    if found is None and text.isdigit():
        found = Category.objects.filter(pk=int(text)).first()
    return found


def clean(actor, values: dict[str, Any], *, today: date) -> dict[str, Any]:
    """Check and convert one entry's input; raises ``ValidationFailed`` with every field
    error at once (the form and the xlsx import show them all)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    title = str(values.get("title") or "").strip()
    if not title:
        errors["title"] = "标题为必填项"
    elif len(title) > 200:
        errors["title"] = "标题不能超过200字"
    out["title"] = title
    questions = values.get("questions") or ""
    if isinstance(questions, (list, tuple)):
        questions = "\n".join(str(x) for x in questions)
    out["questions"] = "\n".join(
        line.strip() for line in str(questions).replace("\r", "").split("\n") if line.strip()
    )
    out["keywords"] = str(values.get("keywords") or "").strip()
    answer = str(values.get("answer") or "").strip()
    if not answer:
        errors["answer"] = "答复口径为必填项"
    out["answer"] = answer
    for name, label, bound in (
        ("questions", "常见问法", limits.KNOWLEDGE_QUESTIONS),
        ("keywords", "关键词", limits.KNOWLEDGE_KEYWORDS),
        ("answer", "答复口径", limits.KNOWLEDGE_ANSWER),
    ):
        if len(out[name]) > bound:
            errors[name] = limits.too_long(label, bound)
    cat = _category(values.get("category"))
    if cat is None:
        errors["category"] = (
            "诉求分类为必填项" if values.get("category") in (None, "") else "诉求分类不存在"
        )
    out["category"] = cat
    unit = _unit(values.get("owner_unit"))
    if unit is None:
        errors["owner_unit"] = (
            "责任单位为必填项" if values.get("owner_unit") in (None, "") else "责任单位不存在"
        )
    elif not q.owned_units(actor).filter(pk=unit.pk).exists():
        errors["owner_unit"] = "只能维护本单位及下级单位的知识条目"
    out["owner_unit"] = unit
    start = _date(values.get("effective_from"), "effective_from", "生效日期", errors)
    out["effective_from"] = start or (today if "effective_from" not in errors else None)
    out["expires_on"] = _date(values.get("expires_on"), "expires_on", "失效日期", errors)
    out["review_on"] = _date(values.get("review_on"), "review_on", "复核日期", errors)
    if out["expires_on"] and out["effective_from"] and out["expires_on"] < out["effective_from"]:
        errors["expires_on"] = "失效日期不能早于生效日期"
    if errors:
        raise ValidationFailed(errors)
    return out


def _require_author(actor) -> None:
    if not q.can_author(actor):
        raise Forbidden("只有承办单位和热线中心可以维护知识库")


def _require_edit(actor, entry: Entry) -> None:
    if not q.can_edit(actor, entry):
        raise Forbidden("只能维护本单位及下级单位的知识条目")


@transaction.atomic
def do_create(
    actor, values: dict[str, Any], *, now: datetime | None = None, action: str = "create"
) -> Entry:
    """A new entry, as a draft (§4.2 c: the unit writes, the centre publishes)."""
    now = _now(now)
    _require_author(actor)
    data = clean(actor, values, today=q.today(now))
    entry = Entry.objects.create(
        **data,
        state="draft",
        stamp=next_stamp(),
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )
    _version(entry, actor, action, now, changed=FIELDS)
    return entry


@transaction.atomic
def do_update(
    entry: Entry | int,
    actor,
    values: dict[str, Any],
    *,
    now: datetime | None = None,
    action: str = "update",
    note: str = "",
) -> Entry:
    """Edit an entry's content.  A published entry stays published: the change is in force
    at once and shows in the version history for the centre to check."""
    now = _now(now)
    entry = _lock(entry)
    _require_edit(actor, entry)
    merged = {f: getattr(entry, f) for f in FIELDS}
    merged.update({k: v for k, v in values.items() if k in FIELDS})
    data = clean(actor, merged, today=q.today(now))
    changed = [f for f in FIELDS if getattr(entry, f) != data[f]]
    if not changed:
        return entry
    for f in changed:
        setattr(entry, f, data[f])
    entry.stamp = next_stamp()
    entry.updated_by, entry.updated_at = actor, now
    entry.save()
    _version(entry, actor, action, now, changed=changed, note=note)
    return entry


@transaction.atomic
def do_transition(
    entry: Entry | int, actor, action: str, *, note: str = "", now: datetime | None = None
) -> Entry:
    """Move an entry along ``choices.TRANSITIONS`` (submit, publish, return, expire,
    reopen)."""
    now = _now(now)
    if action not in TRANSITIONS:
        raise ValidationFailed({"action": "未知操作"})
    sources, target, who, label = TRANSITIONS[action]
    entry = _lock(entry)
    if who == "centre" and not q.is_centre(actor):
        raise Forbidden(f"{label}须由热线中心审核人员操作")
    _require_edit(actor, entry)
    if entry.state not in sources:
        raise Conflict(
            f"条目当前为“{entry.state_label}”，不能{label}",
            state=entry.state,
            state_label=entry.state_label,
        )
    if action == "return" and not note.strip():
        raise ValidationFailed({"note": "退回修改须说明原因"})
    if len(note) > limits.NOTE:
        raise ValidationFailed({"note": limits.too_long("说明", limits.NOTE)})
    entry.state = target
    if target == "published":
        entry.published_at = now
    entry.stamp = next_stamp()
    entry.updated_by, entry.updated_at = actor, now
    entry.save()
    _version(entry, actor, action, now, changed=["state"], note=note.strip())
    return entry


def do_submit(entry, actor, **kw) -> Entry:
    return do_transition(entry, actor, "submit", **kw)


def do_publish(entry, actor, **kw) -> Entry:
    return do_transition(entry, actor, "publish", **kw)


def do_return(entry, actor, **kw) -> Entry:
    return do_transition(entry, actor, "return", **kw)


def do_expire(entry, actor, **kw) -> Entry:
    return do_transition(entry, actor, "expire", **kw)


def do_reopen(entry, actor, **kw) -> Entry:
    return do_transition(entry, actor, "reopen", **kw)


@transaction.atomic
def do_attach(entry: Entry | int, actor, upload, *, now: datetime | None = None):
    """Store a file on the entry after the core's sniffing and size checks (§6.1.2)."""
    from hotline.orders import attachments

    now = _now(now)
    entry = _lock(entry)
    _require_edit(actor, entry)
    sniffed = attachments.check(upload)
    att = EntryAttachment(
        entry=entry,
        kind=sniffed.kind,
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
    except Exception:
        att.file.delete(save=False)
        raise
    entry.updated_by, entry.updated_at = actor, now
    entry.save(update_fields=["updated_by", "updated_at"])
    _version(entry, actor, "attach", now, note=att.original_name)
    return att


@transaction.atomic
def do_record_use(entry: Entry | int, order, actor, *, now: datetime | None = None) -> EntryUse:
    """The agent quoted ``entry`` to close ``order`` directly (§6.7.1): one ``EntryUse``
    and the entry's usage count up by one (``F()``, so concurrent closes all count).
    Only an entry valid today may be quoted."""
    now = _now(now)
    pk = entry.pk if isinstance(entry, Entry) else entry
    found = q.visible_entries(actor, q.today(now)).filter(pk=pk).first()
    if found is None or not found.is_valid_on(q.today(now)):
        raise ValidationFailed({"answer": "所引用的知识条目不存在或已失效，请重新检索"})
    use, created = EntryUse.objects.get_or_create(
        entry=found, order=order, defaults={"actor": actor, "at": now}
    )
    if created:
        Entry.objects.filter(pk=found.pk).update(usage_count=F("usage_count") + 1)
    return use
