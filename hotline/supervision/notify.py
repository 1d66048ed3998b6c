"""Who a notice goes to and what it says: turns (recipients × channels) of a rung, a
deadline reminder or an emergency report into outbox drafts.  Each draft carries an
idempotency key built from the key of the work that produced it, so producing the same
work twice can never queue a second message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from hotline.orders import privacy
from hotline.orders.models import WorkOrder
from hotline.org.models import Unit, User
from hotline.rules import screening
from hotline.rules.deadlines import DEADLINE_KINDS, due_text, remaining_text


@dataclass(frozen=True)
class Draft:
    """One message to queue (see ``models.Message``)."""

    key: str
    channel: str
    to: str
    to_name: str
    kind: str
    level: str
    subject: str
    body: str
    order_id: int | None = None
    unit_id: int | None = None
    user_id: int | None = None
    role: str = ""


@dataclass(frozen=True)
class Text:
    kind: str
    level: str
    subject: str
    body: str


def centre() -> str:
    return settings.HOTLINE_CENTRE_NAME


def _when(t: datetime) -> str:
    return due_text(t)


def _order(order: WorkOrder) -> str:
    # notices go to handling units and their leaders: the title as a unit may read it
    # (§6.1.6 — personal data in a confidential order's title masked)
    return f"工单{order.number}“{privacy.unit_text(order, order.title)}”"


def deadline_text(stage: str, kind: str, order: WorkOrder, due: datetime, now: datetime) -> Text:
    """The sweep's own reminder when a deadline turns yellow or red (§6.5 a)."""
    label = DEADLINE_KINDS.label(kind)
    if stage == "warning":
        return Text(
            "deadline_warning",
            "warning",
            f"即将超期：{order.number}",
            f"【{centre()}】{_order(order)}{label}将于{_when(due)}到期"
            f"（{remaining_text(due, now)}），请及时办理。",
        )
    return Text(
        "deadline_overdue",
        "danger",
        f"已超期：{order.number}",
        f"【{centre()}】{_order(order)}{label}已于{_when(due)}到期，现{remaining_text(due, now)}，"
        "请立即办理并反馈（§6.5）。",
    )


def rung_text(order: WorkOrder, label: str, reason: str, unit: Unit | None) -> Text:
    """A rung the system takes (smart or SMS supervision, §6.5 a/c)."""
    who = unit.name if unit else "承办单位"
    return Text(
        "supervision",
        "danger",
        f"督办：{order.number}",
        f"【{centre()}·{label.split('：')[0]}】{who}：{_order(order)}{reason}。"
        "请立即签收办理并答复，逾期将逐级升级督办。",
    )


def suggestion_text(order: WorkOrder, label: str, reason: str) -> Text:
    """A rung that only a person can take (phone, other forms): tell the supervisors."""
    return Text(
        "suggestion",
        "warning",
        f"建议{label.split('：')[0]}：{order.number}",
        f"{_order(order)}{reason}，建议：{label}。",
    )


def emergency_text(order: WorkOrder, unit: Unit | None) -> Text:
    """§6.4.4: an emergency order is reported to the emergency department at once."""
    kind = screening.EMERGENCY_KINDS.label(order.emergency_kind)
    where = f"，已派转{unit.name}，须2小时内反馈（§6.4.2）" if unit else ""
    return Text(
        "emergency",
        "danger",
        f"应急工单：{order.number}",
        f"【{centre()}·应急】{kind}：{privacy.unit_text(order, order.title)}，"
        f"地点：{privacy.unit_text(order, order.address)}{where}。",
    )


def drafts(
    key: str,
    text: Text,
    *,
    order: WorkOrder,
    unit: Unit | None,
    recipients: tuple[str, ...] | list[str],
    channels: tuple[str, ...] | list[str],
    handlers: list[User] | None = None,
    emergency_units: list[Unit] | None = None,
) -> list[Draft]:
    """Messages for each recipient on each channel that can reach it.  Addresses that are
    not on file (a leader without a phone) are skipped."""
    out: dict[tuple[str, str], Draft] = {}

    def add(channel: str, to: str, name: str, **refs) -> None:
        if not to or (channel, to) in out:
            return
        out[(channel, to)] = Draft(
            key=f"{key}:{channel}:{to}"[:200],
            channel=channel,
            to=to,
            to_name=name[:100],
            kind=text.kind,
            level=text.level,
            subject=text.subject[:200],
            body=text.body,
            order_id=order.pk,
            **refs,
        )

    for channel in channels:
        for who in recipients:
            if who in ("handlers", "unit") and unit is not None:
                if channel == "system":
                    add(channel, f"unit:{unit.pk}", unit.name, unit_id=unit.pk)
                elif who == "unit":
                    add(channel, unit.phone, unit.contact_name or unit.name, unit_id=unit.pk)
                else:
                    if handlers is None:
                        handlers = unit_handlers(unit)
                    for u in handlers:
                        add(channel, u.phone, u.display_name, unit_id=unit.pk, user_id=u.pk)
            elif who in ("leader", "head") and unit is not None and channel != "system":
                phone = unit.leader_phone if who == "leader" else unit.head_phone
                name = unit.leader_name if who == "leader" else unit.head_name
                add(channel, phone, f"{unit.name}{name}", unit_id=unit.pk)
            elif who == "emergency":
                for e in emergency_units if emergency_units is not None else emergency_depts():
                    if channel == "system":
                        add(channel, f"unit:{e.pk}", e.name, unit_id=e.pk)
                    else:
                        add(channel, e.phone, e.contact_name or e.name, unit_id=e.pk)
            elif who == "supervisors" and channel == "system":
                add(channel, "role:supervisor", "督办岗", role="supervisor")
    return list(out.values())


def unit_handlers(unit: Unit) -> list[User]:
    return list(User.objects.filter(unit=unit, role="unit", is_active=True).exclude(phone=""))


def emergency_depts() -> list[Unit]:
    """§6.4.4: the emergency department(s) — active units of kind ``emergency``."""
    return list(Unit.objects.filter(kind="emergency", active=True).order_by("pk"))
