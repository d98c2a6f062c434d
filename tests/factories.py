"""Factories that keep the hierarchy consistent: a school's committee is the
committee its staff and plans belong to."""

import factory

from accounts.models import Membership, Role, User
from schools.models import Committee, School, SchoolForm, SchoolFormOffering
from strategy.models import Direction, FocusArea, Goal, Indicator, IndicatorUnit, Reporter, Strategy, StrategyStatus

PASSWORD = "correct-horse-battery"


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"N{n:03d}")
    name = factory.Sequence(lambda n: f"Nämnd {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        skip_postgeneration_save = True

    unit_code = factory.Sequence(lambda n: f"{20000000 + n}")
    name = factory.Sequence(lambda n: f"Skola {n}")
    committee = factory.SubFactory(CommitteeFactory)

    @factory.post_generation
    def forms(self, create, extracted, **kwargs):
        if create:
            for form in extracted or [SchoolForm.COMPULSORY]:
                SchoolFormOffering.objects.create(school=self, form=form)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.se")
    first_name = factory.Sequence(lambda n: f"Förnamn{n}")
    last_name = "Efternamn"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.PRINCIPAL
    school = factory.SubFactory(SchoolFactory)
    committee = None


def member(role: str, *, committee=None, school=None, **user_fields) -> User:
    """A user holding one role at a place."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, role=role, committee=committee, school=school)
    return user


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    title = factory.Sequence(lambda n: f"Strategi {n}")
    valid_from = 2024
    valid_to = 2027
    status = StrategyStatus.ADOPTED


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Fokusområde {n}")


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    focus_area = factory.SubFactory(FocusAreaFactory)
    number = factory.Sequence(lambda n: f"1.{n}")
    text = "Alla ska ha god tillgång till digitala verktyg."


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    goal = factory.SubFactory(GoalFactory)
    code = factory.Sequence(lambda n: f"I{n}")
    name = factory.Sequence(lambda n: f"Indikator {n}")
    unit = IndicatorUnit.PERCENT
    direction = Direction.HIGHER
    reported_by = Reporter.SCHOOL
