from django.contrib import admin

from accounts import permissions


class PortalAdminSite(admin.AdminSite):
    """The Django admin, open to staff and to the city admin role.

    The city office keeps strategies and the organisation here; other roles
    work in the portal's own pages.
    """

    site_header = "Strategiportalen"
    site_title = "Strategiportalen"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_staff or permissions.is_city_admin(user))


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
