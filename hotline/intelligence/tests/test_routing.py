import pytest

from hotline.catalog.models import Category
from hotline.intelligence.models import RoutingRule, RoutingStat
from hotline.intelligence.routing import rebuild_routing_stats, suggest_units
from hotline.orders import actions as act

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant


@pytest.fixture
def lighting():
    return Category.objects.get(code="street_light")


def test_a_matching_rule_is_shown_with_its_reason(org, lamp, lighting):
    units = suggest_units(
        {"category": lighting.code, "area": "t-kangle", "component_type": "street_lamp"}
    )
    assert units[0].unit_id == org.szyh.pk
    assert units[0].reasons[0] == (f"规则：城乡建设/路灯照明 · 海勃湾区 · 路灯 → {org.szyh.name}")
    assert "rule" in units[0].sources


def test_rule_conditions_must_all_hold(org, lamp, lighting):
    # another component type, or an area outside the district: the rule does not apply
    assert not any(
        u.unit_id == org.szyh.pk and "rule" in u.sources
        for u in suggest_units(
            {"category": lighting.code, "area": "t-kangle", "component_type": "manhole_cover"}
        )
    )
    from hotline.org.models import Area

    other = Area.objects.create(code="t-wuda", name="乌达区", level="district", parent=org.city)
    assert not any(
        "rule" in u.sources
        for u in suggest_units(
            {"category": lighting.code, "area": other.code, "component_type": "street_lamp"}
        )
    )


def test_keyword_rule_and_priority(org, lighting):
    RoutingRule.objects.create(keyword="自来水", unit=org.water, priority=5)
    RoutingRule.objects.create(keyword="自来水", unit=org.street_office, priority=500)
    units = suggest_units({"category": lighting.code, "area": "t-kangle", "text": "自来水管爆了"})
    names = [u.unit_id for u in units]
    assert names.index(org.water.pk) < names.index(org.street_office.pk)
    RoutingRule.objects.filter(unit=org.water).update(enabled=False)
    assert org.water.pk not in [
        u.unit_id for u in suggest_units({"text": "自来水管爆了", "category": lighting.code})
    ]


def test_confirmed_dispatches_teach_shares(
    flow, org, lighting, reviewer, clerk, other_clerk, django_capture_on_commit_callbacks
):
    """Sign-for confirms a dispatch: 3 of 4 similar orders went to 住建局 → 75%."""
    pairs = [(org.zjj, clerk), (org.zjj, clerk), (org.zjj, clerk), (org.szyh, other_clerk)]
    for unit, signer in pairs:
        o = flow.dispatched(category=lighting.code, unit=unit)
        with django_capture_on_commit_callbacks(execute=True):
            act.do_sign(o, signer)
    units = suggest_units({"category": lighting.code, "area": "t-kangle"}, limit=3)
    top = units[0]
    assert top.unit_id == org.zjj.pk and top.share == 0.75
    assert any(r.startswith("75% 的同类工单") and "康乐社区" in r for r in top.reasons)
    # counted at every level of the area tree and once without area
    assert RoutingStat.objects.filter(unit=org.zjj, category=lighting).count() == 5
    # a full recount gives the same counters
    before = sorted(RoutingStat.objects.values_list("area_id", "unit_id", "count"), key=str)
    rebuild_routing_stats()
    assert sorted(RoutingStat.objects.values_list("area_id", "unit_id", "count"), key=str) == before


def test_suggesting_reads_counters_not_history(
    flow, org, lighting, clerk, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for _ in range(3):
        o = flow.dispatched(category=lighting.code)
        with django_capture_on_commit_callbacks(execute=True):
            act.do_sign(o, clerk)
    suggest_units({"category": lighting.code, "area": "t-kangle"})  # warm the table caches
    with django_assert_max_num_queries(4):  # rules, counters, duty units (+ their areas), units
        suggest_units({"category": lighting.code, "area": "t-kangle"})


def test_an_order_can_be_routed(flow, org, lamp):
    o = flow.pending_review(
        category="street_light",
        title="路灯坏了",
        content="康乐小区路灯不亮",
        component_type="street_lamp",
    )
    assert suggest_units(o)[0].unit_id == org.szyh.pk


@pytest.fixture
def other_districts(org):
    """乌达区 and 海南区 with their own 住建局, which took most 房屋维修 orders city-wide."""
    from hotline.org.models import Area, Unit

    housing = Category.objects.get(code="housing_maintenance")
    made = {}
    for code, name in (("t-wuda", "乌达区"), ("t-hainan", "海南区")):
        area = Area.objects.create(code=code, name=name, level="district", parent=org.city)
        unit = Unit.objects.create(code=f"{code}-zjj", name=f"{name}住建局", kind="department")
        unit.areas.set([area])
        unit.categories.set([housing])
        made[code] = unit
    # city-wide history: 乌达区 5, 海南区 4, 海勃湾区 1 (counted without area and at the city)
    for unit, n in ((made["t-wuda"], 5), (made["t-hainan"], 4), (org.zjj, 1)):
        for area in (None, org.city):
            RoutingStat.objects.create(category=housing, area=area, unit=unit, count=n)
    return made


def test_jurisdiction_comes_before_city_wide_history(org, other_districts):
    """Issue 16: a 康乐社区 房屋维修 order was suggested 乌达区 and 海南区 first ("50% 的同类
    工单…乌海市") and 海勃湾区住建局 was cut off the list."""
    units = suggest_units({"category": "housing_maintenance", "area": "t-kangle"})
    assert units[0].unit_id == org.zjj.pk
    assert units[0].jurisdiction and units[0].tier == 0
    assert units[0].reasons[0] == "属地：管辖海勃湾区（含康乐社区），职责含住房保障/房屋维修"
    # city-wide history is a hint after the jurisdiction, never ahead of it
    assert [u.unit_id for u in units[1:]] == [
        other_districts["t-wuda"].pk,
        other_districts["t-hainan"].pk,
    ]
    assert all(not u.jurisdiction for u in units[1:])


def test_history_within_the_area_ranks_second(org, other_districts, flow):
    housing = Category.objects.get(code="housing_maintenance")
    for area in (org.district, org.street, org.community):
        RoutingStat.objects.create(category=housing, area=area, unit=org.street_office, count=4)
    units = suggest_units({"category": "housing_maintenance", "area": "t-kangle"})
    assert [u.unit_id for u in units[:2]] == [org.zjj.pk, org.street_office.pk]
    assert units[1].tier == 1 and "康乐社区" in units[1].reasons[-1]


def test_the_dispatch_panel_shows_the_jurisdiction_unit_first(web, reviewer, flow, other_districts):
    o = flow.pending_review()
    page = web(reviewer).get(f"/orders/{o.number}/").content.decode()
    panel = page[page.index('data-testid="unit-suggestions"') :]
    first = panel.index("data-pick-lead=")
    assert panel[first:].startswith(f'data-pick-lead="{flow.org.zjj.pk}"')
    assert "属地：管辖海勃湾区（含康乐社区）" in panel
    assert panel.index(flow.org.zjj.name) < panel.index("乌达区住建局")
