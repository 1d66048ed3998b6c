from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "hotline.calendars"
    label = "calendars"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from hotline.calendars import signals  # noqa: F401
