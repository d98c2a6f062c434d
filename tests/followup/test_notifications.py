"""Mail about the events people wait for: returned, approved, handed in (each or a daily digest)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import HandedInMail, Role
from followup import notifications, services
from outbox import services as outbox
from outbox.models import Mail
from tests.factories import member


@pytest.fixture
def handed_in(org, cycle_a):
    """School A's assessment, filled in and handed in by its principal."""
    area = org.cycle.areas.get()
    data = services.AreaInput(
        level=2,
        done="Nät i alla rum.",
        next_steps="Fortbildning.",
        indicator_values={i.pk: 50 for i in area.indicators.for_school(org.school_a)},
    )
    services.area_answer_save(assessment=org.assessment_a, area=area, data=data, version=0, user=org.principal_a)
    assert services.assessment_submit(assessment=org.assessment_a, user=org.principal_a)
    return org


def sent_to(email):
    outbox.mail_dispatch_pending()
    return [m for m in mail.outbox if m.to == [email]]


def test_a_returned_assessment_is_mailed_to_the_principal_with_the_reason_in_their_language(handed_in, settings):
    org = handed_in
    settings.SITE_URL = "https://strategi.example.se"
    org.principal_a.language = "en"
    org.principal_a.save()
    services.assessment_return(assessment=org.assessment_a, user=org.editor_a, reason="Beskriv nästa steg.")
    [message] = sent_to(org.principal_a.email)
    assert "has been returned" in message.subject
    assert "Beskriv nästa steg." in message.body
    assert f"https://strategi.example.se/assessments/{org.assessment_a.pk}/" in message.body
    assert sent_to(org.principal_a.email) == [message]  # once


def test_an_approved_assessment_is_mailed_to_the_principal(handed_in):
    org = handed_in
    services.assessment_approve(assessment=org.assessment_a, user=org.editor_a, comment="Bra jobbat.")
    [message] = sent_to(org.principal_a.email)
    assert "är godkänd" in message.subject
    assert "Bra jobbat." in message.body


def test_editors_get_one_digest_a_day_unless_they_chose_one_mail_per_school_or_none(org, cycle_a, handed_in):
    each = member(Role.COMMITTEE_EDITOR, committee=org.committee_a, email="varje@example.se")
    each.handed_in_mail = HandedInMail.EACH
    each.save()
    silent = member(Role.COMMITTEE_EDITOR, committee=org.committee_a, email="tyst@example.se")
    silent.handed_in_mail = HandedInMail.NONE
    silent.save()
    # `each` chose so before the school handed in again: a new submission mails them.
    services.assessment_return(assessment=org.assessment_a, user=org.editor_a, reason="Mer.")
    services.assessment_submit(assessment=org.assessment_a, user=org.principal_a)
    assert len(sent_to(each.email)) == 1
    assert "Skola A har lämnat in" in sent_to(each.email)[0].subject

    today = timezone.localdate()
    assert notifications.handed_in_digests_plan(today=today) == 1  # editor A only (B's school has not handed in)
    assert notifications.handed_in_digests_plan(today=today) == 0
    [digest] = sent_to(org.editor_a.email)
    assert "Skola A" in digest.body
    assert f"/assessments/{org.assessment_a.pk}/" in digest.body
    assert sent_to(silent.email) == []
    # The next day's digest lists only what was handed in since.
    assert notifications.handed_in_digests_plan(today=today + datetime.timedelta(days=1)) == 0
    assert Mail.objects.filter(kind=notifications.HANDED_IN_DIGEST).count() == 1


def test_each_user_chooses_how_they_hear_that_schools_hand_in(client, org):
    client.force_login(org.editor_a)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert "En sammanfattning om dagen" in page
    response = client.post(reverse("accounts:settings"), {"language": "sv", "handed_in_mail": HandedInMail.EACH})
    assert response.status_code == 302
    org.editor_a.refresh_from_db()
    assert org.editor_a.handed_in_mail == HandedInMail.EACH
    response = client.post(reverse("accounts:settings"), {"language": "sv", "handed_in_mail": "often"})
    assert response.status_code == 200
    org.editor_a.refresh_from_db()
    assert org.editor_a.handed_in_mail == HandedInMail.EACH
