"""Orders in the admin are read-only: every change goes through ``hotline.orders.actions``
(the workbench, the API or a command), so the admin never writes a state or a timeline."""

from django.contrib import admin

from hotline.orders.models import Attachment, Deadline, Event, PersonalInfoAccess, WorkOrder


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = Event
    fields = ["at", "actor_name", "actor_role", "action", "from_state", "to_state", "note"]
    readonly_fields = fields
    extra = 0


class DeadlineInline(ReadOnlyMixin, admin.TabularInline):
    model = Deadline
    fields = ["kind", "start_at", "due_at", "warn_at", "met_at", "superseded_at", "provisional"]
    readonly_fields = fields
    extra = 0


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "state",
        "channel",
        "domain",
        "urgency",
        "lead_unit",
        "created_at",
    ]
    list_filter = ["state", "channel", "domain", "urgency", "display_mode"]
    search_fields = ["number", "title"]
    date_hierarchy = "created_at"
    inlines = [DeadlineInline, EventInline]
    list_select_related = ["lead_unit"]
    exclude = [
        "citizen_name",
        "citizen_phone",
        "citizen_address",
    ]  # personal info: see the workbench, logged


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["original_name", "order", "kind", "content_type", "size", "uploaded_at"]
    list_filter = ["kind", "purpose"]


@admin.register(PersonalInfoAccess)
class PersonalInfoAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "user", "order", "via"]
    list_filter = ["via"]
    search_fields = ["order__number", "user__username"]
