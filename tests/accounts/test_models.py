import pytest
from django.db import IntegrityError, transaction

from accounts.models import Membership, Role, User
from tests.factories import CommitteeFactory, SchoolFactory, UserFactory


@pytest.mark.parametrize(
    ("role", "place"),
    [
        (Role.PRINCIPAL, "committee"),
        (Role.PRINCIPAL, None),
        (Role.COMMITTEE_EDITOR, "school"),
        (Role.COMMITTEE_READER, None),
        (Role.CITY_ADMIN, "committee"),
        (Role.CITY_ANALYST, "school"),
    ],
)
def test_the_database_refuses_a_role_held_at_the_wrong_kind_of_place(db, role, place):
    school = SchoolFactory()
    kwargs = (
        {"committee": school.committee} if place == "committee" else {"school": school} if place == "school" else {}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), role=role, **kwargs)


def test_the_same_role_at_the_same_place_is_held_once(db):
    user, school, committee = UserFactory(), SchoolFactory(), CommitteeFactory()
    Membership.objects.create(user=user, role=Role.PRINCIPAL, school=school)
    Membership.objects.create(user=user, role=Role.COMMITTEE_EDITOR, committee=committee)
    Membership.objects.create(user=user, role=Role.CITY_ANALYST)
    for kwargs in (
        {"role": Role.PRINCIPAL, "school": school},
        {"role": Role.COMMITTEE_EDITOR, "committee": committee},
        {"role": Role.CITY_ANALYST},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=user, **kwargs)


def test_a_user_may_hold_several_roles(db):
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.PRINCIPAL, school=SchoolFactory())
    Membership.objects.create(user=user, role=Role.PRINCIPAL, school=SchoolFactory())
    Membership.objects.create(user=user, role=Role.CITY_ANALYST)
    assert user.memberships.count() == 3


def test_email_addresses_are_unique_whatever_their_case(db):
    User.objects.create_user(email="Rektor@Example.se")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="REKTOR@example.se")
