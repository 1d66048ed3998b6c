"""Orders in the admin are read-only: every change goes through ``hotline.orders.actions``
(the workbench, the API or a command), so the admin never writes a state or a timeline."""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone

from hotline.orders.models import (
    Attachment,
    Deadline,
    Event,
    PersonalInfoAccess,
    RetentionRun,
    WorkOrder,
)
from hotline.rules import masking
from hotline.rules.calendar import SHANGHAI


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


@admin.action(description="导出所选记录（CSV）")
def export_access_csv(modeladmin, request, queryset):
    """The selected access-log rows as CSV (UTF-8 with BOM, so Excel reads the Chinese)."""
    stamp = timezone.now().astimezone(SHANGHAI).strftime("%Y%m%d%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="personal-info-access-{stamp}.csv"'
    response.write("\ufeff")
    out = csv.writer(response)
    out.writerow(["查看时间", "查看人", "角色", "工单编号", "途径", "目的", "查看的个人信息"])
    for row in queryset.select_related("user", "order").order_by("-at", "-id"):
        out.writerow(
            [
                row.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                row.user.username if row.user_id else "",
                row.get_role_display(),
                row.order.number,
                row.via,
                masking.PURPOSES.label(row.purpose) if row.purpose else "",
                row.fields_label,
            ]
        )
    return response


@admin.register(PersonalInfoAccess)
class PersonalInfoAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The personal-info access log (PIPL Art. 51): browse, filter, export; never edit."""

    list_display = ["at", "user", "role", "order", "fields_label", "via", "purpose"]
    list_filter = ["purpose", "role", "via", "at"]
    date_hierarchy = "at"
    search_fields = ["order__number", "user__username", "via"]
    list_select_related = ["user", "order"]
    actions = [export_access_csv]

    @admin.display(description="查看的个人信息")
    def fields_label(self, obj: PersonalInfoAccess) -> str:
        return obj.fields_label


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "years", "cutoff", "dry_run", "orders", "trigger"]
    list_filter = ["dry_run", "trigger"]
