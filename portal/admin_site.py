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
