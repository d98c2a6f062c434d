from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards and yearly reports")

    def ready(self):
        # The summaries listen to the follow-up's and the organisation's events.
        from dashboards import summaries  # noqa: F401
