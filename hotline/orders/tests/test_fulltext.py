"""The orders' full-text index (docs/search.md): bigrams on both databases, two-character
queries, the order number and phone answered by index alone, the index kept current."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.db import connection
from django.test import Client

from hotline.orders import actions as act
from hotline.orders import fulltext, privacy
from hotline.orders.models import WorkOrder
from hotline.rules.calendar import SHANGHAI

pytestmark = pytest.mark.usefixtures("now")

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)


def _order(agent, appeal, **fields) -> WorkOrder:
    return act.do_create_order(agent, {**appeal, **fields}, now=NOW)


def _found(user, text: str) -> set[int]:
    qs = privacy.citizen_search(privacy.visible_orders(user), user, text=text)
    return set(qs.values_list("pk", flat=True))


def test_bigrams_cut_at_separators_and_normalise():
    assert fulltext.bigrams("路灯不亮，ＡＢ c") == ["路灯", "灯不", "不亮", "ab"]
    assert fulltext.bigrams("灯") == []
    assert fulltext.classify(" 20250101000001 ") == ("number", "20250101000001")
    assert fulltext.classify("13812345678") == ("phone", "13812345678")
    assert fulltext.classify("0473-1234567") == ("phone", "0473-1234567")
    assert fulltext.classify("5678")[0] == "text"
    assert fulltext.terms("路灯  不亮，小区") == ["路灯", "不亮", "小区"]


def test_the_database_cuts_the_text_as_python_does(db):
    """The SQL function the index is built with and the Python one queries are built with
    give the same bigrams (PostgreSQL's ``hl_bigrams``; SQLite calls the Python one)."""
    text = "人民路12号路灯不亮！ＡＢ，“灯”、井盖（缺失）a'b"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tsvector_to_array(hl_bigrams(%s))", [text])
            got = set(cursor.fetchone()[0])
        else:
            cursor.execute("SELECT hl_bigrams(%s)", [text])
            got = set(cursor.fetchone()[0].split())
    assert got == set(fulltext.bigrams(text))


def test_two_character_and_longer_queries_match_by_bigrams(agent, reviewer, appeal):
    lamp = _order(agent, appeal, title="路灯不亮", content="康乐小区门口的路灯坏了")
    pipe = _order(agent, appeal, title="下水道堵塞", content="灯不行了，不亮", address="人民路")
    other = _order(agent, appeal, title="噪音扰民", content="夜间施工")
    assert _found(reviewer, "路灯") == {lamp.pk}
    assert _found(reviewer, "灯不亮") == {lamp.pk}  # pipe has 灯不 and 不亮, not 灯不亮
    assert _found(reviewer, "路灯 小区") == {lamp.pk}
    assert _found(reviewer, "人民路") == {pipe.pk}
    assert _found(reviewer, "灯") == {lamp.pk, pipe.pk}  # one character: a plain contains
    assert _found(reviewer, "zzqqxx") == set()
    assert other.pk not in _found(reviewer, "不亮")


def test_the_index_follows_edits_and_deletions(agent, reviewer, appeal):
    order = _order(agent, appeal, title="路灯不亮", content="请处理")
    assert _found(reviewer, "路灯") == {order.pk}
    WorkOrder.objects.filter(pk=order.pk).update(title="井盖缺失")
    assert _found(reviewer, "路灯") == set()
    assert _found(reviewer, "井盖") == {order.pk}
    WorkOrder.objects.filter(pk=order.pk).delete()
    assert _found(reviewer, "井盖") == set()


def test_ensure_rebuilds_a_lost_index(agent, reviewer, appeal):
    """SQLite drops a table's triggers when a migration remakes the table: ``ensure``
    (run after every migrate) puts them back and re-indexes every order."""
    order = _order(agent, appeal, title="路灯不亮")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for suffix in ("ai", "au", "ad"):
                cursor.execute(f'DROP TRIGGER "{fulltext.FTS_TABLE}_{suffix}"')
            cursor.execute(f'DELETE FROM "{fulltext.FTS_TABLE}"')
        assert _found(reviewer, "路灯") == set()
    fulltext.ensure()
    assert _found(reviewer, "路灯") == {order.pk}
    fulltext.ensure()  # idempotent
    assert _found(reviewer, "路灯") == {order.pk}


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(r) for r in cursor.fetchall())


def test_searches_are_answered_from_indexes(agent, reviewer, appeal):
    """The keyword goes to the bigram index, the order number to its unique index and a
    phone number to the phone index — never a scan of the texts."""
    order = _order(agent, appeal, title="路灯不亮", citizen_phone="13812345678")
    everything = privacy.visible_orders(reviewer)

    def plan(text):
        # unordered: the question is how rows are found (a list's ORDER BY created_at may
        # walk that index instead when the table is this small)
        found = privacy.citizen_search(everything, reviewer, text=text)
        return _plan(found.order_by().values("pk"))

    from django.db import transaction

    with transaction.atomic():
        keyword, number, phone = plan("路灯"), plan(order.number), plan("13812345678")
    if connection.vendor == "postgresql":
        assert fulltext.GIN_INDEX in keyword
        assert "Index Cond: ((number)" in number and "~~" not in number
        assert "citizen_phone" in phone and "Index" in phone
    else:
        assert "VIRTUAL TABLE" in keyword
        assert re.search(r"USING (COVERING )?INDEX", number) and "number" in number
        assert re.search(r"USING (COVERING )?INDEX", phone) and "citizen_phone" in phone
    assert "SCAN orders_workorder\n" not in number + "\n"


def test_the_search_box_finds_a_number_or_phone_and_masks_as_the_list(
    agent, reviewer, clerk, appeal, org
):
    secret = _order(
        agent, appeal, display_mode="confidential", citizen_phone="13812345678", title="路灯不亮"
    )
    public = _order(agent, appeal, citizen_phone="13812345678", title="路灯不亮")
    for o in (secret, public):
        act.do_submit(o, agent, now=NOW)
        act.do_dispatch(o, reviewer, lead_unit=org.zjj, now=NOW)
    assert _found(reviewer, secret.number) == {secret.pk}
    assert _found(reviewer, "13812345678") == {secret.pk, public.pk}
    # a unit never finds a confidential order through the citizen's phone (§6.1.6)
    assert _found(clerk, "13812345678") == {public.pk}
    assert _found(clerk, "路灯") == {secret.pk, public.pk}
    c = Client()
    c.force_login(clerk)
    page = c.get("/orders/", {"q": "路灯"}).content.decode()
    assert secret.number in page and public.number in page
    assert "13812345678" not in page


def test_a_long_list_shows_a_bounded_count(agent, reviewer, appeal, monkeypatch):
    from hotline.orders import queries as oq

    for i in range(6):
        _order(agent, appeal, title=f"路灯不亮{i}")
    monkeypatch.setattr(oq, "COUNT_CAP", 2)
    assert oq.bounded_count(WorkOrder.objects.all()) == (2, True)
    assert oq.bounded_count(WorkOrder.objects.all(), 10) == (6, False)
    c = Client()
    c.force_login(reviewer)
    page = c.get("/orders/", {"size": 5}).content.decode()
    assert "共 2+ 条" in page
    # a first page shorter than the page size is the whole list: counted by its rows
    page = c.get("/orders/", {"size": 10}).content.decode()
    assert "共 6 条" in page


def test_a_short_first_page_needs_no_count_query(agent, reviewer, appeal):
    from django.test.utils import CaptureQueriesContext

    orders = [_order(agent, appeal, title=f"路灯不亮{i}") for i in range(3)]
    c = Client()
    c.force_login(reviewer)
    for params, shown in [({"q": orders[1].number}, "共 1 条"), ({"q": "路灯"}, "共 3 条")]:
        with CaptureQueriesContext(connection) as seen:
            page = c.get("/orders/", params).content.decode()
        assert shown in page
        assert not [q for q in seen.captured_queries if "COUNT(" in q["sql"]]
    page = c.get("/orders/", {"size": 5, "page": 2}).content.decode()  # past the end: counted
    assert "共 3 条" in page


@pytest.mark.django_db(transaction=True)
def test_new_orders_go_straight_into_the_postgresql_index():
    """No GIN pending list: merging it stalled one intake for a quarter of a second while it
    held the day's order-number row.  An index made before is switched over by ``ensure``."""
    if connection.vendor != "postgresql":
        pytest.skip("GIN is PostgreSQL's; SQLite's FTS5 table has no pending list")
    with connection.cursor() as cursor:
        assert "fastupdate=off" in fulltext.gin_options(cursor)
        cursor.execute(f'ALTER INDEX "{fulltext.GIN_INDEX}" SET (fastupdate = on)')
        fulltext.ensure(connection)
        assert "fastupdate=off" in fulltext.gin_options(cursor)


_TEXT = "coalesce(title, '') || ' ' || coalesce(content, '') || ' ' || coalesce(address, '')"


def _grams_current(cursor) -> bool:
    """Every order's stored bigrams are those of its text."""
    cursor.execute(
        f'SELECT count(*) FROM "{fulltext.TABLE}" '
        f'WHERE "{fulltext.COLUMN}" IS DISTINCT FROM hl_bigrams({_TEXT})'
    )
    return cursor.fetchone()[0] == 0


def test_the_postgresql_trigger_keeps_the_bigrams(agent, reviewer, appeal):
    """PostgreSQL's bigrams come from a trigger: computed on insert (in a replica-role bulk
    session too), recomputed when the text changes, kept on any other update; a value an
    insert brings (a copy of an order, ``hotline history``) is taken as it is."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's FTS5 table has its own triggers (test_ensure_rebuilds_a_lost_index)")
    order = _order(agent, appeal, title="路灯不亮", content="请处理")
    with connection.cursor() as cursor:
        assert _grams_current(cursor)
        WorkOrder.objects.filter(pk=order.pk).update(state="closed")
        WorkOrder.objects.filter(pk=order.pk).update(content="井盖缺失")
        assert _grams_current(cursor)
        assert _found(reviewer, "井盖") == {order.pk}
        cursor.execute("SET session_replication_role = replica")
        try:
            twin = _order(agent, appeal, title="水管爆裂")
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        assert _found(reviewer, "水管") == {twin.pk}
        assert _grams_current(cursor)
        columns = [f.column for f in WorkOrder._meta.concrete_fields]
        given = {"id": "id + 1000", "number": "'X' || substr(number, 2)"}
        cursor.execute(
            f'INSERT INTO "{fulltext.TABLE}" ({", ".join(columns)}, "{fulltext.COLUMN}") '
            f"SELECT {', '.join(given.get(c, c) for c in columns)}, "
            f"array_to_tsvector('{{标记}}') FROM \"{fulltext.TABLE}\" WHERE id = %s",
            [order.pk],
        )
    assert _found(reviewer, "标记") == {order.pk + 1000}


@pytest.mark.parametrize("before", ["generated", "missing"])
def test_ensure_moves_an_older_postgresql_column_to_the_trigger(agent, reviewer, appeal, before):
    """A database made with the first design (a stored generated column), or without the
    column, gets the plain column kept by the trigger, every order's bigrams current."""
    if connection.vendor != "postgresql":
        pytest.skip("the column and its trigger are PostgreSQL's")
    order = _order(agent, appeal, title="路灯不亮")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER TABLE
        cursor.execute(f'DROP TRIGGER "{fulltext.PG_TRIGGER}" ON "{fulltext.TABLE}"')
        cursor.execute(f'ALTER TABLE "{fulltext.TABLE}" DROP COLUMN "{fulltext.COLUMN}"')
        if before == "generated":
            cursor.execute(
                f'ALTER TABLE "{fulltext.TABLE}" ADD COLUMN "{fulltext.COLUMN}" tsvector '
                f"GENERATED ALWAYS AS (hl_bigrams({_TEXT})) STORED"
            )
        fulltext.ensure(connection)
        cursor.execute(
            "SELECT attgenerated FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s",
            [fulltext.TABLE, fulltext.COLUMN],
        )
        assert cursor.fetchone() == ("",)
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
            [fulltext.TABLE, fulltext.PG_TRIGGER],
        )
        assert cursor.fetchone() == ("A",)
        assert _grams_current(cursor)
    assert _found(reviewer, "路灯") == {order.pk}
    WorkOrder.objects.filter(pk=order.pk).update(title="井盖缺失")
    assert _found(reviewer, "井盖") == {order.pk}
    assert _found(reviewer, "路灯") == set()


def test_a_word_the_statistics_know_as_common_is_not_counted(
    agent, reviewer, clerk, appeal, monkeypatch
):
    """A centre search for one two-character word that PostgreSQL's statistics put in
    far more orders than the count's cap says "cap+" without counting; anything narrower
    (another filter, a unit's own orders, a longer or rarer word, no statistics) counts."""
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    from hotline.api.tests.conftest import Api
    from hotline.orders import queries as oq

    for i in range(12):
        _order(agent, appeal, title=f"路灯不亮{i}")
    for _ in range(3):
        _order(agent, appeal, title="井盖缺失")
    monkeypatch.setattr(oq, "SEARCH_COUNT_CAP", 2)
    monkeypatch.setattr(oq, "COMMON_MARGIN", 3)  # common: in 6 orders or more
    assert not oq.known_common({"q": "路灯"}, reviewer)  # no statistics yet: counted
    if connection.vendor != "postgresql":
        pytest.skip("the statistics are PostgreSQL's; SQLite always counts (above)")
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{fulltext.TABLE}"')
    assert fulltext.common_gram_rows("路灯") == pytest.approx(12, abs=1)
    assert oq.known_common({"q": "路灯"}, reviewer)
    assert not oq.known_common({"q": "井盖"}, reviewer)  # 3 orders
    assert not oq.known_common({"q": "路灯不亮"}, reviewer)  # walked, not estimated
    assert not oq.known_common({"q": "路灯", "state": "closed"}, reviewer)
    assert not oq.known_common({"q": "路灯"}, clerk)
    c = Client()
    c.force_login(reviewer)
    with CaptureQueriesContext(conn) as seen:
        page = c.get("/orders/", {"q": "路灯", "size": 5}).content.decode()
    assert "共 2+ 条" in page
    assert not [q for q in seen.captured_queries if "COUNT(" in q["sql"]]
    body = Api(reviewer).get("/orders", q="路灯", page_size=5).json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (2, True, 5)
    body = Api(reviewer).get("/orders", q="井盖", page_size=5).json()
    assert (body["count"], body["count_capped"]) == (2, True)  # counted: 3 > 2
    body = Api(reviewer).get("/orders", q="缺失", page_size=5, state="closed").json()
    assert (body["count"], body["count_capped"]) == (0, False)
