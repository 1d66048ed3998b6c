"""Seed every year the installed ``chinesecalendar`` package knows (SPEC §4)."""

from django.db import migrations


def seed(apps, schema_editor):
    from hotline.calendars.services import sync_from_package

    sync_from_package(apps.get_model("calendars", "CalendarYear"), apps.get_model("calendars", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
