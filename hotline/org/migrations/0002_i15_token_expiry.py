# Issue 15: API tokens expire and can be revoked.  Tokens issued before this migration
# expire 90 days after their creation, like every token from now on.

from datetime import timedelta

from django.db import migrations, models
from django.db.models import F


def expire_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("org", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=F("created_at") + timedelta(days=90)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(db_index=True, null=True, verbose_name="到期时间"),
        ),
        migrations.RunPython(expire_old_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(db_index=True, verbose_name="到期时间"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="吊销时间"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("password_changed", "密码已修改"),
                    ("deactivated", "用户已停用"),
                    ("revoked", "手动吊销"),
                ],
                max_length=20,
                verbose_name="吊销原因",
            ),
        ),
    ]
