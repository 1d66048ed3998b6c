from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared helpers; an app only so the shared rate-limit counters get a table."""

    name = "hotline.common"
    label = "common"
    verbose_name = "公共"
