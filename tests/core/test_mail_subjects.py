"""Mail subjects are plain text: names with < and & arrive as typed, not as HTML entities."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from followup import reminders
from followup.models import Cycle
from schools.models import School


@pytest.fixture
def markup_school(org, cycle_a):
    import datetime

    School.objects.filter(pk=org.school_a.pk).update(name="Skola <A> & Co")
    Cycle.objects.filter(pk=org.cycle.pk).update(
        opens_on=datetime.date(2026, 10, 1), deadline=datetime.date(2026, 12, 15), locks_on=datetime.date(2027, 1, 31)
    )
    return datetime.date(2026, 12, 8)


def test_a_reminder_subject_keeps_a_school_name_with_markup_as_typed(org, markup_school):
    reminders.reminders_plan(today=markup_school)
    reminders.dispatch_pending()
    message = next(m for m in mail.outbox if m.to == [org.principal_a.email])
    assert "Skola <A> & Co" in message.subject
    assert "&lt;" not in message.subject
    assert "&amp;" not in message.subject
    assert "Skola <A> & Co" in message.body
    # The HTML part is still escaped.
    assert "Skola &lt;A&gt; &amp; Co" in message.alternatives[0][0]


def test_an_invitation_subject_keeps_a_city_name_with_markup_as_typed(
    client, org, settings, django_capture_on_commit_callbacks
):
    settings.CITY_NAME = "Stad <Norr> & Söder"
    client.force_login(org.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:user_invite"),
            {"email": "ny@example.se", "first_name": "Ny", "last_name": "<Rektor> & Co", "role": Role.CITY_ANALYST},
        )
    (message,) = mail.outbox
    assert "Stad <Norr> & Söder" in message.subject
    assert not re.search(r"&(lt|gt|amp);", message.subject + message.body)


def test_a_password_reset_subject_is_plain_text(client, org, settings, django_capture_on_commit_callbacks):
    settings.CITY_NAME = "Stad <Norr> & Söder"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": org.principal_a.email})
    (message,) = mail.outbox
    assert not re.search(r"&(lt|gt|amp);", message.subject)
