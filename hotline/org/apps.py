from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "hotline.org"
    label = "org"
    verbose_name = "组织机构与用户"

    def ready(self) -> None:
        # the lock-out log line (django-axes' signal)
        from hotline.common import lockout  # noqa: F401
