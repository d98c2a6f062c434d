"""Factories that keep the hierarchy consistent: a school's committee is the
committee its staff and plans belong to."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Membership, User
from followup import cycles
from schools.models import Committee, School, SchoolForm, SchoolFormOffering
from strategy.models import (
    Direction,
    FocusArea,
    Goal,
    Indicator,
    IndicatorUnit,
    MaturityLevel,
    Reporter,
    Strategy,
    StrategyStatus,
    Target,
)

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


def member(role: str, *, committee=None, school=None, **user_fields) -> User:
    """A user holding one role at a place."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, role=role, committee=committee, school=school)
    return user


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    title = factory.Sequence(lambda n: f"Strategi {n}")
    valid_from = 2000  # valid for every year a test follows up
    valid_to = None
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


# --- The yearly follow-up ---------------------------------------------------


SCALE = ("Inte påbörjat", "Påbörjat", "Etablerat", "Integrerat")


def maturity_scale(strategy: Strategy, labels=SCALE) -> None:
    """The strategy's maturity levels, 1 upwards, each with a description."""
    MaturityLevel.objects.bulk_create(
        MaturityLevel(strategy=strategy, level=level, label=label, description=f"Beskrivning {level}")
        for level, label in enumerate(labels, start=1)
    )


def followup_strategy(*, owner=None, **strategy_fields) -> Strategy:
    """An adopted strategy as a follow-up asks it: a maturity scale of 4 levels
    and two focus areas with school-reported indicators of each unit.

    1. Infrastruktur — goals 1.1 and 1.2; 1.1.1 percent (target 90 this year,
       80 last year), 1.1.2 yes/no, and 1.2.9, reported by the committee (a
       cycle leaves it out).
    2. Digital kompetens — goal 2.1; 2.1.1 count, owned by `owner` (a
       committee, or city-wide when None), and 2.1.2 ratio.
    """
    this_year = timezone.localdate().year
    strategy = StrategyFactory(**strategy_fields)
    maturity_scale(strategy)
    infrastructure = FocusArea.objects.create(
        strategy=strategy, number=1, title="Infrastruktur", description="Nät och utrustning."
    )
    competence = FocusArea.objects.create(strategy=strategy, number=2, title="Digital kompetens")
    goal_11 = Goal.objects.create(focus_area=infrastructure, number="1.1", position=1, text="Trådlöst nät överallt.")
    goal_12 = Goal.objects.create(focus_area=infrastructure, number="1.2", position=2, text="Datorer åt alla elever.")
    goal_21 = Goal.objects.create(focus_area=competence, number="2.1", position=1, text="Personalen är trygg med it.")

    def indicator(goal, code, unit, position, **fields):
        return Indicator.objects.create(
            goal=goal,
            code=code,
            name=f"Indikator {code}",
            unit=unit,
            position=position,
            direction=Direction.HIGHER,
            reported_by=fields.pop("reported_by", Reporter.SCHOOL),
            **fields,
        )

    percent = indicator(goal_11, "1.1.1", IndicatorUnit.PERCENT, 1, definition="Andel klassrum med nät.")
    Target.objects.create(indicator=percent, year=this_year, value=Decimal("90"))
    Target.objects.create(indicator=percent, year=this_year - 1, value=Decimal("80"))
    indicator(goal_11, "1.1.2", IndicatorUnit.YES_NO, 2)
    indicator(goal_12, "1.2.9", IndicatorUnit.PERCENT, 1, reported_by=Reporter.COMMITTEE)
    indicator(goal_21, "2.1.1", IndicatorUnit.COUNT, 1, owner=owner)
    indicator(goal_21, "2.1.2", IndicatorUnit.RATIO, 2)
    return strategy


def open_cycle(strategy: Strategy, *, year: int | None = None, user=None):
    """Open the follow-up of `strategy` for `year` (this year by default), open
    since a week, deadline in two weeks, locked after a month."""
    today = timezone.localdate()
    return cycles.cycle_open(
        strategy=strategy,
        year=year or today.year,
        opens_on=today - datetime.timedelta(days=7),
        deadline=today + datetime.timedelta(days=14),
        locks_on=today + datetime.timedelta(days=30),
        user=user,
    )
