"""``hotline demo``: load the demo centre (or ``--reset`` it).

The demo's accounts share a published password and its channel keys are published too, so
with ``HOTLINE_DEBUG=false`` the command refuses unless given ``--force`` (a training
copy, knowingly); ``hotline run`` then warns at every start and ``/api/v1/health`` reports
``demo_data``.
"""

import time

from django.conf import settings
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
        parser.add_argument(
            "--force", action="store_true", help="HOTLINE_DEBUG=false 时也载入（仅用于培训环境）"
        )

    def handle(self, *args, reset, orders, seed, force, **opts):
        if not settings.HOTLINE_DEMO_ALLOWED and not force:
            raise CommandError(
                "HOTLINE_DEBUG=false：生产环境不载入演示数据（演示账号密码和渠道密钥是公开的）。"
                "培训环境确需载入请加 --force。"
            )
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
