from axes.utils import reset as reset_lockouts
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from hotline import clock
from hotline.org.models import ApiToken, Area, Unit, User


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "aliases"]
    list_filter = ["level"]
    search_fields = ["name", "code", "aliases"]
    autocomplete_fields = ["parent"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["areas", "categories"]


@admin.register(User)
class HotlineUserAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["username", "first_name", "last_name", "phone"]
    autocomplete_fields = ["unit"]
    fieldsets = UserAdmin.fieldsets + (("热线角色", {"fields": ("role", "unit", "phone")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("热线角色", {"fields": ("role", "unit", "phone")}),)
    actions = ["unlock_login", "revoke_tokens"]

    @admin.action(description="解除登录锁定（清除输错密码记录）")
    def unlock_login(self, request, queryset):
        cleared = sum(reset_lockouts(username=u.username) for u in queryset)
        self.message_user(
            request, f"已解除 {queryset.count()} 个用户的登录锁定（清除 {cleared} 条记录）"
        )

    @admin.action(description="吊销全部 API 令牌")
    def revoke_tokens(self, request, queryset):
        revoked = sum(ApiToken.revoke_all(u, "revoked") for u in queryset)
        self.message_user(request, f"已吊销 {revoked} 个令牌", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "status", "last_used_at"]
    list_filter = ["revoked_reason"]
    readonly_fields = [
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_reason",
    ]
    search_fields = ["user__username", "name", "prefix"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are issued through the API/CLI so the plain key is shown once

    @admin.display(description="状态")
    def status(self, obj: ApiToken) -> str:
        return obj.status_label

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        n = queryset.filter(revoked_at__isnull=True).update(
            revoked_at=clock.now(), revoked_reason="revoked"
        )
        self.message_user(request, f"已吊销 {n} 个令牌", messages.SUCCESS)
