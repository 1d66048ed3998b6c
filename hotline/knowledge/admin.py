from django.contrib import admin

from hotline.knowledge.models import Entry, EntryVersion


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only: entries change through the workbench so every change is versioned."""

    list_display = ["title", "owner_unit", "category", "state", "review_on", "usage_count"]
    list_filter = ["state"]
    search_fields = ["title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EntryVersion)
class EntryVersionAdmin(admin.ModelAdmin):
    list_display = ["entry", "number", "action", "actor", "at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
