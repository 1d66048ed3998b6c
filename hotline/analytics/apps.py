from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "hotline.analytics"
    label = "analytics"
    verbose_name = "考核与分析"
