"""The fault suite (issue 13 item 7): faults injected into real processes on PostgreSQL +
Redis (``conftest.Stack``), each test bounded by deadlines on the waits.  In file order:

1. kill -9 of the worker child, then of the roll-up child → gunicorn keeps serving and the
   child is back within 30 s;
2. two workers on the same due orders → no message sent twice;
3. Redis connections killed and Redis unreachable → /health says so, then the worker
   recovers (runs a sweep) without a restart;
4. the database refusing connections for 10 s → 503 JSON with Retry-After and /health 503,
   then recovery without a restart, every process still alive;
5. 8 threads × 100 intakes with retries → 0 lost, 0 doubled.

Polling waits here wait for real processes, not for the business clock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from prometheus_client.parser import text_string_to_metric_families

from hotline.tests.faults.conftest import BIN, SEED, children_of, topology, wait_for

pytestmark = pytest.mark.faults

# how long every process must stay alive after the database came back (issue 13: 60 s; the
# roll-up loop ticks every 3 s meanwhile, so twenty ticks run on the recovered database)
SETTLE_SECONDS = float(os.environ.get("HOTLINE_FAULTS_SETTLE_SECONDS", "60"))
OUTAGE_SECONDS = 10


def _serving(stack) -> bool:
    return requests.get(f"{stack.base}/api/v1/health", timeout=5).status_code == 200


def _appeal(i: int | str) -> dict:
    return {
        "title": f"故障测试诉求 {i}",
        "content": f"人民路路灯连续三晚不亮（编号 {i}）",
        "address": "海勃湾区人民路",
        "citizen_name": "王建军",
        "phone": "13812345678",
    }


def _post_appeal(stack, key: str, body: dict, timeout: float = 30) -> requests.Response:
    return requests.post(
        f"{stack.base}/api/v1/channel/appeals",
        json=body,
        headers={"X-Api-Key": stack.channel_key, "Idempotency-Key": key},
        timeout=timeout,
    )


@pytest.mark.parametrize("role", ["worker", "rollup"])
def test_a_killed_child_is_back_within_30_seconds_and_gunicorn_keeps_serving(stack, role):
    before = stack.children()
    os.kill(before[role], signal.SIGKILL)
    served = 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert _serving(stack), "gunicorn stopped answering while a child was down"
        served += 1
        now = stack.children()
        if role in now and now[role] != before[role]:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"{role} not restarted within 30 s:\n{stack.logs()}")
    assert stack.run.popen.poll() is None
    assert stack.children()["web"] == before["web"], "gunicorn was restarted"
    assert served >= 1
    assert f"{role} exited (code -9)" in stack.run.log.read_text()


def test_two_workers_on_the_same_due_orders_send_no_message_twice(stack):
    env = {**stack.env, "HOTLINE_VAR_DIR": str(stack.folder / "var-worker2")}
    second = stack.start("worker2", "run", "--role", "worker", env=env)
    try:
        wait_for(
            "the second worker's children",
            lambda: len([1 for c in ("worker", "rollup") if c in _kids(second)]) == 2,
            60,
            [second],
        )
        seeded = subprocess.run(
            [str(BIN / "python"), str(SEED), "12"],
            env=stack.env,
            cwd=stack.folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert seeded.returncode == 0, seeded.stderr
        # several sweeps at once: both consumers (two threads each) take them together
        stack.enqueue_sweeps(6)

        def all_sent() -> bool:
            [(sms, waiting)] = stack.sql(
                "SELECT count(*) FILTER (WHERE channel = 'sms'),"
                " count(*) FILTER (WHERE state IN ('pending', 'sending'))"
                " FROM supervision_message"
            )
            return sms >= 12 and waiting == 0

        wait_for("every message sent", all_sent, 90, [stack.run, second])
        sms_keys = {
            k for (k,) in stack.sql("SELECT key FROM supervision_message WHERE channel = 'sms'")
        }
        counts = stack.provider.counts
        assert sms_keys <= set(counts), "an SMS marked sent never reached the provider"
        twice = {k: n for k, n in counts.items() if n > 1}
        assert twice == {}, f"sent more than once: {twice}"
        [(dead,)] = stack.sql("SELECT count(*) FROM supervision_message WHERE state = 'dead'")
        assert dead == 0
    finally:
        topology._stop([second])
        stack.procs.remove(second)


def _kids(proc) -> dict[str, int]:
    return children_of(proc.popen.pid)


def _health(stack) -> requests.Response:
    return requests.get(f"{stack.base}/health", timeout=15)


def test_redis_connections_killed_health_reports_it_and_the_worker_recovers(stack):
    wait_for("a healthy stack", lambda: _health(stack).status_code == 200, 90, [stack.run])
    before = stack.children()
    real = redis.Redis.from_url(stack.redis_url)
    db = real.connection_pool.connection_kwargs.get("db", 0)
    me = real.client_id()
    stack.gate.cut()  # unreachable for this stack while the connections die
    try:
        killed = 0
        for client in real.client_list():
            if int(client.get("db", -1)) == db and int(client["id"]) != me:
                killed += real.client_kill_filter(_id=client["id"])
        seen: dict = {}

        def reported() -> bool:
            r = _health(stack)
            seen.update(r.json())
            return r.status_code == 503 and not r.json()["checks"]["queue"]["ok"]

        wait_for("/health reporting the queue down", reported, 30, [stack.run])
        assert seen["checks"]["database"]["ok"] is True
    finally:
        stack.gate.restore()
    restored = time.time()
    wait_for("/health healthy again", lambda: _health(stack).status_code == 200, 60, [stack.run])
    stack.enqueue_sweeps(1)
    wait_for(
        "a sweep after Redis came back",
        lambda: (last := stack.last_sweep()) is not None and last.timestamp() > restored,
        60,
        [stack.run],
    )
    assert stack.children() == before, "a process was restarted"


def test_the_database_refusing_connections_is_503_then_recovers_without_a_restart(stack):
    wait_for("a healthy stack", lambda: _health(stack).status_code == 200, 90, [stack.run])
    before = stack.children()
    name = stack.db_url.rsplit("/", 1)[1]
    stack.admin_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        stack.admin_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        started = time.monotonic()
        answers = []
        while time.monotonic() - started < OUTAGE_SECONDS:
            r = _post_appeal(stack, f"outage-{len(answers)}", _appeal("outage"))
            h = _health(stack)
            answers.append((r.status_code, h.status_code))
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"].isdigit()
            assert r.json()["code"] == "unavailable"
            assert h.status_code == 503 and h.headers["Retry-After"].isdigit()
            assert h.json()["checks"]["database"]["ok"] is False
            page = requests.get(f"{stack.base}/portal/track/", timeout=15)
            assert page.status_code in (200, 503)
            if page.status_code == 503:
                assert "服务暂时不可用" in page.text
            time.sleep(1)
        assert answers
    finally:
        stack.admin_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    restored = time.time()
    wait_for("/health healthy again", lambda: _health(stack).status_code == 200, 60, [stack.run])
    r = _post_appeal(stack, "after-outage", _appeal("after"))
    assert r.status_code in (200, 201), r.text
    stack.enqueue_sweeps(1)
    wait_for(
        "a sweep after the database came back",
        lambda: (last := stack.last_sweep()) is not None and last.timestamp() > restored,
        60,
        [stack.run],
    )
    # the 503s are counted across gunicorn's two workers (multiprocess mode)
    metrics = requests.get(
        f"{stack.base}/metrics",
        headers={"Authorization": f"Bearer {stack.env['HOTLINE_METRICS_TOKEN']}"},
        timeout=30,
    )
    assert metrics.status_code == 200
    unavailable = [
        s.value
        for family in text_string_to_metric_families(metrics.text)
        for s in family.samples
        if s.name == "hotline_http_requests_total" and s.labels.get("status") == "503"
    ]
    assert sum(unavailable) >= len(answers) * 2
    assert requests.get(f"{stack.base}/metrics", timeout=30).status_code == 401
    time.sleep(SETTLE_SECONDS)  # the roll-up loop ticks every 3 s meanwhile
    assert stack.run.popen.poll() is None
    assert stack.children() == before, f"a process was restarted:\n{stack.logs()}"
    assert _serving(stack)


def test_eight_threads_of_a_hundred_intakes_with_retries_lose_none_and_double_none(stack):
    wait_for("a serving stack", lambda: _serving(stack), 60, [stack.run])
    numbers: dict[str, set[str]] = {}
    lock = threading.Lock()

    def client(t: int) -> None:
        for i in range(100):
            key = f"load-{t}-{i}"
            body = _appeal(key)
            # every fourth appeal is sent again after its answer (a client that timed out
            # and retries); every error is retried with the same key
            for _send in range(2 if i % 4 == 0 else 1):
                for _ in range(20):
                    try:
                        r = _post_appeal(stack, key, body, timeout=20)
                    except requests.RequestException:
                        continue
                    if r.status_code in (200, 201):
                        with lock:
                            numbers.setdefault(key, set()).add(r.json()["number"])
                        break
                    assert r.status_code in (409, 429, 503), r.text
                    time.sleep(0.2)
                else:
                    pytest.fail(f"{key}: no answer after 20 tries")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(client, range(8)))
    assert len(numbers) == 800
    assert all(len(n) == 1 for n in numbers.values()), "a retry got another order"
    [(stored,)] = stack.sql(
        "SELECT count(*) FROM orders_workorder WHERE title LIKE '故障测试诉求 load-%%'"
    )
    assert stored == 800
