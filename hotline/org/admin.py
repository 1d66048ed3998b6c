from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    search_fields = ["user__username", "name"]

    def has_add_permission(self, request):
        return False  # keys are issued through the API/CLI so the plain key is shown once
