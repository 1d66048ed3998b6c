import pytest

from hotline.intelligence import demo
from hotline.intelligence.models import RoutingRule
from hotline.intelligence.routing import suggest_units
from hotline.orders.models import OrderLink, WorkOrder


@pytest.mark.django_db
def test_demo_rows(django_capture_on_commit_callbacks):
    from hotline.demo.build import build_organisation, extra_builders

    assert demo.build in extra_builders  # `hotline demo` builds them
    build_organisation()
    with django_capture_on_commit_callbacks(execute=True):
        assert demo.build() == 4
    assert RoutingRule.objects.count() == len(demo.RULES)
    merged = WorkOrder.objects.get(state="merged")
    assert OrderLink.objects.get(order=merged, ended_at=None).kind == "merge"
    assert OrderLink.objects.filter(kind="link", ended_at=None).count() == 1
    units = suggest_units(
        {"category": "street_light", "area": "hbw-xinhua-3", "component_type": "street_lamp"}
    )
    assert units[0].code == "haibowan-szyh"
    assert units[0].reasons[0] == "规则：城乡建设/路灯照明 · 海勃湾区 · 路灯 → 海勃湾区市政养护中心"
