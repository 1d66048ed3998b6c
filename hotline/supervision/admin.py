from django.contrib import admin, messages

from hotline.orders.admin import ReadOnlyMixin
from hotline.supervision import outbox
from hotline.supervision.models import (
    LadderStep,
    Message,
    Notice,
    Reminder,
    SupervisionRecord,
    SweepMark,
)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "unit", "at", "by", "contact_name", "answered"]
    list_filter = ["answered"]


@admin.register(SupervisionRecord)
class SupervisionRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "unit", "method", "other_form", "at", "by", "effective"]
    list_filter = ["method", "effective"]


@admin.register(LadderStep)
class LadderStepAdmin(admin.ModelAdmin):
    """The supervision ladders are configuration: the administrator edits the rungs, their
    waits and their recipients here (§6.5 a–d, §6.4.4)."""

    list_display = [
        "track",
        "position",
        "method",
        "other_form",
        "after_minutes",
        "repeat_minutes",
        "automatic",
        "recipients",
        "channels",
        "active",
    ]
    list_editable = ["after_minutes", "repeat_minutes", "automatic", "active"]
    list_filter = ["track", "method", "automatic", "active"]
    ordering = ["track", "position"]


@admin.action(description="重新发送所选死信")
def retry_dead(modeladmin, request, queryset):
    n = sum(outbox.retry(m) for m in queryset.filter(state="dead"))
    modeladmin.message_user(request, f"已重新排队 {n} 条消息", messages.SUCCESS)


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The outbox: every SMS, WeChat and in-system message, with dead letters to retry."""

    list_display = [
        "created_at",
        "channel",
        "to_name",
        "to",
        "kind",
        "state",
        "attempts",
        "sent_at",
    ]
    list_filter = ["state", "channel", "kind"]
    search_fields = ["to", "to_name", "subject", "key", "order__number"]
    actions = [retry_dead]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "title", "unit", "role", "user", "read_at"]
    list_filter = ["kind", "level", "role"]
    search_fields = ["title", "body", "order__number"]


@admin.register(SweepMark)
class SweepMarkAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "key", "stage", "order"]
    list_filter = ["stage"]
    search_fields = ["key"]
