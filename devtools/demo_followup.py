"""Demo follow-ups: two finished years and this year's, under way."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role, User
from actionplans import services as actionplans
from actionplans.models import Action, ActionPlan, ActionReport, ReportPeriod, ReportStatus
from dashboards.models import Highlight
from followup import services
from followup.cycles import cycle_open
from followup.models import HANDED_IN_STATUSES, AreaAnswer, Cycle, SelfAssessment
from schools.models import Committee
from strategy.models import Goal, Indicator, IndicatorUnit, Strategy

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


def _devices(school, rng: random.Random) -> Decimal:
    """A count the portal divides by the unit's pupils (devices, say): in proportion to them."""
    return Decimal(round((school.pupil_count or 100) * rng.uniform(0.3, 0.9)))


def _answer(assessment: SelfAssessment, user: User, rng: random.Random, base: int, areas: int | None = None) -> None:
    """Fill in the first `areas` areas (all when None) with plausible answers."""
    per_pupil = set(Indicator.objects.computed().values_list("source", flat=True))
    for area in list(assessment.cycle.areas.all())[:areas]:
        level_count = assessment.cycle.levels.count()
        data = services.AreaInput(
            level=max(1, min(level_count, base + rng.choice([-1, 0, 0, 1]))),
            done=rng.choice(TEXTS["done"]),
            strengths=rng.choice(TEXTS["strengths"]),
            next_steps=rng.choice(TEXTS["next_steps"]),
            indicator_values={
                i.pk: _devices(assessment.school, rng) if i.code in per_pupil else _value(i.unit, rng)
                for i in area.indicators.for_school(assessment.school)
            },
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
            cycle = cycle_open(
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


ACTIONS = [
    # title, goal numbers, responsible, status
    ("Bygga ut trådlöst nät i alla undervisningslokaler", ["1.1", "1.2"], "IT-samordnare", "ongoing"),
    ("En egen dator eller surfplatta till varje lärare", ["1.3"], "Förvaltningschef", "done"),
    ("Kompetensutveckling i digitala verktyg för all personal", ["2.1", "2.2"], "Utvecklingsledare", "ongoing"),
    ("Ledarskapsutbildning om digitalisering för rektorer", ["2.3"], "Grundskolechef", "planned"),
    ("Gemensam lärplattform för digitalt innehåll", ["3.1"], "IT-samordnare", "ongoing"),
    ("Vårdnadshavare följer elevens lärande i lärplattformen", ["4.1", "4.2"], "Rektorer", "postponed"),
    ("Årlig uppföljning av it-användningen i verksamhetsplanen", ["5.1"], "Kvalitetsstrateg", "done"),
]


def build_plans() -> list:
    """Report periods, action plans with actions (some goals left uncovered on
    purpose) and reports for the periods already past. Safe to run again."""

    today = timezone.localdate()
    year = today.year
    periods = []
    for y in (year - 1, year):
        for kind, month, day in (("t1", 5, 15), ("t2", 9, 15), ("annual", 2, 15)):
            deadline = datetime.date(y + 1 if kind == "annual" else y, month, day)
            periods.append(ReportPeriod.objects.get_or_create(year=y, kind=kind, defaults={"deadline": deadline})[0])
    strategy = Strategy.objects.get(title="It-strategi för ett bättre lärande", valid_from=2011)
    editor = User.objects.get(email="namnd@demostad.se")
    plans = []
    for code, take in (("SDN-NORR", 7), ("SDN-SODER", 5), ("UTB", 4)):
        committee = Committee.objects.get(code=code)
        plan, created = ActionPlan.objects.get_or_create(
            committee=committee,
            strategy=strategy,
            defaults={
                "starts_in": year - 1,
                "ends_in": year + 2,
                "status": "adopted",
                "decided_on": datetime.date(year - 1, 3, 20),
                "registry_number": f"{committee.code}-2.1-{year - 1}/12",
                "version": 1,
            },
        )
        plans.append(plan)
        if not created:
            continue
        goals = {g.number: g for g in Goal.objects.filter(focus_area__strategy=strategy)}
        for index, (title, numbers, responsible, status) in enumerate(ACTIONS[:take]):
            action = Action.objects.create(
                plan=plan,
                title=title,
                description="",
                responsible=responsible,
                starts_on=datetime.date(year - 1, 1 + index, 1),
                ends_on=datetime.date(year + 1, 12, 31),
                success_criteria="Uppföljningen visar att målet nås på samtliga enheter.",
                status=status,
                version=1,
            )
            action.goals.set([goals[n] for n in numbers if n in goals])
        for period in periods:
            if period.deadline >= today:
                continue
            report = actionplans.period_report_start(plan=plan, period=period, user=editor)
            lights = ["green", "yellow", "green", "red", "green", "yellow", "green"]
            for n, entry in enumerate(ActionReport.objects.filter(report=report).select_related("action")):
                entry.light = lights[n % len(lights)]
                entry.comment = (
                    f"{period.get_kind_display()}: arbetet med ”{entry.action.title.lower()}” går enligt plan."
                )
                entry.save()
            # Reported and handed in a few days before the deadline, as the calendar had it:
            # a T1 report of last May was reported in May.
            reported_at = timezone.make_aware(
                datetime.datetime.combine(period.deadline - datetime.timedelta(days=4), datetime.time(10, 0))
            )
            report.updated_at = report.submitted_at = reported_at
            report.updated_by = report.submitted_by = editor
            report.status = ReportStatus.SUBMITTED
            report.version = 1
            report.save()
    plans.append(_city_plan(strategy, year))
    return plans


CITY_ACTIONS = [
    (
        "Gemensam upphandling av lärresurser med grannkommunerna",
        ["3.4"],
        "Stadsledningskontoret, upphandlingsenheten",
        "ongoing",
    ),
    (
        "Uppföljning av nämndernas handlingsplaner i årsredovisningen",
        ["5.5"],
        "Stadsledningskontoret, utvecklingsavdelningen",
        "planned",
    ),
]


def _city_plan(strategy: Strategy, year: int) -> ActionPlan:
    """The city office's own plan for the city-level goals (goal 4.4 left uncovered on purpose)."""
    plan, created = ActionPlan.objects.get_or_create(
        committee=None,
        strategy=strategy,
        defaults={
            "starts_in": year - 1,
            "ends_in": year + 2,
            "status": "adopted",
            "decided_on": datetime.date(year - 1, 4, 2),
            "registry_number": f"KS-2.1-{year - 1}/7",
            "version": 1,
        },
    )
    if created:
        goals = {g.number: g for g in Goal.objects.filter(focus_area__strategy=strategy)}
        for index, (title, numbers, responsible, status) in enumerate(CITY_ACTIONS):
            action = Action.objects.create(
                plan=plan,
                title=title,
                responsible=responsible,
                starts_on=datetime.date(year - 1, 5 + index, 1),
                ends_on=datetime.date(year + 1, 12, 31),
                success_criteria="Kommunstyrelsen kan följa arbetet i årsredovisningen.",
                status=status,
                version=1,
            )
            action.goals.set([goals[n] for n in numbers if n in goals])
    return plan


def build_quotes() -> int:
    """A few answers of this year's handed-in self-assessments chosen to be quoted in the yearly report."""

    cycle = Cycle.objects.order_by("-year").first()
    editor = User.objects.get(email="namnd@demostad.se")
    answers = (
        AreaAnswer.objects.filter(
            assessment__cycle=cycle,
            assessment__status__in=HANDED_IN_STATUSES,
            not_applicable=False,
        )
        .exclude(done="")
        .order_by("assessment__school__unit_code", "area__number")
    )
    chosen = [answer for index, answer in enumerate(answers) if index % 7 == 0][:4]
    for answer in chosen:
        Highlight.objects.get_or_create(answer=answer, defaults={"chosen_by": editor})
    return len(chosen)
