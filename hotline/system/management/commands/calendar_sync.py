"""Load the years the installed ``chinesecalendar`` package knows and the database lacks."""

from django.core.management.base import BaseCommand

from hotline.calendars.services import sync_from_package
from hotline.calendars.signals import notify_changed


class Command(BaseCommand):
    help = "从 chinesecalendar 包同步尚未录入的年份的节假日与调休"

    def handle(self, *args, **opts):
        added = sync_from_package()
        if added:
            notify_changed()
            self.stdout.write(f"已录入：{', '.join(map(str, added))}")
        elif opts["verbosity"] > 0:
            self.stdout.write("没有新的年份")
