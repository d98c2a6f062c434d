from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Membership, User


class CityAdminAccess:
    """ModelAdmin permissions for the city admin role, beside Django's own."""

    def _is_city_admin(self, request) -> bool:
        return permissions.is_city_admin(request.user)

    def has_module_permission(self, request):
        return self._is_city_admin(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_city_admin(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._is_city_admin(request) or super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._is_city_admin(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_city_admin(request) or super().has_delete_permission(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["committee", "school"]
    exclude = ["created_by"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
