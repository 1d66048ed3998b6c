"""Issue 13: a dependency that does not answer is said so — 503 with ``Retry-After`` in the
shape of each entrance — and ``/health`` reports database, queue, sweep heartbeat and
outbox; the 督办员's board shows a red banner when the sweep has stopped.  The clock is set
(``now``); "the database is down" is every query raising ``OperationalError``."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError

from hotline.common.unavailable import RETRY_AFTER, UnavailableMiddleware
from hotline.supervision import heartbeat, outbox
from hotline.supervision.models import Message
from hotline.supervision.notify import Draft

pytestmark = pytest.mark.usefixtures("now")


@contextmanager
def database_down():
    """Every query raises as a database refusing connections does (undone before the test's
    own clean-up queries run)."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused (test)")

    with (
        mock.patch.object(CursorWrapper, "execute", refuse),
        mock.patch.object(CursorWrapper, "executemany", refuse),
    ):
        yield


def _unavailable_json(response) -> dict:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    return response.json()


def test_the_apis_answer_503_unavailable_with_retry_after_when_the_database_is_down(org):
    client = Client(raise_request_exception=False)
    with database_down():
        for path in ("/api/v1/health", "/api/v1/orders", "/api/v1/channel/appeals/12345"):
            body = _unavailable_json(
                client.get(path, HTTP_AUTHORIZATION="Bearer abc", HTTP_X_API_KEY="abc")
            )
            assert body["code"] == "unavailable" and body["retry_after"] == RETRY_AFTER
            assert "稍后重试" in body["message"]
        response = client.get("/open311/v2/services.json")
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER)
    assert response.json()[0]["code"] == 503


def test_a_page_answers_a_chinese_503_page_rendered_without_the_database(org, supervisor):
    client = Client(raise_request_exception=False)
    client.force_login(supervisor)
    with database_down():
        response = client.get("/supervision/")
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER)
    text = response.content.decode()
    assert "服务暂时不可用" in text and "12345" in text


def test_redis_not_answering_in_a_view_is_503_too():
    request = RequestFactory().post("/api/v1/orders/")
    middleware = UnavailableMiddleware(lambda r: None)
    response = middleware.process_exception(request, RedisConnectionError("refused"))
    assert json.loads(response.content)["code"] == "unavailable"
    assert middleware.process_exception(request, ValueError("a bug")) is None


def test_health_reports_each_dependency_and_is_503_without_a_recent_sweep(db, now):
    client = Client()
    body = client.get("/health").json()
    assert body["checks"]["database"]["ok"] and body["checks"]["queue"]["ok"]
    assert body["checks"]["sweep"] == {
        "ok": False,
        "last_completed_at": None,
        "lag_seconds": None,
        "max_lag_seconds": 300,
    }
    assert body["demo_data"] is False

    heartbeat.beat(heartbeat.SWEEP, now - timedelta(minutes=4))
    response = client.get("/health")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["sweep"]["lag_seconds"] == 240
    assert response.json()["checks"]["outbox"] == {
        "ok": True,
        "backlog": 0,
        "oldest_pending_age_seconds": None,
        "max_age_seconds": 1800,
    }

    heartbeat.beat(heartbeat.SWEEP, now - timedelta(minutes=5, seconds=1))
    response = client.get("/health")
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER)
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["sweep"]["ok"] is False


def test_health_is_503_when_the_oldest_waiting_message_is_too_old(db, now):
    heartbeat.beat(heartbeat.SWEEP, now)
    draft = dict(to="13900000000", to_name="值班员", kind="test", level="info", body="正文")
    outbox.add(
        [Draft(key="old", channel="sms", subject="旧", **draft)], now - timedelta(minutes=31)
    )
    outbox.add([Draft(key="new", channel="sms", subject="新", **draft)], now)
    response = Client().get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"] == {
        "ok": False,
        "backlog": 2,
        "oldest_pending_age_seconds": 31 * 60,
        "max_age_seconds": 1800,
    }
    Message.objects.filter(key="old").update(state="sent")
    assert Client().get("/health").status_code == 200


def test_health_is_503_naming_the_database_when_it_is_down(db, now):
    heartbeat.beat(heartbeat.SWEEP, now)
    with database_down():
        response = Client(raise_request_exception=False).get("/health")
    body = _unavailable_json(response)
    assert body["checks"]["database"]["ok"] is False
    assert "OperationalError" in body["checks"]["database"]["error"]
    assert body["checks"]["sweep"]["ok"] is False


def test_the_board_shows_a_red_banner_when_the_sweep_has_stopped(org, supervisor, now):
    client = Client()
    client.force_login(supervisor)
    assert "督办引擎未运行" in client.get("/supervision/").content.decode()

    heartbeat.beat(heartbeat.SWEEP, now - timedelta(minutes=2))
    assert 'data-testid="sweep-stopped"' not in client.get("/supervision/").content.decode()

    heartbeat.beat(heartbeat.SWEEP, now - timedelta(minutes=17, seconds=30))
    page = client.get("/supervision/").content.decode()
    assert 'data-testid="sweep-stopped"' in page
    assert "督办引擎已停止 17 分钟" in page


def test_a_sweep_records_its_completion_on_the_clock(db, now):
    from hotline.supervision import sweep

    sweep.run(deliver=False)
    assert heartbeat.pulse(heartbeat.SWEEP, now).last == now
    assert not heartbeat.pulse(heartbeat.SWEEP, now + timedelta(minutes=5)).stale
    assert heartbeat.pulse(heartbeat.SWEEP, now + timedelta(minutes=6)).stopped_minutes == 6
