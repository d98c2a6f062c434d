from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import ExternalIdentity, Membership, RoleMapping, User


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
    readonly_fields = ["source"]


class ExternalIdentityInline(admin.TabularInline):
    model = ExternalIdentity
    extra = 0
    readonly_fields = ["provider", "subject", "created_at", "last_sign_in"]
    can_delete = True

    def has_add_permission(self, request, obj=None):
        # Identities are linked at sign-in, never typed in.
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline, ExternalIdentityInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(RoleMapping)
class RoleMappingAdmin(CityAdminAccess, admin.ModelAdmin):
    """The city admin's rules from the identity provider's attributes to roles."""

    list_display = ["attribute", "value", "role", "committee", "school", "school_from_unit_code"]
    list_filter = ["role", "attribute"]
    search_fields = ["attribute", "value", "committee__name", "school__name", "school__unit_code"]
    autocomplete_fields = ["committee", "school"]


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class FailedLoginAdmin(CityAdminAccess, AccessAttemptAdmin):
    """Failed logins; the city admin unlocks an account by deleting its rows."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
