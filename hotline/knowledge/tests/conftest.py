"""Knowledge-base test set-up.  Personas (root conftest): the 受理员 ``agent`` answers
calls; the clerk of 海勃湾区住建局 (``clerk``) writes its unit's entries; ``district_clerk``
(海勃湾区人民政府, the parent unit) may edit them too; ``other_clerk`` (市政养护中心) may
not; the 督办员 ``supervisor`` moderates for the centre."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from hotline.knowledge import actions
from hotline.knowledge.index import INDEX

# Flows shared with the workbench tests (orders brought to a state through the actions).
from hotline.web.tests.conftest import flow  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_index():
    """The index lives per process; each test starts from its own database's entries."""
    INDEX.reset()
    yield
    INDEX.reset()


@pytest.fixture
def web(db):
    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make


FUND = {
    "title": "住宅专项维修资金使用流程",
    "questions": "楼顶漏水能用维修基金吗\n维修资金怎么申请使用",
    "keywords": "维修资金,漏水",
    "answer": "共用部位保修期满后维修，经业主双三分之二表决同意，向区住建局申请拨付维修资金。",
    "category": "housing_maintenance",
    "owner_unit": "t-hbw-zjj",
    "effective_from": date(2026, 1, 1),
    "review_on": date(2026, 12, 31),
}

LAMP = {
    "title": "路灯不亮报修渠道",
    "questions": "路灯坏了找谁\n晚上路灯不亮",
    "answer": "路灯故障由区市政养护中心负责，接报后24小时内修复。",
    "category": "street_light",
    "owner_unit": "t-hbw-szyh",
    "effective_from": date(2026, 1, 1),
}


@pytest.fixture
def make_entry(supervisor):
    """``make_entry(state="published", **values)``: an entry written by the centre."""

    def make(state: str = "published", by=None, **values):
        actor = by or supervisor
        entry = actions.do_create(actor, {**FUND, **values})
        if state in ("pending", "published", "expired"):
            entry = actions.do_submit(entry, actor)
        if state in ("published", "expired"):
            entry = actions.do_publish(entry, supervisor)
        if state == "expired":
            entry = actions.do_expire(entry, supervisor)
        return entry

    return make
