from django.contrib import admin

from hotline.orders.admin import ReadOnlyMixin
from hotline.supervision.models import Reminder, SupervisionRecord


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "unit", "at", "by", "contact_name", "answered"]
    list_filter = ["answered"]


@admin.register(SupervisionRecord)
class SupervisionRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "unit", "method", "other_form", "at", "by", "effective"]
    list_filter = ["method", "effective"]
