from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessibilityFeedback(models.Model):
    """A report of an accessibility shortcoming, sent from the accessibility
    statement; the city admins get it by mail."""

    message = models.TextField(_("what did not work"))
    page = models.CharField(_("page"), max_length=500, blank=True)
    email = models.EmailField(_("your email address"), blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(message=""), name="feedback_has_a_message"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.message[:40]}"
