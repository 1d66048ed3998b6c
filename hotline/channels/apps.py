from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    """Intake from outside systems (§5.1): channel clients with API keys, idempotent
    submission, public status."""

    name = "hotline.channels"
    label = "channels"
    verbose_name = "受理渠道接入"
    default_auto_field = "django.db.models.BigAutoField"
