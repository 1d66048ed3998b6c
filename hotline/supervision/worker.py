"""The background worker: huey, with its queue in Redis when ``HOTLINE_REDIS_URL`` is set
and in a SQLite file under ``var/`` otherwise.

Why huey: it is a small, well-kept task queue whose SQLite storage needs no server — the
embedded default of ``hotline run`` stays one directory — and whose Redis storage lets any
number of consumers on any number of machines share one queue in production.  It has
periodic tasks (crontab), thread or process workers and an immediate mode for tests, and
nothing else we would have to configure.  Correctness does not rest on the queue: every
consumer with periodic tasks enabled enqueues its own sweep each minute, and the sweep is
idempotent (``sweep``), so several workers only make it more available.

Tasks:

* ``supervision.sweep`` — periodic, every ``HOTLINE_SWEEP_MINUTES`` (default 1) minutes.
* ``supervision.deliver`` — drains the outbox; enqueued after an emergency report so the
  emergency department hears at once, not at the next sweep.
* ``privacy.purge`` — periodic, monthly (the 1st, 03:30): anonymises the personal data of
  orders finished more than ``HOTLINE_RETENTION_YEARS`` ago (``orders.actions.retention``);
  each run is recorded.  Running it twice finds nothing left the second time.
* every job of ``common.hooks.periodic_jobs`` (e.g. ``callbacks.tick``: survey time-outs)
  — periodic, on the sweep's schedule.
* ``housekeeping`` — hourly: removes uploads stored but never linked to an order (orphans
  of failed or interrupted intakes, ``orders.attachments.purge_orphans``) and gateway
  de-duplication rows past any possible resend.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from huey import Huey, RedisHuey, SqliteHuey, crontab

from hotline.common import hooks

log = logging.getLogger(__name__)

# the hourly housekeeping runs at this minute (not on the hour, when the sweep is busiest)
HOUSEKEEPING_MINUTE = 7


def build_huey(
    *,
    redis_url: str | None = None,
    sqlite_path: str | None = None,
    immediate: bool | None = None,
    name: str = "hotline",
    results: bool = False,
) -> Huey:
    """A huey instance from the settings (or the arguments, for tests)."""
    redis_url = redis_url if redis_url is not None else settings.REDIS_URL
    immediate = settings.HOTLINE_TASKS["immediate"] if immediate is None else immediate
    if redis_url:
        return RedisHuey(name, url=redis_url, immediate=immediate, results=results)
    path = str(sqlite_path or settings.HOTLINE_TASKS["sqlite_path"])
    return SqliteHuey(name, filename=path, immediate=immediate, results=results)


def _fresh_connections() -> None:
    """What Django does around a request: drop broken or expired connections — but never
    inside a transaction (a task run in-process by a caller that holds one)."""
    if not connection.in_atomic_block:
        close_old_connections()


def register(huey: Huey) -> dict:
    """Register hotline's tasks on ``huey``; returns them by name."""
    minutes = settings.HOTLINE_TASKS["sweep_minutes"]
    schedule = crontab(minute="*" if minutes == 1 else f"*/{minutes}")

    @huey.periodic_task(schedule, name="supervision.sweep")
    def sweep_task():
        from hotline.supervision import sweep

        _fresh_connections()
        try:
            report = sweep.run()
            log.info("sweep: %s", report.as_dict())
            return report.as_dict()
        finally:
            _fresh_connections()

    @huey.periodic_task(crontab(minute=str(HOUSEKEEPING_MINUTE)), name="housekeeping")
    def housekeeping_task():
        from hotline.orders import attachments
        from hotline.supervision import gateways

        _fresh_connections()
        try:
            out = {
                "orphan_uploads": attachments.purge_orphans(),
                "gateway_deliveries": gateways.purge_deliveries(),
            }
            log.info("housekeeping: %s", out)
            return out
        finally:
            _fresh_connections()

    @huey.task(name="supervision.deliver")
    def deliver_task():
        from hotline.supervision import outbox

        _fresh_connections()
        try:
            return outbox.deliver_due().__dict__
        finally:
            _fresh_connections()

    @huey.periodic_task(crontab(day="1", hour="3", minute="30"), name="privacy.purge")
    def purge_task():
        from hotline.orders.actions import do_purge_personal_data

        _fresh_connections()
        try:
            run = do_purge_personal_data(trigger="worker")
            log.info("privacy purge: %s orders (run %s)", run.orders, run.pk)
            return {"run": run.pk, "orders": run.orders}
        finally:
            _fresh_connections()

    tasks = {
        "sweep": sweep_task,
        "deliver": deliver_task,
        "housekeeping": housekeeping_task,
        "purge": purge_task,
    }
    # other apps' periodic work (``common.hooks.periodic_jobs``), on the sweep's schedule
    for name, job in sorted(hooks.periodic_jobs.items()):
        tasks[name] = huey.periodic_task(schedule, name=name)(_periodic(name, job))
    return tasks


def _periodic(name: str, job: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        _fresh_connections()
        try:
            result = job()
            log.info("%s: %s", name, result)
            return result
        finally:
            _fresh_connections()

    run.__name__ = name.replace(".", "_")
    return run


HUEY = build_huey()
TASKS = register(HUEY)
