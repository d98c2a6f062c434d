"""Who gave or took away which role, and when: by hand, in the admin, or by the
identity provider, recorded and shown on the user's page."""

from django.urls import reverse

from accounts import services
from accounts.models import BY_IDENTITY_PROVIDER, Membership, MembershipSource, Role


def test_a_role_given_and_taken_away_by_hand_is_in_the_history_with_who_did_it(client, org):
    client.force_login(org.editor_a)
    client.post(
        reverse("accounts:user_detail", args=[org.principal_a.pk]),
        {"role": Role.SCHOOL_STAFF, "school": org.school_a.pk},
    )
    membership = org.principal_a.memberships.get(role=Role.SCHOOL_STAFF)
    client.post(reverse("accounts:membership_delete", args=[org.principal_a.pk, membership.pk]))

    records = list(Membership.history.filter(user_id=org.principal_a.pk, role=Role.SCHOOL_STAFF).order_by("history_id"))
    assert [(r.history_type, r.history_user, r.school_id) for r in records] == [
        ("+", org.editor_a, org.school_a.pk),
        ("-", org.editor_a, org.school_a.pk),
    ]
    page = client.get(reverse("accounts:user_detail", args=[org.principal_a.pk]))
    assert "Historik över roller" in page.text
    assert page.text.count("Personal på enheten (får skriva utkast) – Skola A") == 2
    assert "Borttagen" in page.text


def test_a_role_the_identity_provider_took_away_names_the_provider_in_the_history(client, org):
    services.memberships_sync_from_provider(user=org.principal_b, grants={(Role.PRINCIPAL, None, org.school_a.pk)})
    services.memberships_sync_from_provider(user=org.principal_b, grants=set())

    records = Membership.history.filter(user_id=org.principal_b.pk, school_id=org.school_a.pk).order_by("history_id")
    assert [(r.history_type, r.history_user, r.history_change_reason) for r in records] == [
        ("+", None, BY_IDENTITY_PROVIDER),
        ("-", None, BY_IDENTITY_PROVIDER),
    ]
    client.force_login(org.admin)
    page = client.get(reverse("accounts:user_detail", args=[org.principal_b.pk]))
    assert page.text.count("Inloggningstjänsten") == 2


def test_a_sign_in_leaves_roles_given_by_hand_alone(org):
    services.memberships_sync_from_provider(user=org.principal_a, grants=set())

    assert org.principal_a.memberships.filter(role=Role.PRINCIPAL, school=org.school_a).exists()


def test_giving_by_hand_a_role_the_provider_gave_keeps_it_at_later_sign_ins(org):
    services.memberships_sync_from_provider(user=org.principal_b, grants={(Role.SCHOOL_STAFF, None, org.school_a.pk)})
    services.membership_grant(
        user=org.principal_b, role=Role.SCHOOL_STAFF, committee=None, school=org.school_a, granted_by=org.admin
    )
    services.memberships_sync_from_provider(user=org.principal_b, grants=set())

    membership = org.principal_b.memberships.get(role=Role.SCHOOL_STAFF)
    assert membership.source == MembershipSource.MANUAL
    assert Membership.history.filter(id=membership.pk, history_type="~", history_user=org.admin).exists()


def test_the_history_is_only_on_the_page_of_a_user_one_may_see(client, org):
    client.force_login(org.editor_b)

    assert client.get(reverse("accounts:user_detail", args=[org.principal_a.pk])).status_code == 404
