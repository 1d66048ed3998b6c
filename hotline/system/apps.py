from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "hotline.system"
    label = "system"
    verbose_name = "系统"
