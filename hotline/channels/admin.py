from django.contrib import admin, messages

from hotline.channels.models import ChannelClient, IdempotencyRecord, Submission


@admin.register(ChannelClient)
class ChannelClientAdmin(admin.ModelAdmin):
    """Create, disable and re-key channel clients.  The plain key is shown once, in the
    message after saving; only its hash is kept."""

    list_display = (
        "name",
        "channel",
        "key_prefix",
        "enabled",
        "auto_accept",
        "rate_limit_per_minute",
        "created_at",
        "last_used_at",
    )
    list_filter = ("channel", "enabled", "auto_accept")
    search_fields = ("name", "key_prefix")
    readonly_fields = ("key_prefix", "created_at", "last_used_at")
    actions = ["regenerate_key"]

    def save_model(self, request, obj, form, change):
        key = None if change else obj.set_key()
        super().save_model(request, obj, form, change)
        if key:
            self._show_key(request, obj, key)

    @admin.action(description="重新生成密钥（旧密钥立即失效）")
    def regenerate_key(self, request, queryset):
        for obj in queryset:
            key = obj.set_key()
            obj.save(update_fields=["key_hash", "key_prefix"])
            self._show_key(request, obj, key)

    @staticmethod
    def _show_key(request, obj, key: str) -> None:
        messages.warning(request, f"“{obj.name}”的 API 密钥（只显示这一次，请立即妥善保存）：{key}")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("order", "client", "submitted_at")
    list_filter = ("client",)
    raw_id_fields = ("order",)
    readonly_fields = ("client", "order", "extra", "submitted_at")


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("client", "key", "order", "created_at")
    list_filter = ("client",)
    readonly_fields = ("client", "key", "fingerprint", "order", "created_at")
