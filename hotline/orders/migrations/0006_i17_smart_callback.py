"""Smart callbacks (§6.8.2): the citizen's raw reply, and whether the assessment counts a
callback.  Existing callbacks keep today's counting: every reached callback counts."""

from django.db import migrations, models


def unreached_never_count(apps, schema_editor):
    Callback = apps.get_model("orders", "Callback")
    Callback.objects.exclude(outcome="reached").update(assessed=False)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_i14_privacy"),
    ]

    operations = [
        migrations.AddField(
            model_name="callback",
            name="assessed",
            field=models.BooleanField(default=True, verbose_name="计入考核"),
        ),
        migrations.AddField(
            model_name="callback",
            name="raw_reply",
            field=models.TextField(blank=True, verbose_name="服务对象原始回复"),
        ),
        migrations.RunPython(unreached_never_count, migrations.RunPython.noop),
    ]
