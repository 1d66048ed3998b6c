"""``hotline rollup``: seal finished days into the analytics roll-ups."""

import time
from datetime import date

from django.core.management.base import BaseCommand

from hotline.analytics import rollup


class Command(BaseCommand):
    help = "封存已结束日期的考核与来件量日汇总（--rebuild 全部重算，--loop N 每N秒一次）"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="清空后从第一张工单起重算")
        parser.add_argument("--since", type=date.fromisoformat, help="从该日(YYYY-MM-DD)起重算")
        parser.add_argument("--loop", type=int, default=0, help="常驻，每隔多少秒封存一次")

    def handle(self, *args, rebuild, since, loop, **opts):
        if rebuild:
            rollup.reset()
        if loop:
            rollup.loop(loop)
            return
        t = time.monotonic()
        sealed = rollup.refresh(
            since=since, progress=lambda a, b: self.stdout.write(f"  {a} … {b}")
        )
        took = time.monotonic() - t
        if sealed:
            self.stdout.write(
                self.style.SUCCESS(f"已封存 {sealed[0]} 至 {sealed[1]}（{took:.1f} 秒）")
            )
        else:
            self.stdout.write("没有需要封存的日期")
