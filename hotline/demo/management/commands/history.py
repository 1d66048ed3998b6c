"""``hotline history --orders N``: a big city's history in bulk (see hotline.demo.history)."""

import time

from django.core.management.base import BaseCommand, CommandError

from hotline.analytics import rollup
from hotline.demo import build, history
from hotline.org.models import Unit


class Command(BaseCommand):
    help = "批量生成历史工单（默认两年、按真实分布），用于考核与看板的性能测试；随后封存日汇总"

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, required=True, help="工单数量，可到千万级")
        parser.add_argument("--days", type=int, default=730, help="分布在此前多少天（默认730）")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--batch", type=int, default=20000, help="每批写入的工单数")
        parser.add_argument(
            "--copies",
            type=int,
            help="每个模拟的办理过程写成几张工单（仅 PostgreSQL；默认每 50 万张工单 1 个过程，最多 20 张）",
        )
        parser.add_argument("--no-rollup", action="store_true", help="不生成日汇总")

    def handle(self, *args, orders, days, seed, batch, copies, no_rollup, **opts):
        if orders < 1 or days < 1 or (copies is not None and copies < 1):
            raise CommandError("--orders、--days 与 --copies 须为正整数")
        if not Unit.objects.exclude(kind="centre").exists():
            build.build_organisation()
            self.stdout.write("已建立演示单位和用户")
        started = time.monotonic()

        def progress(n: int) -> None:
            rate = n / max(1e-6, time.monotonic() - started)
            self.stdout.write(f"  已写入 {n:,} 张工单（{rate:,.0f} 张/秒）")

        try:
            made = history.generate(
                orders, days=days, seed=seed, batch=batch, copies=copies, progress=progress
            )
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"已生成 {made:,} 张历史工单（{time.monotonic() - started:.1f} 秒）")
        )
        if not no_rollup:
            t = time.monotonic()
            rollup.refresh()
            self.stdout.write(self.style.SUCCESS(f"日汇总已封存（{time.monotonic() - t:.1f} 秒）"))
