"""``hotline demo``: load the demo centre (or ``--reset`` it)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from hotline.demo import build
from hotline.orders.models import WorkOrder
from hotline.org.models import Unit


class Command(BaseCommand):
    help = "载入演示数据（单位、用户、近60天各状态工单）；--reset 清空后重建"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="删除所有工单、用户和单位后重建")
        parser.add_argument("--orders", type=int, default=300, help="演示工单数量（默认300）")
        parser.add_argument("--seed", type=int, default=12345)

    def handle(self, *args, reset, orders, seed, **opts):
        started = time.monotonic()
        if reset:
            build.reset()
        elif Unit.objects.exists() or WorkOrder.objects.exists():
            raise CommandError(
                "数据库中已有数据；如需重建演示数据请使用 hotline demo --reset（会删除所有工单和用户）"
            )
        # Bulk work: don't keep every SQL statement in memory as DEBUG would.
        with override_settings(DEBUG=False):
            made = build.build(orders, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已载入：{Unit.objects.count()} 个单位，{made} 张工单（{time.monotonic() - started:.1f} 秒）"
            )
        )
