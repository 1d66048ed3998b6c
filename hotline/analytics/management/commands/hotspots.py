"""``hotline hotspots``: analyse a period's appeals for concentrated issues (§4.2 b)."""

from django.core.management.base import BaseCommand, CommandError

from hotline import clock
from hotline.analytics import concentrated
from hotline.analytics.periods import Period, local_day


class Command(BaseCommand):
    help = "分析集中诉求（相似诉求分组、上升话题、同一市民重复诉求），结果供“集中诉求”页面展示"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM，默认本月")
        parser.add_argument("--start", help="YYYY-MM-DD")
        parser.add_argument("--end", help="YYYY-MM-DD")
        parser.add_argument("--domain", default="", help="只分析某一归口分类（代码）")

    def handle(self, *args, month, start, end, domain, **opts):
        try:
            period = Period.parse(month, start, end, local_day(clock.now()))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        run = concentrated.analyse(period, domain=domain)
        groups = run.report["groups"]
        self.stdout.write(
            self.style.SUCCESS(
                f"{period.label}：分析 {run.records} 件，{len(groups)} 个集中诉求组，"
                f"{len(run.report['repeats'])} 条重复诉求链（{run.seconds} 秒）"
            )
        )
        for g in groups[:10]:
            self.stdout.write(f"  {g['label']} · {g['size']} 件 · {g['citizens']} 人")
