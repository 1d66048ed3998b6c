from datetime import datetime, timedelta

import pytest
import time_machine

from hotline.intelligence import services
from hotline.rules.calendar import SHANGHAI

CALL = datetime(2026, 11, 27, 9, 30, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_suggest_gives_every_field_with_confidence_and_words(org):
    r = services.suggest(
        "小区路灯不亮",
        "海勃湾区新华街道康乐社区康乐小区门口的路灯昨晚开始不亮了，晚上走路很危险，"
        "请尽快修理。我的电话13912345678。",
        at=CALL,
    )
    assert r["domain"][0]["code"] == "urban_rural"
    assert r["domain"][0]["matched"]
    assert 0 < r["domain"][0]["confidence"] <= 1
    assert r["type"][0]["code"] in {"help", "complaint"}
    # the category is one of the centre's Category codes (the tree in the database)
    from hotline.catalog.models import Category

    assert Category.objects.filter(code=r["category"][0]["code"]).exists()
    assert r["urgency"]["code"] in {"normal", "urgent"}
    el = r["elements"]
    assert [p["number"] for p in el["phones"]] == ["13912345678"]
    # 昨晚 is the evening before the call
    start = datetime.fromisoformat(el["times"][0]["start"])
    assert start.date() == (CALL - timedelta(days=1)).date()
    # the community, resolved through the Area table: district → street → community
    top = el["areas"][0]
    assert top["code"] == "t-kangle"
    assert top["full_name"] == "乌海市/海勃湾区/新华街道/康乐社区"
    assert r["component_type"]["code"] == "street_lamp"


@pytest.mark.django_db
def test_emergency_and_not_accepted_are_screened(org):
    r = services.suggest("着火了", "楼下饭店着火了，浓烟很大，有人被困，快打119", at=CALL)
    assert r["urgency"]["code"] == "very_urgent"
    assert r["emergency_kind"] and r["emergency_kind"][0]["matched"]
    reasons = [n["code"] for n in r["not_accepted_reason"]]
    assert "d_emergency_line" in reasons
    line = next(n for n in r["not_accepted_reason"] if n["code"] == "d_emergency_line")
    assert line["extra"]["line"] == "119"


@pytest.mark.django_db
def test_gazetteer_follows_the_area_table(org):
    from hotline.org.models import Area

    text = "滨河社区门口的井盖丢了"
    assert services.suggest("", text, at=CALL)["elements"]["areas"] == []
    Area.objects.create(code="t-binhe", name="滨河社区", level="community", parent=org.street)
    found = services.suggest("", text, at=CALL)["elements"]["areas"]
    assert found[0]["code"] == "t-binhe"


@pytest.mark.django_db
def test_tables_are_cached_between_calls(org, django_assert_num_queries):
    services.suggest(
        "路灯不亮", "康乐社区路灯不亮", at=CALL, with_units=False, with_duplicates=False
    )
    with django_assert_num_queries(0):
        services.suggest(
            "路灯不亮", "康乐社区路灯坏了", at=CALL, with_units=False, with_duplicates=False
        )


@pytest.mark.django_db
def test_warm_loads_models_and_tables(org):
    assert services.warm() >= 0
    assert "gazetteer" in services._cache


@pytest.mark.django_db
def test_time_defaults_to_the_clock(org):
    with time_machine.travel(CALL, tick=False):
        r = services.suggest("", "今天上午小区停水了", with_units=False, with_duplicates=False)
    assert r["at"].startswith("2026-11-27T")
