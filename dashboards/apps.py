from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards and yearly reports")

    def ready(self) -> None:
        # The summaries listen to the follow-up's and the organisation's events;
        # the yearly reports are swept jobs, and their "ready" mail goes through the outbox.
        from core import jobs
        from dashboards import reports, sections, summaries
        from outbox.services import register_builder

        jobs.register(reports.REPORT_JOBS)
        jobs.register_sweeper("summaries", summaries.sweep)
        jobs.register_sweeper("dashboards", sections.sweep)
        register_builder(reports.READY_MAIL, reports.build_ready_mail)
