from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = "Portal"


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with the site that lets the city admin role in."""

    default = False
    default_site = "core.admin_site.PortalAdminSite"
