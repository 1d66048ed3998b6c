"""The routing catalogue (派单目录) is edited here; model versions and the learning record
are read here (the accuracy table sits above the feedback list)."""

from django.contrib import admin

from hotline.intelligence import feedback, services
from hotline.intelligence.models import ModelVersion, RoutingRule, SuggestionFeedback


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "category",
        "area",
        "component_type",
        "keyword",
        "unit",
        "priority",
        "enabled",
    ]
    list_editable = ["priority", "enabled"]
    list_filter = ["enabled", "component_type"]
    search_fields = ["keyword", "unit__name", "category__name", "area__name", "note"]
    list_select_related = ["category", "area", "unit"]
    autocomplete_fields = ["category", "area", "unit"]


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["kind", "version", "n_train", "source", "active", "created_at"]
    list_filter = ["kind", "active"]
    readonly_fields = [
        "kind",
        "path",
        "version",
        "n_train",
        "labels",
        "metrics",
        "source",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if obj.active:
            ModelVersion.objects.filter(kind=obj.kind, active=True).exclude(pk=obj.pk).update(
                active=False
            )
        super().save_model(request, obj, form, change)
        services.invalidate("models")


@admin.register(SuggestionFeedback)
class SuggestionFeedbackAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "field",
        "suggested",
        "chosen",
        "accepted",
        "confidence",
        "model_version",
        "source",
        "actor",
        "order",
    ]
    list_filter = ["field", "accepted", "source", "model_version"]
    date_hierarchy = "at"
    raw_id_fields = ["order", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "accuracy": feedback.accuracy()}
        return super().changelist_view(request, extra_context)
