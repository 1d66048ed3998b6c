from django.contrib import admin

from hotline.callbacks.models import CallbackRule, InboundSms, SmsOptOut, Survey
from hotline.orders.admin import ReadOnlyMixin
from hotline.rules import callback as rules


@admin.register(CallbackRule)
class CallbackRuleAdmin(admin.ModelAdmin):
    """The callback policy is configuration (§6.8.2): which orders get a person and which a
    survey.  While no row is active the built-in policy applies (see the description)."""

    list_display = [
        "position",
        "label",
        "method",
        "mode",
        "channels",
        "appeal_types",
        "domains",
        "urgencies",
        "emergency",
        "min_reopens",
        "active",
    ]
    list_editable = ["active"]
    list_filter = ["mode", "method", "active"]
    ordering = ["position"]

    def changelist_view(self, request, extra_context=None):
        default = "；".join(
            f"{i}. {r.label}" for i, r in enumerate([*rules.DEFAULT_POLICY, rules.FALLBACK], 1)
        )
        extra_context = {
            **(extra_context or {}),
            "title": f"回访策略（未配置时使用默认：{default}）",
        }
        return super().changelist_view(request, extra_context)


@admin.register(Survey)
class SurveyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "order",
        "method",
        "state",
        "reason",
        "satisfaction",
        "resolution",
    ]
    list_filter = ["method", "state", "reason"]
    search_fields = ["order__number"]
    raw_id_fields = ["order", "callback"]


@admin.register(InboundSms)
class InboundSmsAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["received_at", "provider", "phone", "code", "text", "outcome", "handled_at"]
    list_filter = ["outcome", "provider"]
    search_fields = ["phone", "message_id"]
    raw_id_fields = ["survey"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    """Citizens who asked for no more SMS; delete a row to send again."""

    list_display = ["phone", "at", "via"]
    search_fields = ["phone"]
