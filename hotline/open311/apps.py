from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2 server at ``/open311/v2/`` (docs/open311.md)."""

    name = "hotline.open311"
    label = "open311"
    verbose_name = "Open311 接口"

    def ready(self) -> None:
        from hotline.open311 import present
        from hotline.orders.actions import retention_hooks

        if present.forget not in retention_hooks:
            retention_hooks.append(present.forget)
