"""The demo centre's intelligence rows: a routing catalogue (派单目录) for its units,
learned counts from its history, and two pairs of duplicate orders — one merged (并单),
one linked — so the intake, dispatch and detail pages show the feature."""

from __future__ import annotations

from datetime import datetime, timedelta

from hotline import clock
from hotline.catalog.models import Category
from hotline.intelligence.models import RoutingRule
from hotline.intelligence.routing import rebuild_routing_stats
from hotline.orders import actions as act
from hotline.org.models import Area, Unit, User

# category (or None), district code (or None), component type, keyword, unit code, priority
RULES = [
    ("street_light", "haibowan", "street_lamp", "", "haibowan-szyh", 10),
    ("street_light", "wuda", "street_lamp", "", "wuda-szyh", 10),
    ("street_light", "hainan", "street_lamp", "", "hainan-szyh", 10),
    ("drainage", "haibowan", "manhole_cover", "", "haibowan-szyh", 10),
    ("property_management", "haibowan", "", "", "haibowan-zjj", 20),
    ("property_management", "wuda", "", "", "wuda-zjj", 20),
    ("property_management", "hainan", "", "", "hainan-zjj", 20),
    ("water_supply", None, "", "", "ent-water", 30),
    ("power_supply", None, "", "", "ent-power", 30),
    ("gas_supply", None, "", "", "ent-gas", 30),
    ("heating", None, "", "", "ent-heat", 30),
    (None, None, "", "燃气泄漏", "ent-gas", 5),
    ("noise", "haibowan", "", "", "haibowan-sthj", 40),
]


def build_rules() -> int:
    cats = {c.code: c for c in Category.objects.all()}
    areas = {a.code: a for a in Area.objects.filter(level="district")}
    units = {u.code: u for u in Unit.objects.all()}
    made = 0
    for cat, district, component, keyword, unit, priority in RULES:
        if unit not in units or (cat and cat not in cats) or (district and district not in areas):
            continue
        RoutingRule.objects.create(
            category=cats.get(cat) if cat else None,
            area=areas.get(district) if district else None,
            component_type=component,
            keyword=keyword,
            unit=units[unit],
            priority=priority,
            note="演示数据",
        )
        made += 1
    return made


def build_duplicates(now: datetime | None = None) -> int:
    """Two calls about one broken lamp an hour apart (merged), and a water leak reported by
    two neighbours (linked, both still open)."""
    now = now or clock.now()
    agent = User.objects.filter(username="agent").first()
    if agent is None:
        return 0
    base = {
        "channel": "phone",
        "appeal_type": "help",
        "category": "street_light",
        "address": "海勃湾区新华街道光明社区光明路与人民路交叉口",
        "area": "hbw-xinhua-3",
        "display_mode": "public",
        "component_type": "street_lamp",
    }
    first = act.do_create_order(
        agent,
        {
            **base,
            "title": "光明路路口路灯不亮",
            "content": "光明路与人民路交叉口的三盏路灯从前天晚上开始不亮，路口很黑，过马路危险。",
            "citizen_name": "赵海军",
            "citizen_phone": "13904735501",
        },
        now=now - timedelta(hours=3),
    )
    second = act.do_create_order(
        agent,
        {
            **base,
            "title": "光明路人民路口路灯坏了",
            "content": "光明路和人民路交叉口路灯坏了两天了，晚上路口一片漆黑，请尽快修。",
            "citizen_name": "钱丽",
            "citizen_phone": "13904735502",
        },
        now=now - timedelta(hours=2),
    )
    act.do_merge(
        second, agent, main=first, reason="同一路口路灯故障（演示）", now=now - timedelta(hours=2)
    )
    leak = {
        **base,
        "category": "water_supply",
        "component_type": "water_pipe",
        "address": "海勃湾区新华街道康乐社区康乐小区7号楼",
        "area": "hbw-xinhua-2",
    }
    a = act.do_create_order(
        agent,
        {
            **leak,
            "title": "康乐小区7号楼前水管漏水",
            "content": "康乐小区7号楼前面地下水管漏水，水流到路上结冰了。",
            "citizen_name": "孙志强",
            "citizen_phone": "13904735503",
        },
        now=now - timedelta(hours=5),
    )
    b = act.do_create_order(
        agent,
        {
            **leak,
            "title": "康乐小区7号楼门口冒水",
            "content": "康乐小区7号楼门口地下往外冒水，路面结冰，老人容易滑倒。",
            "citizen_name": "周梅",
            "citizen_phone": "13904735504",
        },
        now=now - timedelta(hours=4),
    )
    act.do_link_duplicate(
        b, agent, main=a, reason="同一处漏水（演示）", now=now - timedelta(hours=4)
    )
    return 4


def build(now: datetime | None = None) -> int:
    build_rules()
    made = build_duplicates(now)
    rebuild_routing_stats()
    return made
