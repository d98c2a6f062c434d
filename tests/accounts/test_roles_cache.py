"""A user's roles are read from the cache under the version on the user row: no
query for them on a request, and every change of role seen on the next one."""

from django.urls import reverse

from accounts import permissions, services
from accounts.models import Membership, Role, User
from schools.models import School


def fresh(user: User) -> User:
    """The user as the next request reads them (the session's user is read from the database)."""
    return User.objects.get(pk=user.pk)


def test_the_roles_are_read_once_and_then_from_the_cache(org, django_assert_num_queries):
    first = fresh(org.principal_a)
    with django_assert_num_queries(1):
        assert permissions.school_ids(first) == {org.school_a.pk}
    user = fresh(org.principal_a)
    with django_assert_num_queries(0):
        assert permissions.school_ids(user) == {org.school_a.pk}
        assert [m.school.name for m in permissions.memberships(user)] == ["Skola A"]


def test_a_role_given_is_seen_on_the_next_request(org):
    assert not permissions.is_city_staff(fresh(org.principal_a))
    services.membership_grant(
        user=org.principal_a, role=Role.CITY_ANALYST, committee=None, school=None, granted_by=org.admin
    )
    assert permissions.is_city_staff(fresh(org.principal_a))


def test_a_role_taken_away_is_not_read_from_the_cache_again(org):
    assert permissions.editor_committee_ids(fresh(org.editor_a)) == {org.committee_a.pk}
    services.membership_revoke(membership=org.editor_a.memberships.get(), revoked_by=org.admin)
    assert permissions.editor_committee_ids(fresh(org.editor_a)) == set()


def test_a_role_that_goes_with_its_school_is_gone_from_the_cache_too(org):
    assert permissions.school_ids(fresh(org.principal_b)) == {org.school_b.pk}
    # The cascade deletes the membership without a service: the version is raised all the same.
    School.objects.filter(pk=org.school_b.pk).delete()
    assert permissions.school_ids(fresh(org.principal_b)) == set()


def test_the_instance_that_changed_a_role_does_not_keep_the_old_roles(org):
    user = fresh(org.reader_a)
    assert not permissions.is_city_staff(user)
    Membership.objects.create(user=user, role=Role.CITY_ANALYST)
    assert permissions.is_city_staff(user)


def test_a_principal_whose_role_is_taken_away_loses_the_page_at_once(client, org):
    client.force_login(org.principal_a)
    url = reverse("schools:school_detail", args=[org.school_a.pk])
    assert client.get(url).status_code == 200
    services.membership_revoke(membership=org.principal_a.memberships.get(), revoked_by=org.admin)
    assert client.get(url).status_code == 404


def test_one_users_roles_are_never_read_as_anothers(org):
    assert permissions.school_ids(fresh(org.principal_a)) == {org.school_a.pk}
    assert permissions.school_ids(fresh(org.principal_b)) == {org.school_b.pk}
    assert permissions.school_ids(fresh(org.principal_a)) == {org.school_a.pk}
