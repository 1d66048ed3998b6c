from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "hotline.catalog"
    label = "catalog"
    verbose_name = "诉求分类"
