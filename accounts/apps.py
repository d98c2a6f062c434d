from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts import mails
        from accounts.models import Membership, User

        mails.register()
        post_save.connect(User.membership_changed, sender=Membership, dispatch_uid="roles_version_on_save")
        post_delete.connect(User.membership_changed, sender=Membership, dispatch_uid="roles_version_on_delete")
