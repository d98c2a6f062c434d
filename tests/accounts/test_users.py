"""Inviting users and giving and taking roles, within each manager's reach."""

import re

from django.core import mail
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import Membership, Role, User
from tests.factories import SchoolFactory


def invite(client, **data):
    return client.post(reverse("accounts:user_invite"), {"first_name": "Ny", "last_name": "Rektor", **data})


def test_an_invited_user_chooses_a_password_through_the_emailed_link_and_logs_in(
    client, org, django_capture_on_commit_callbacks
):
    client.force_login(org.editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, email="Ny.Rektor@Example.se", role=Role.PRINCIPAL, school=org.school_a.pk)
    user = User.objects.get(email="ny.rektor@example.se")
    assert response.status_code == 302
    assert not user.has_usable_password()
    assert list(user.memberships.values_list("role", "school")) == [(Role.PRINCIPAL, org.school_a.pk)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ny.rektor@example.se"]
    link = re.search(r"https?://\S+/password-reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    client.logout()
    form_page = client.get("/" + path, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Skolan-2026-lösen", "new_password2": "Skolan-2026-lösen"}
    )
    assert client.login(request=HttpRequest(), username="ny.rektor@example.se", password="Skolan-2026-lösen")


def test_inviting_an_existing_user_adds_the_role_and_sends_no_email(client, org, django_capture_on_commit_callbacks):
    client.force_login(org.admin)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, email=org.principal_b.email.upper(), role=Role.CITY_ANALYST)
    assert set(org.principal_b.memberships.values_list("role", flat=True)) == {Role.PRINCIPAL, Role.CITY_ANALYST}
    assert mail.outbox == []


def test_committee_editors_cannot_give_roles_outside_their_committee(client, org):
    client.force_login(org.editor_a)
    for data in (
        {"role": Role.PRINCIPAL, "school": org.school_b.pk},
        {"role": Role.COMMITTEE_EDITOR, "committee": org.committee_b.pk},
        {"role": Role.CITY_ADMIN},
    ):
        response = invite(client, email="someone@example.se", **data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not User.objects.filter(email="someone@example.se").exists()


def test_a_role_needs_its_place(client, org):
    client.force_login(org.admin)
    response = invite(client, email="someone@example.se", role=Role.COMMITTEE_READER)
    assert response.context["form"].errors["committee"] == ["Välj vilken nämnd rollen gäller."]
    assert not User.objects.filter(email="someone@example.se").exists()


def test_a_committee_editor_sees_only_the_people_of_their_committee(client, org):
    client.force_login(org.editor_a)
    emails = {u.email for u in client.get(reverse("accounts:user_list")).context["users"]}
    assert emails == {org.principal_a.email, org.editor_a.email, org.reader_a.email}


def test_a_committee_editor_gives_and_takes_a_role_in_their_committee(client, org):
    other_school = SchoolFactory(committee=org.committee_a)
    client.force_login(org.editor_a)
    client.post(
        reverse("accounts:user_detail", args=[org.principal_a.pk]),
        {"role": Role.SCHOOL_STAFF, "school": other_school.pk},
    )
    membership = Membership.objects.get(user=org.principal_a, role=Role.SCHOOL_STAFF)
    assert membership.school == other_school
    assert membership.created_by == org.editor_a

    client.post(reverse("accounts:membership_delete", args=[org.principal_a.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_committee_editor_cannot_take_a_city_role_from_someone_in_their_committee(client, org):
    analyst_role = org.principal_a.memberships.create(role=Role.CITY_ANALYST)
    client.force_login(org.editor_a)
    response = client.post(reverse("accounts:membership_delete", args=[org.principal_a.pk, analyst_role.pk]))
    assert response.status_code == 403
    assert Membership.objects.filter(pk=analyst_role.pk).exists()


def test_inviting_with_the_broker_down_still_creates_the_user(
    client, org, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from kombu.exceptions import OperationalError

    from outbox.tasks import send_mail

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_mail, "apply_async", broker_down)
    client.force_login(org.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, email="ny@example.se", role=Role.CITY_ANALYST)
    assert response.status_code == 302
    assert User.objects.filter(email="ny@example.se").exists()
    assert "broker unavailable" in caplog.text

    # The invitation waits in the outbox; when the broker is back the sweep sends it, once.
    from outbox import services as outbox
    from outbox.models import Mail, MailStatus

    assert Mail.objects.get().status == MailStatus.PENDING
    assert mail.outbox == []
    monkeypatch.undo()
    assert outbox.mail_dispatch_pending() == 1
    assert outbox.mail_dispatch_pending() == 0
    assert [m.to for m in mail.outbox] == [["ny@example.se"]]


def test_a_password_reset_goes_through_the_outbox_once_per_click(client, org, django_capture_on_commit_callbacks):
    from outbox.models import Mail

    for _click in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("password_reset"), {"email": org.principal_a.email})
        assert response.status_code == 302
    assert Mail.objects.filter(kind="accounts.password_reset", recipient=org.principal_a).count() == 1
    assert [m.to for m in mail.outbox] == [[org.principal_a.email]]
    assert re.search(r"https?://\S+/password-reset/\S+/", mail.outbox[0].body)
