from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "hotline.supervision"
    label = "supervision"
    verbose_name = "催办督办"
