"""The roll-ups gain reached callbacks (``VolumeDay`` rows of dimension ``callback``).
Days sealed before have none: the watermark is forgotten, so until the next refresh
re-seals every day, the pages count live (correct, slower) instead of reading zeros."""

from django.db import migrations


def forget_watermark(apps, schema_editor):
    apps.get_model("analytics", "RollupState").objects.filter(name="main").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0005_rollup_sealed_until"),
    ]

    operations = [migrations.RunPython(forget_watermark, migrations.RunPython.noop)]
