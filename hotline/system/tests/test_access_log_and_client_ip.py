"""Behind a reverse proxy: every per-client limit and every access-log line see the same,
proxy-aware client address; the log carries no personal data (issue 12)."""

from __future__ import annotations

import itertools
import logging

import pytest
from django.test import Client, override_settings

from hotline.common.client_ip import parse_networks
from hotline.orders.models import WorkOrder

pytestmark = pytest.mark.usefixtures("now")  # orders are made at a fixed instant

NGINX = parse_networks("127.0.0.1")  # the test client's REMOTE_ADDR plays the proxy
APPEAL = {
    "title": "小区门口井盖缺失",
    "content": "新华街道康乐小区南门外人行道井盖缺失，晚上很危险。",
    "address": "海勃湾区新华街道康乐小区南门",
    "appeal_type": "help",
    "citizen_name": "李娜",
    "citizen_phone": "13987654321",
    "display_mode": "public",
    "consent": "on",
}
FILED = 302  # a filed appeal redirects to its receipt
LIMITS = {
    "page_size": 30,
    "portal_track_failures": 2,
    "portal_submissions": 2,
    "portal_window_minutes": 60,
}


_appeals = itertools.count(1)


def portal_post(forwarded_for: str | None = None, remote: str = "127.0.0.1") -> int:
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    # each a different appeal: the same one again from the same address is a repeat
    appeal = {**APPEAL, "title": f"{APPEAL['title']}（{next(_appeals)}）"}
    return Client().post("/portal/", appeal, **extra).status_code


@override_settings(HOTLINE_TRUSTED_PROXIES=NGINX, HOTLINE_WEB=LIMITS)
def test_behind_the_proxy_each_citizen_has_their_own_portal_limit(db):
    assert [portal_post("203.0.113.7") for _ in range(3)] == [FILED, FILED, 429]
    # the same citizen claiming another address in front of the proxy's entry
    assert portal_post("198.51.100.1, 203.0.113.7") == 429
    assert portal_post("203.0.113.8") == FILED
    assert WorkOrder.objects.count() == 3


@override_settings(HOTLINE_TRUSTED_PROXIES=NGINX, HOTLINE_WEB=LIMITS)
def test_a_forged_header_from_a_peer_that_is_not_the_proxy_is_ignored(db):
    for _ in range(2):
        assert portal_post("203.0.113.7") == FILED
    # 10.9.9.9 talks to the app server directly and claims to be a fresh citizen …
    assert portal_post("203.0.113.99", remote="10.9.9.9") == FILED
    assert portal_post("203.0.113.98", remote="10.9.9.9") == FILED
    # … but is counted as itself
    assert portal_post("203.0.113.97", remote="10.9.9.9") == 429


@override_settings(HOTLINE_TRUSTED_PROXIES=(), HOTLINE_WEB=LIMITS)
def test_without_trusted_proxies_everyone_behind_one_address_shares_it(db):
    assert portal_post("203.0.113.7") == FILED
    assert portal_post("203.0.113.8") == FILED
    assert portal_post("203.0.113.9") == 429


@override_settings(HOTLINE_TRUSTED_PROXIES=NGINX, HOTLINE_CHANNEL_TRACK_PER_MINUTE=1)
def test_the_channel_tracking_limit_keys_on_the_same_address(db):
    body = {"number": "20990101000001", "phone": "13812345678"}

    def track(ip: str) -> int:
        return (
            Client()
            .post(
                "/api/v1/channel/track",
                body,
                content_type="application/json",
                HTTP_X_FORWARDED_FOR=ip,
            )
            .status_code
        )

    assert track("203.0.113.7") == 404
    assert track("203.0.113.7") == 429
    assert track("203.0.113.8") == 404


@override_settings(HOTLINE_TRUSTED_PROXIES=NGINX, HOTLINE_OPEN311_READS_PER_MINUTE=1)
def test_open311_reads_key_on_the_same_address(db):
    def read(ip: str) -> int:
        return Client().get("/open311/v2/requests.json", HTTP_X_FORWARDED_FOR=ip).status_code

    assert read("203.0.113.7") == 200
    assert read("203.0.113.7") == 429
    assert read("203.0.113.8") == 200


@pytest.fixture
def access_lines(caplog):
    caplog.set_level(logging.INFO, logger="hotline.access")

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "hotline.access"]

    return lines


@override_settings(HOTLINE_TRUSTED_PROXIES=NGINX)
def test_an_access_line_has_client_user_method_path_status_and_duration(db, agent, access_lines):
    c = Client()
    c.force_login(agent)
    c.get("/api/v1/orders", {"q": "13987654321", "page": "2"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    [line] = [x for x in access_lines() if "/api/v1/orders" in x]
    assert line.startswith(f'203.0.113.7 user={agent.pk} "GET /api/v1/orders?page=&q=" 200 ')
    assert line.endswith("ms") and "13987654321" not in line


def test_anonymous_requests_refusals_and_redirects_are_logged(db, access_lines):
    Client().post("/portal/", {**APPEAL, "title": ""}, REMOTE_ADDR="203.0.113.7")
    Client().get("/orders/")
    lines = access_lines()
    assert any(x.startswith('203.0.113.7 user=- "POST /portal/" 422 ') for x in lines), lines
    assert any('"GET /orders/" 302 ' in x for x in lines), lines
    assert not any("13987654321" in x or "李娜" in x for x in lines)


def test_message_gateways_log_no_name_and_a_masked_number(caplog):
    from hotline.supervision.gateways import ConsoleGateway, Outgoing

    caplog.set_level(logging.INFO, logger="hotline.supervision.gateways")
    ConsoleGateway().send(
        Outgoing(
            "k1",
            "sms",
            "13987654321",
            "李娜",
            "回访",
            "李娜您好，您反映的问题（电话13987654321）已办结",
        )
    )
    [text] = [r.getMessage() for r in caplog.records if r.name == "hotline.supervision.gateways"]
    assert "13987654321" not in text and "139****4321" in text
    assert "李娜" not in text and "李*您好" in text
    assert "[sms → 139****4321] k1:" in text
