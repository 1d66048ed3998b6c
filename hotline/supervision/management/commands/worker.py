"""``hotline worker``: run the background worker (huey consumer) alone.

    hotline worker                       one consumer, 2 worker threads, periodic sweep on
    hotline worker --workers 4 --worker-type process
    hotline worker --no-periodic         an extra consumer that only drains the queue
    hotline worker --once                one sweep (and the other periodic jobs) now, print
                                         the report as JSON, exit

Start as many as you like, on as many machines as share the database (and, for more than
one machine, ``HOTLINE_REDIS_URL``): the sweep is idempotent and the outbox claims each
message by compare-and-set.
"""

from __future__ import annotations

import json
import logging

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务进程（超期预警、催办督办、消息发送）"

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2, help="并发数（默认 2）")
        parser.add_argument(
            "--worker-type", choices=["thread", "process"], default="thread", help="线程或进程"
        )
        parser.add_argument("--no-periodic", action="store_true", help="不调度每分钟的扫描")
        parser.add_argument("--once", action="store_true", help="立即扫描一次后退出")

    def handle(self, *args, workers, worker_type, no_periodic, once, **opts):
        if once:
            from hotline.common import hooks
            from hotline.supervision import sweep

            report = sweep.run().as_dict()
            # the other apps' periodic jobs too (e.g. callbacks.tick: survey time-outs)
            report["periodic"] = {name: job() for name, job in sorted(hooks.periodic_jobs.items())}
            self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
            return
        from hotline.supervision.worker import HUEY

        if HUEY.immediate:
            HUEY.immediate = False
        # huey's INFO lines (task started/finished) reach the console handler of settings
        logging.getLogger("huey").setLevel(logging.INFO)
        backend = "Redis" if type(HUEY).__name__.startswith("Redis") else "SQLite"
        self.stdout.write(f"hotline worker: {workers} {worker_type}(s), queue in {backend}")
        if not no_periodic:
            # one sweep at once: the heartbeat (/health, the board's banner) is fresh from
            # the start, not after the first full minute
            from hotline.supervision.worker import TASKS

            try:
                TASKS["sweep"]()
            except Exception:  # the queue is down: the consumer retries, the sweep follows
                logging.getLogger(__name__).exception("could not enqueue the first sweep")
        HUEY.create_consumer(
            workers=workers, worker_type=worker_type, periodic=not no_periodic
        ).run()
