from django.contrib import admin

from hotline.catalog.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "domain", "parent", "active", "sort"]
    list_filter = ["domain", "active"]
    search_fields = ["name", "code"]
    readonly_fields = ["domain"]
