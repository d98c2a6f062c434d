from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The site around the apps: the start page, the navigation, the admin site."""

    default = True
    name = "portal"
    verbose_name = _("Portal")


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with the site that lets the city admin role in."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"
