from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlansConfig(AppConfig):
    name = "actionplans"
    verbose_name = _("Action plans and period reports")

    def ready(self):
        # Period-report reminders answer the daily planning's question.
        from actionplans import reminders  # noqa: F401
