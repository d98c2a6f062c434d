"""Demo follow-ups: two finished years and this year's, under way."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from followup import services
from followup.models import Cycle, SelfAssessment
from strategy.models import IndicatorUnit, Strategy

TEXTS = {
    "done": [
        "Vi har byggt ut det trådlösa nätet i alla klassrum och infört en gemensam lärplattform.",
        "All personal har gått en grundkurs i digitala verktyg och vi har utsett it-ombud i varje arbetslag.",
        "Eleverna arbetar med digitala portfolior och vårdnadshavare får information via lärplattformen.",
    ],
    "strengths": [
        "Engagerade it-ombud som sprider goda exempel i arbetslagen.",
        "Ledningen följer upp användningen vid medarbetarsamtal.",
        "God tillgång till datorer och surfplattor för elever i behov av stöd.",
    ],
    "next_steps": [
        "Fortbilda personalen i att använda digitala verktyg för formativ bedömning.",
        "Ta fram en plan för att ersätta äldre datorer under nästa år.",
        "Utveckla samarbetet med vårdnadshavare kring lärplattformen.",
    ],
}


def _value(unit: str, rng: random.Random) -> Decimal:
    if unit == IndicatorUnit.PERCENT:
        return Decimal(rng.randint(40, 100))
    if unit == IndicatorUnit.YES_NO:
        return Decimal(rng.choice([0, 1, 1]))
    if unit == IndicatorUnit.RATIO:
        return Decimal(rng.randint(2, 10)) / 10
    return Decimal(rng.randint(1, 4))


def _answer(assessment: SelfAssessment, user: User, rng: random.Random, base: int, areas: int | None = None) -> None:
    """Fill in the first `areas` areas (all when None) with plausible answers."""
    for area in list(assessment.cycle.areas.all())[:areas]:
        level_count = assessment.cycle.levels.count()
        data = services.AreaInput(
            level=max(1, min(level_count, base + rng.choice([-1, 0, 0, 1]))),
            done=rng.choice(TEXTS["done"]),
            strengths=rng.choice(TEXTS["strengths"]),
            next_steps=rng.choice(TEXTS["next_steps"]),
            indicator_values={i.pk: _value(i.unit, rng) for i in area.indicators.for_school(assessment.school)},
        )
        answer = services.area_answer_for(assessment, area)
        services.area_answer_save(assessment=assessment, area=area, data=data, version=answer.version, user=user)


def build() -> list[Cycle]:
    """Cycles for the last two years (handed in and approved) and this year's,
    open with a mix of statuses. Safe to run again: existing years are kept."""
    strategy = Strategy.objects.get(title="It-strategi för ett bättre lärande", valid_from=2011)
    admin = User.objects.get(email="admin@demostad.se")
    reviewer = User.objects.get(email="namnd@demostad.se")
    today = timezone.localdate()
    this_year = today.year
    cycles = []
    for offset in (2, 1, 0):
        year = this_year - offset
        cycle = Cycle.objects.filter(year=year).first()
        if cycle is None:
            # Every cycle is filled in as if it were open today; a finished year
            # then gets the dates it really had.
            cycle = services.cycle_open(
                strategy=strategy,
                year=year,
                opens_on=today - datetime.timedelta(days=30),
                deadline=today + datetime.timedelta(days=21),
                locks_on=today + datetime.timedelta(days=60),
                user=admin,
            )
            _fill(cycle, finished=bool(offset), reviewer=reviewer)
            if offset:
                handed_in = timezone.make_aware(datetime.datetime(year, 12, 1, 15, 0))
                cycle.assessments.update(submitted_at=handed_in, reviewed_at=handed_in + datetime.timedelta(days=10))
                Cycle.objects.filter(pk=cycle.pk).update(
                    opens_on=datetime.date(year, 10, 1),
                    deadline=datetime.date(year, 12, 15),
                    locks_on=datetime.date(year + 1, 1, 31),
                )
                cycle.refresh_from_db()
        cycles.append(cycle)
    return cycles


def _fill(cycle: Cycle, *, finished: bool, reviewer: User) -> None:
    rng = random.Random(cycle.year)  # noqa: S311 - repeatable demo answers, not security
    assessments = list(cycle.assessments.select_related("school__committee").order_by("school__unit_code"))
    for index, assessment in enumerate(assessments):
        principal = _principal_for(assessment.school)
        # Schools grow a little each year; the south starts lower.
        base = 2 + (cycle.year % 3 == 0) + ((assessment.school.committee.code == "SDN-SODER" and -1) or 0)
        base = max(1, min(4, base + (index % 3) - 1))
        if finished:
            _answer(assessment, principal, rng, base)
            services.assessment_submit(assessment=assessment, user=principal)
            services.assessment_approve(assessment=assessment, user=reviewer, comment="Tack, bra genomfört.")
            continue
        # This year: a mix of every status.
        kind = index % 6
        if kind == 0 or assessment.school.unit_code == "10000003":
            continue  # not started (Norrskolan is left for the demo principal to fill in)
        if kind in (1, 2):
            _answer(assessment, principal, rng, base, areas=2)
            continue
        _answer(assessment, principal, rng, base)
        services.assessment_submit(assessment=assessment, user=principal)
        if kind == 4:
            services.assessment_approve(assessment=assessment, user=reviewer, comment="")
        elif kind == 5:
            services.assessment_return(
                assessment=assessment, user=reviewer, reason="Beskriv gärna mer konkret vad ni ska utveckla i område 2."
            )


def _principal_for(school) -> User:
    membership = school.memberships.filter(role=Role.PRINCIPAL).select_related("user").first()
    if membership:
        return membership.user
    user, _ = User.objects.get_or_create(
        email=f"rektor.{school.unit_code}@demostad.se",
        defaults={"first_name": "Rektor", "last_name": school.name},
    )
    user.memberships.get_or_create(role=Role.PRINCIPAL, school=school)
    return user
