"""The entry's life: draft → 待审核 → 已发布 → 已失效 (→ 草稿 again), each change one
version row with who, when and what changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from hotline.knowledge import actions
from hotline.knowledge.models import EntryVersion
from hotline.knowledge.tests.conftest import FUND
from hotline.orders.errors import Conflict, ValidationFailed


@pytest.mark.clause("4.2")
def test_unit_submits_centre_returns_unit_fixes_centre_publishes_then_it_expires(clerk, supervisor):
    entry = actions.do_create(clerk, FUND)
    entry = actions.do_submit(entry, clerk)
    assert entry.state == "pending"
    with pytest.raises(ValidationFailed) as exc:
        actions.do_return(entry, supervisor)
    assert exc.value.fields == {"note": "退回修改须说明原因"}
    entry = actions.do_return(entry, supervisor, note="请写明表决比例")
    assert entry.state == "draft"
    entry = actions.do_update(
        entry, clerk, {"answer": FUND["answer"] + "（专有部分面积和人数均过三分之二）"}
    )
    entry = actions.do_submit(entry, clerk)
    entry = actions.do_publish(entry, supervisor)
    assert entry.state == "published"
    entry = actions.do_expire(entry, clerk)
    assert entry.state == "expired"
    with pytest.raises(Conflict) as exc:
        actions.do_publish(entry, supervisor)
    assert "已失效" in exc.value.message
    entry = actions.do_reopen(entry, clerk)
    assert entry.state == "draft"
    steps = list(
        entry.versions.order_by("number").values_list("action", "state", "actor__username")
    )
    assert steps == [
        ("create", "draft", "t_zjj"),
        ("submit", "pending", "t_zjj"),
        ("return", "draft", "t_supervisor"),
        ("update", "draft", "t_zjj"),
        ("submit", "pending", "t_zjj"),
        ("publish", "published", "t_supervisor"),
        ("expire", "expired", "t_zjj"),
        ("reopen", "draft", "t_zjj"),
    ]
    assert entry.versions.get(action="return").note == "请写明表决比例"


def test_each_edit_is_a_version_with_the_changed_fields_and_a_full_snapshot(clerk):
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False):
        entry = actions.do_create(clerk, FUND)
    with time_machine.travel(datetime(2026, 3, 5, 1, 0, tzinfo=UTC), tick=False):
        actions.do_update(entry, clerk, {"title": "维修资金怎么用", "review_on": "2027-01-31"})
        actions.do_update(entry, clerk, {"title": "维修资金怎么用"})  # nothing changed
    versions = list(EntryVersion.objects.filter(entry=entry).order_by("number"))
    assert len(versions) == 2
    first, second = versions
    assert first.snapshot["title"] == FUND["title"]
    assert second.changed == ["title", "review_on"]
    assert second.snapshot["title"] == "维修资金怎么用"
    assert second.snapshot["review_on"] == "2027-01-31"
    assert second.at == datetime(2026, 3, 5, 1, 0, tzinfo=UTC)
    entry.refresh_from_db()
    assert entry.updated_at == second.at
    first.note = "rewritten"
    with pytest.raises(ValueError):
        first.save()  # history is append-only


def test_versions_page_lists_changes_in_chinese(clerk, web):
    entry = actions.do_create(clerk, FUND)
    actions.do_update(entry, clerk, {"title": "维修资金怎么用"})
    page = web(clerk).get(f"/knowledge/{entry.pk}/versions/").content.decode()
    assert "新建" in page and "修改" in page and "标题" in page and FUND["title"] in page


def test_bad_dates_are_refused_in_chinese(clerk):
    with pytest.raises(ValidationFailed) as exc:
        actions.do_create(clerk, {**FUND, "review_on": "明年"})
    assert exc.value.fields == {"review_on": "复核日期格式应为 年-月-日，例如 2026-01-31"}
