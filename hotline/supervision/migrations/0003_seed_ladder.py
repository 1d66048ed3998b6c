"""Seed the default supervision ladders (hotline.supervision.defaults) for the admin to edit."""

from django.db import migrations

from hotline.supervision import defaults


def seed(apps, schema_editor):
    LadderStep = apps.get_model("supervision", "LadderStep")
    if not LadderStep.objects.exists():
        LadderStep.objects.bulk_create([LadderStep(**row) for row in defaults.rows()])


def unseed(apps, schema_editor):
    apps.get_model("supervision", "LadderStep").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_outbox_ladder_marks")]
    operations = [migrations.RunPython(seed, unseed)]
