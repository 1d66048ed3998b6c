"""Agents see an entry only while it is valid: published and between its effective and
expiry dates (Asia/Shanghai days); owners and the centre see every state."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from hotline.knowledge import index
from hotline.knowledge import queries as q


def test_validity_window_by_shanghai_day(make_entry, agent, clerk):
    entry = make_entry(effective_from=date(2026, 6, 1), expires_on=date(2026, 6, 30))
    # 2026-05-31 23:30 Shanghai = 15:30 UTC: not yet in force
    with time_machine.travel(datetime(2026, 5, 31, 15, 30, tzinfo=UTC), tick=False):
        assert not q.visible_entries(agent).filter(pk=entry.pk).exists()
        assert q.visible_entries(clerk).filter(pk=entry.pk).exists()  # the owner sees it
    # 2026-06-01 00:30 Shanghai = 2026-05-31 16:30 UTC: in force
    with time_machine.travel(datetime(2026, 5, 31, 16, 30, tzinfo=UTC), tick=False):
        assert q.visible_entries(agent).filter(pk=entry.pk).exists()
        assert [r.entry for r in index.search(agent, "维修资金")] == [entry]
    with time_machine.travel(datetime(2026, 6, 30, 15, 0, tzinfo=UTC), tick=False):
        assert q.visible_entries(agent).filter(pk=entry.pk).exists()  # last day
    with time_machine.travel(datetime(2026, 6, 30, 16, 30, tzinfo=UTC), tick=False):
        assert not q.visible_entries(agent).filter(pk=entry.pk).exists()  # 07-01 Shanghai
        assert index.search(agent, "维修资金") == []
        assert [r.entry for r in index.search(clerk, "维修资金")] == [entry]


def test_agents_never_see_drafts_pending_or_expired_entries(make_entry, agent, supervisor, web):
    with time_machine.travel(datetime(2026, 3, 2, 2, 0, tzinfo=UTC), tick=False):
        live = make_entry(title="维修资金已发布")
        hidden = [
            make_entry(state, title=f"维修资金{state}") for state in ("draft", "pending", "expired")
        ]
        seen = set(q.visible_entries(agent).values_list("pk", flat=True))
        assert seen == {live.pk}
        assert {e.pk for e in q.visible_entries(supervisor)} == {live.pk, *[h.pk for h in hidden]}
        for h in hidden:
            assert web(agent).get(f"/knowledge/{h.pk}/").status_code == 404
        page = web(agent).get("/knowledge/").content.decode()
        assert "维修资金已发布" in page and "维修资金draft" not in page
