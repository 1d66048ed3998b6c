"""Supervision test set-up: an order dispatched to 海勃湾区住建局 on Monday 2026-03-02 09:00,
a unit with its leaders' phones on file, and the emergency department."""

from __future__ import annotations

from datetime import datetime

import pytest

from hotline.rules.calendar import SHANGHAI

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def worker_in_process(settings, tmp_path):
    """Tasks the code enqueues (the emergency hook's delivery) run in-process (huey's
    immediate mode), and the file gateway writes under the test's own directory."""
    from hotline.supervision.worker import HUEY

    settings.HOTLINE_OUTBOX = {**settings.HOTLINE_OUTBOX, "dir": tmp_path / "outbox"}
    before, HUEY.immediate = HUEY.immediate, True
    yield HUEY
    HUEY.immediate = before


@pytest.fixture
def phones(org, clerk):
    """Phone numbers on file: the clerk (承办人员), the unit's contact, leader and head, the
    emergency department."""
    from hotline.org.models import Unit

    Unit.objects.filter(pk=org.zjj.pk).update(
        phone="0473-3100001",
        contact_name="李联络",
        leader_name="周副局长",
        leader_phone="13900000002",
        head_name="吴局长",
        head_phone="13900000003",
    )
    Unit.objects.filter(pk=org.emergency.pk).update(phone="0473-3110000", contact_name="值班室")
    clerk.phone = "13900000001"
    clerk.save(update_fields=["phone"])
    for u in (org.zjj, org.emergency):
        u.refresh_from_db()
    return org


@pytest.fixture
def dispatch(agent, reviewer, appeal, phones):
    """``dispatch(at, **fields)`` → an order recorded, reviewed and dispatched to 住建局 at
    ``at`` (the 受理员 records it, the 审核员 dispatches it)."""
    from hotline.orders import actions

    def make(at: datetime = MONDAY, **fields):
        order = actions.do_create_order(agent, {**appeal, **fields}, now=at)
        actions.do_submit(order, agent, now=at)
        actions.do_dispatch(order, reviewer, lead_unit=phones.zjj, now=at)
        order.refresh_from_db()
        return order

    return make


@pytest.fixture
def gateway():
    """A gateway that records what it was asked to send."""

    class Recording:
        def __init__(self) -> None:
            self.sent: list = []
            self.fail_with: Exception | None = None

        def send(self, message):
            if self.fail_with is not None:
                raise self.fail_with
            self.sent.append(message)
            return f"ref-{len(self.sent)}"

    return Recording()


@pytest.fixture
def as_(db):
    """``as_(user)`` → an API client acting as that persona (the staff API's helper)."""
    from hotline.api.tests.conftest import Api

    return Api
