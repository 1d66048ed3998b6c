"""``hotline privacy purge [--dry-run] [--years N]``: anonymise the personal data of orders
finished more than ``HOTLINE_RETENTION_YEARS`` years ago (docs/privacy.md).  The worker
runs the same purge monthly; every run is recorded (``RetentionRun``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from hotline.orders.actions import do_purge_personal_data
from hotline.orders.actions.retention import retention_years
from hotline.rules.calendar import SHANGHAI


class Command(BaseCommand):
    help = "个人信息保护：purge 按保存期限匿名化已办结工单的个人信息"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge", help="匿名化办结超过保存期限的工单中的个人信息")
        purge.add_argument(
            "--dry-run", action="store_true", help="只统计将被匿名化的工单数，不做修改"
        )
        purge.add_argument(
            "--years",
            type=int,
            default=None,
            help=f"保存年限（默认 HOTLINE_RETENTION_YEARS={retention_years()}）",
        )

    def handle(self, *args, action: str, dry_run: bool = False, years=None, **options) -> None:
        if years is not None and years < 1:
            raise CommandError("--years 至少为 1")
        run = do_purge_personal_data(years=years, dry_run=dry_run, trigger="command")
        cutoff = run.cutoff.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        verb = "将匿名化" if dry_run else "已匿名化"
        self.stdout.write(
            f"{verb} {run.orders} 件工单的个人信息（办结或不予受理早于 {cutoff}，"
            f"保存 {run.years} 年）；记录 #{run.pk}"
        )
