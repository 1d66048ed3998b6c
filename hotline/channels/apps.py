from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    """Intake from outside systems (§5.1): channel clients with API keys, idempotent
    submission, public status."""

    name = "hotline.channels"
    label = "channels"
    verbose_name = "受理渠道接入"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hotline.api.main import api
        from hotline.channels.api import on_rate_limited
        from hotline.channels.services import RateLimited

        api.add_exception_handler(RateLimited, on_rate_limited)
