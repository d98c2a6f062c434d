from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from followup import cycles, notifications, reminders, school_history  # noqa: F401 (receivers)
        from outbox.services import register_builder

        register_builder(reminders.MAIL_KIND, reminders.build_reminder_mail)
        notifications.register()
