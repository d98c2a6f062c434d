from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The site around the apps: the start page, the navigation, the admin site."""

    default = True
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from outbox.services import register_builder
        from portal import services

        register_builder(services.FEEDBACK_MAIL, services.build_feedback_mail)


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with the site that lets the city admin role in."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"
