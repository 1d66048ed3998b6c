"""Personas come from the project's conftest; the workbench ``Flow`` and the API client
from the web and API test helpers.  Process-wide caches are emptied around each test, as
each test has its own areas and categories."""

from __future__ import annotations

import pytest

from hotline.api.tests.conftest import Api
from hotline.web.tests.conftest import Flow


@pytest.fixture(autouse=True)
def _fresh_intelligence_caches():
    from hotline.intelligence import duplicates, providers, services

    def clear():
        services.invalidate()
        providers._recent.clear()
        # keyed by (order id, updated_at): ids come back after a rollback, and so does the
        # instant when tests set the clock
        duplicates._indexes.clear()

    clear()
    yield
    clear()


@pytest.fixture
def flow(agent, reviewer, clerk, callback_agent, org, appeal) -> Flow:
    return Flow(agent, reviewer, clerk, callback_agent, org, appeal)


@pytest.fixture
def as_(db):
    return Api


@pytest.fixture
def web(db):
    from django.test import Client

    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def lamp(org):
    """A street-lamp appeal in 康乐社区 and a routing rule for street lamps in the district."""
    from hotline.catalog.models import Category
    from hotline.intelligence.models import RoutingRule

    rule = RoutingRule.objects.create(
        category=Category.objects.get(code="street_light"),
        area=org.district,
        component_type="street_lamp",
        unit=org.szyh,
        priority=10,
    )
    return rule
