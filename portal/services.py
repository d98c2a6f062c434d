"""The accessibility statement's feedback: kept, and mailed to the city admins."""

from django.conf import settings
from django.template.loader import render_to_string

from accounts.models import Membership, Role, User
from outbox import services as outbox
from outbox.models import Mail
from portal.models import AccessibilityFeedback

FEEDBACK_MAIL = "portal.accessibility_feedback"


def accessibility_feedback_send(*, message: str, page: str, email: str, sender: User | None) -> AccessibilityFeedback:
    """Keep the feedback and write one mail to each city admin (through the outbox)."""
    feedback = AccessibilityFeedback.objects.create(
        message=message, page=page[:500], email=email, sender=sender if sender and sender.is_authenticated else None
    )
    admins = User.objects.filter(
        is_active=True, memberships__in=Membership.objects.filter(role=Role.CITY_ADMIN)
    ).distinct()
    outbox.mail_queue(
        mails=[
            outbox.Outgoing(
                key=f"accessibility-feedback-{feedback.pk}-{admin.pk}",
                kind=FEEDBACK_MAIL,
                recipient=admin,
                params={"feedback": feedback.pk},
            )
            for admin in admins
        ]
    )
    return feedback


def build_feedback_mail(mail: Mail) -> outbox.Message:
    feedback = AccessibilityFeedback.objects.filter(pk=mail.params.get("feedback")).select_related("sender").first()
    if feedback is None:
        raise outbox.NothingToSend("Synpunkten finns inte längre.")
    context = {"feedback": feedback, "city": settings.CITY_NAME, "site_url": settings.SITE_URL}
    return outbox.Message(
        subject=render_to_string("portal/email/accessibility_feedback_subject.txt", context).strip(),
        text=render_to_string("portal/email/accessibility_feedback.txt", context),
    )
