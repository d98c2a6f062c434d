from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from schools.models import Committee, School
        from schools.versions import organisation_changed

        for model in (Committee, School):
            post_save.connect(organisation_changed, sender=model, dispatch_uid=f"organisation_version_{model.__name__}")
            post_delete.connect(organisation_changed, sender=model, dispatch_uid=f"organisation_del_{model.__name__}")
