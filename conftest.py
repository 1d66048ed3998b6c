"""Shared test set-up: personas named after the organisation chart.

Every test says who acts: the 受理员 (agent) records calls, the 审核员 (reviewer) reviews and
dispatches, the clerk of 海勃湾区住建局 (``clerk``) handles orders of that unit, the 督办员
(supervisor) chases late units, the 回访员 (callback) calls citizens back, the 管理员
(admin) configures, the 领导 (leader) looks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import time_machine

# The real-Chromium fixtures (``browser``, ``person``) are shared by every app's browser tests:
# one plugin, so one Playwright per session (two would fight over the thread's asyncio loop).
pytest_plugins = ["hotline.web.tests.browser.fixtures"]


# ---------------------------------------------------------------------------
# Time.  Tests that make orders set the clock (``now=`` arguments, time-machine travel, or the
# ``now`` fixture below); ``make test`` then runs the suite again on fixed dates that cross
# holidays (``--fixed-now``) to prove that nothing else reads the real date.

# A Tuesday in an ordinary working week (no holiday within 5 working days either side).
DEFAULT_NOW = datetime.fromisoformat("2026-03-10T10:00:00+08:00")


def pytest_addoption(parser):
    parser.addoption(
        "--fixed-now",
        metavar="ISO-8601",
        default=os.environ.get("HOTLINE_TEST_NOW") or None,
        help="run the whole session as if the wall clock read this instant (time-machine, "
        "ticking), e.g. 2026-10-08T09:00+08:00; default $HOTLINE_TEST_NOW",
    )


def pytest_configure(config):
    value = config.getoption("--fixed-now")
    if value:
        start = datetime.fromisoformat(value)
        if start.tzinfo is None:
            raise pytest.UsageError("--fixed-now needs an offset, e.g. 2026-10-08T09:00+08:00")
        config._hotline_travel = time_machine.travel(start, tick=True)
        config._hotline_travel.start()
    # travels started by the session itself (``--fixed-now``) are not a test's own clock
    config._hotline_base_travels = len(time_machine.traveller_stack)


def pytest_collection_modifyitems(session, config, items):
    """``@pytest.mark.clause("6.4.1")`` names clauses of the standard (docs/standard/); a
    number the standard does not have is a mistake caught at collection."""
    from scripts.clauses import standard_clauses, unknown

    known = standard_clauses()
    wrong = unknown(
        [
            (item.nodeid, n)
            for item in items
            for m in item.iter_markers("clause")
            for n in (m.args or ("",))
        ],
        known,
    )
    if wrong:
        raise pytest.UsageError(
            "clause markers name clauses the standard does not have "
            f"(known: {', '.join(known)}):\n" + "\n".join(wrong)
        )


def pytest_unconfigure(config):
    travel = getattr(config, "_hotline_travel", None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config):
    value = config.getoption("--fixed-now")
    return f"fixed wall clock: {value} (ticking)" if value else None


@pytest.fixture
def now():
    """Freeze the clock for the test at ``DEFAULT_NOW`` (time-machine, ``tick=False``) and
    return that instant; ``now.shift(…)``-style moves go through ``time_machine`` directly."""
    with time_machine.travel(DEFAULT_NOW, tick=False):
        yield DEFAULT_NOW


@pytest.fixture(autouse=True)
def _orders_need_a_clock(request):
    """Fail a test that makes a work order on the wall clock: its deadlines, lights and
    working days would then depend on the day the suite runs (an order stamped within a
    minute of the real time, while the test itself set no clock).

    Browser tests are exempt: Chromium keeps the real time (its cookies would expire if the
    server's clock jumped), so they run on the wall clock and are left out of the
    fixed-date passes of ``make test``."""
    if request.node.get_closest_marker("browser"):
        yield
        return
    from django.db.models.signals import post_save

    from hotline.orders.models import WorkOrder

    base = request.config._hotline_base_travels
    offenders: list[str] = []

    def check(sender, instance, created, **kwargs):
        if not created or len(time_machine.traveller_stack) > base:
            return
        wall = datetime.now(tz=instance.created_at.tzinfo)
        if abs(wall - instance.created_at) < timedelta(minutes=1):
            offenders.append(instance.number or "(new order)")

    post_save.connect(check, sender=WorkOrder, weak=False, dispatch_uid="orders-need-a-clock")
    try:
        yield
    finally:
        post_save.disconnect(sender=WorkOrder, dispatch_uid="orders-need-a-clock")
    if offenders:
        pytest.fail(
            f"order {offenders[0]} was made on the wall clock: pass now=… or travel "
            "(the `now` fixture, time_machine.travel(..., tick=False))",
            pytrace=False,
        )


@dataclass
class Org:
    city: object
    district: object
    street: object
    community: object
    centre: object
    district_gov: object
    zjj: object  # 海勃湾区住房和城乡建设局
    szyh: object  # 海勃湾区市政养护中心
    street_office: object
    water: object  # 自来水公司
    emergency: object  # 应急管理局


@pytest.fixture
def org(db) -> Org:
    from hotline.catalog.models import Category
    from hotline.org.models import Area, Unit

    city = Area.objects.create(code="t-city", name="乌海市", level="city")
    district = Area.objects.create(code="t-hbw", name="海勃湾区", level="district", parent=city)
    street = Area.objects.create(code="t-xinhua", name="新华街道", level="street", parent=district)
    community = Area.objects.create(
        code="t-kangle", name="康乐社区", level="community", parent=street
    )
    centre = Unit.objects.create(code="t-centre", name="12345热线中心", kind="centre")
    gov = Unit.objects.create(code="t-hbw-gov", name="海勃湾区人民政府", kind="government")
    zjj = Unit.objects.create(
        code="t-hbw-zjj", name="海勃湾区住房和城乡建设局", kind="department", parent=gov
    )
    zjj.areas.set([district])
    zjj.categories.set(
        Category.objects.filter(code__in=["property_management", "housing_maintenance"])
    )
    szyh = Unit.objects.create(
        code="t-hbw-szyh",
        name="海勃湾区市政养护中心",
        kind="maintainer",
        parent=gov,
        component_types=["street_lamp"],
    )
    office = Unit.objects.create(
        code="t-xinhua-office", name="新华街道办事处", kind="street", parent=gov
    )
    water = Unit.objects.create(code="t-water", name="乌海市自来水公司", kind="enterprise")
    emergency = Unit.objects.create(code="t-yjj", name="市应急管理局", kind="emergency")
    return Org(city, district, street, community, centre, gov, zjj, szyh, office, water, emergency)


def _user(username: str, role: str, unit=None, **extra):
    from hotline.org.models import User

    user = User(
        username=username,
        role=role,
        unit=unit,
        last_name=extra.pop("family", ""),
        first_name=extra.pop("given", ""),
        **extra,
    )
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def agent(org):
    """受理员: answers the phone and records the order."""
    return _user("t_agent", "agent", org.centre, family="张", given="敏")


@pytest.fixture
def reviewer(org):
    """审核员: reviews and dispatches within 1 working day (§6.2)."""
    return _user("t_reviewer", "reviewer", org.centre, family="王", given="强")


@pytest.fixture
def clerk(org):
    """承办单位 clerk of 海勃湾区住建局."""
    return _user("t_zjj", "unit", org.zjj, family="刘", given="洋")


@pytest.fixture
def other_clerk(org):
    """承办单位 clerk of 海勃湾区市政养护中心 — a unit the order was not sent to."""
    return _user("t_szyh", "unit", org.szyh, family="陈", given="刚")


@pytest.fixture
def district_clerk(org):
    """承办单位 clerk of 海勃湾区人民政府, the parent of 住建局: sees its sub-units' orders."""
    return _user("t_gov", "unit", org.district_gov)


@pytest.fixture
def street_clerk(org):
    """承办单位 clerk of 新华街道办事处 — the co-unit (协办) when an order has one."""
    return _user("t_street", "unit", org.street_office, family="周", given="平")


@pytest.fixture
def water_clerk(org):
    """承办单位 clerk of 乌海市自来水公司 — a unit that never had the order."""
    return _user("t_water", "unit", org.water, family="吴", given="涛")


@pytest.fixture
def supervisor(org):
    """督办员: reminds and supervises late units (§6.5)."""
    return _user("t_supervisor", "supervisor", org.centre, family="赵", given="磊")


@pytest.fixture
def callback_agent(org):
    """回访员: calls the citizen back and closes (§6.7.2, §6.8)."""
    return _user("t_callback", "callback", org.centre, family="孙", given="丽")


@pytest.fixture
def admin_user(org):
    """管理员."""
    return _user("t_admin", "admin", is_staff=True, is_superuser=True)


@pytest.fixture
def leader(org):
    """领导: reads everything, changes nothing."""
    return _user("t_leader", "leader", org.centre)


@pytest.fixture
def appeal(org):
    """A valid §6.1 appeal: leaking roof in an old estate."""
    return {
        "channel": "phone",
        "appeal_type": "help",
        "category": "housing_maintenance",
        "title": "老旧小区楼顶漏水",
        "content": "康乐小区3号楼顶楼防水层老化，一下雨就往屋里漏水。",
        "address": "海勃湾区新华街道康乐社区康乐小区3号楼",
        "area": "t-kangle",
        "citizen_name": "王建军",
        "citizen_phone": "13812345678",
        "display_mode": "public",
        "urgency": "normal",
    }


@pytest.fixture
def shared_data():
    """``shared_data(name)`` → the path of a file of the shared data (``../shared/data``
    beside the checkout, or ``$HOTLINE_SHARED_DIR/data``, never copied into the repository).
    A test that needs it fails saying where it looked when the file is missing."""
    from hotline.common.shared import SharedMissing, data_path

    def find(name: str):
        try:
            return data_path(name)
        except SharedMissing as exc:
            pytest.fail(f"this test needs the shared data: {exc}", pytrace=False)

    return find


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The working calendar is cached per process; each test sees its own database's."""
    from hotline.calendars import services

    services.invalidate()
    yield
    services.invalidate()


def reseed() -> None:
    """Put back what the data migrations seed (category tree, holiday calendar) when a
    transactional test finds it gone: Django empties every table after such a test.
    Cheaper than ``serialized_rollback`` (which reloads every row and clashes with content
    types recreated by the flush)."""
    from importlib import import_module

    from django.apps import apps
    from django.db import transaction

    from hotline.calendars.models import CalendarDay
    from hotline.catalog.models import Category

    with transaction.atomic():
        if not Category.objects.exists():
            import_module("hotline.catalog.migrations.0002_seed_default_tree").seed(apps, None)
        if not CalendarDay.objects.exists():
            import_module("hotline.calendars.migrations.0002_seed_from_chinesecalendar").seed(
                apps, None
            )
    from hotline.calendars import services

    services.invalidate()


@pytest.fixture(autouse=True)
def _seed_for_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        reseed()
