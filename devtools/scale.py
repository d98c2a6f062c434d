"""Generated data at a given scale, for measuring the portal as the data grows.

`national` is every school unit of Sweden followed up for ten years: 15,000
school units under 300 committees, every self-assessment answered, an action
plan with reports per committee. Rows are written with PostgreSQL's COPY (or
bulk inserts on SQLite), so the national scale takes minutes, not hours.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, Role, User
from actionplans.models import Action, ActionPlan, ActionReport, PeriodReport, ReportPeriod
from dashboards import summaries
from dashboards.models import SummaryBacklog
from devtools.demo_followup import TEXTS
from devtools.demo_strategy import carry_targets_forward
from followup import cycles as followup_cycles
from followup.models import (
    HANDED_IN_STATUSES,
    AreaAnswer,
    AssessmentStatus,
    Cycle,
    IndicatorAnswer,
    SelfAssessment,
)
from schools.models import Committee, School, SchoolForm, SchoolFormOffering
from strategy import services as strategy_services
from strategy.models import Goal, IndicatorUnit, Strategy

STRATEGY_FILE = Path(__file__).resolve().parent.parent / "strategy" / "examples" / "stockholm-2011.yaml"
PASSWORD = "demo"  # noqa: S105 - the generated users are for local measurement only

# Who the benchmark logs in as: email, role, place ("committee" = the first committee, "school" = its first school).
USERS = [
    ("analytiker@skala.se", Role.CITY_ANALYST, None),
    ("admin@skala.se", Role.CITY_ADMIN, None),
    ("namnd@skala.se", Role.COMMITTEE_EDITOR, "committee"),
    ("rektor@skala.se", Role.PRINCIPAL, "school"),
]

# Units of the same kinds as Skolverket's register, in roughly the national mix.
FORM_MIX = [
    ([SchoolForm.PRESCHOOL], 45),
    ([SchoolForm.PRESCHOOL_CLASS, SchoolForm.COMPULSORY, SchoolForm.LEISURE_CENTRE], 35),
    ([SchoolForm.COMPULSORY], 6),
    ([SchoolForm.ADAPTED_COMPULSORY], 3),
    ([SchoolForm.UPPER_SECONDARY], 7),
    ([SchoolForm.ADAPTED_UPPER_SECONDARY], 1),
    ([SchoolForm.ADULT_EDUCATION, SchoolForm.ADAPTED_ADULT_EDUCATION], 3),
]

# This year's statuses in turn, school by school: of every 20, 7 approved, 5 submitted, 5 drafts, 3 not started.
_A, _S, _D, _N = (
    AssessmentStatus.APPROVED,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.DRAFT,
    AssessmentStatus.NOT_STARTED,
)
THIS_YEAR_STATUSES = [_A, _S, _D, _A, _N, _A, _S, _D, _A, _S, _A, _D, _S, _A, _N, _D, _A, _S, _D, _N]

ACTION_TITLES = [
    "Bygga ut trådlöst nät i alla undervisningslokaler",
    "En egen dator eller surfplatta till varje lärare",
    "Kompetensutveckling i digitala verktyg för all personal",
    "Ledarskapsutbildning om digitalisering för rektorer",
    "Gemensam lärplattform för digitalt innehåll",
    "Vårdnadshavare följer elevens lärande i lärplattformen",
    "Årlig uppföljning av it-användningen i verksamhetsplanen",
    "Digitala hjälpmedel för elever i behov av stöd",
]


@dataclass(frozen=True)
class Scale:
    committees: int
    schools_per_committee: int
    years: int

    @property
    def schools(self) -> int:
        return self.committees * self.schools_per_committee


SCALES = {
    "small": Scale(committees=3, schools_per_committee=4, years=2),
    "national": Scale(committees=300, schools_per_committee=50, years=10),
}


class ScaleError(Exception):
    pass


NOON = datetime.time(12, 0)


def _write(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert rows fast: COPY on PostgreSQL, bulk inserts elsewhere."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        columns = ", ".join(model._meta.get_field(f).column for f in fields)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000)
    return len(rows)


def generate(scale: Scale, *, seed: int = 1, say: Callable[[str], None] = print) -> dict[str, int]:
    """Write a city of the given scale into an empty database; returns rows written per kind."""
    if Committee.objects.exists():
        raise ScaleError("The database already holds committees: generate into an empty database.")
    rng = random.Random(seed)  # noqa: S311 - repeatable generated data, not security
    today = timezone.localdate()
    years = list(range(today.year - scale.years + 1, today.year + 1))
    counts: dict[str, int] = {}
    with transaction.atomic():
        strategy = strategy_services.strategy_import(text=STRATEGY_FILE.read_text())
        carry_targets_forward(strategy, years)
        counts["committees"], counts["schools"] = _organisation(scale, rng)
        _users()
    say(f"Organisation: {counts['committees']} committees, {counts['schools']} school units.")
    counts.update(assessments=0, area_answers=0, indicator_answers=0)
    for year in years:
        with transaction.atomic():
            written = _cycle(strategy, year, today, rng)
        for key, value in written.items():
            counts[key] += value
        say(f"Follow-up {year}: {written['assessments']} self-assessments, {written['area_answers']} area answers.")
    with transaction.atomic():
        counts.update(_plans(strategy, today, rng))
    say(f"Action plans: {counts['plans']} with {counts['actions']} actions and {counts['action_reports']} reports.")
    for cycle in Cycle.objects.order_by("year"):
        summaries.rebuild(cycle)
    SummaryBacklog.objects.all().delete()
    say("Dashboard summaries rebuilt.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner's statistics, after millions of rows written at once
    return counts


def _organisation(scale: Scale, rng: random.Random) -> tuple[int, int]:
    Committee.objects.bulk_create(
        Committee(code=f"N{c:03d}", name=f"Nämnd {c:03d}") for c in range(1, scale.committees + 1)
    )
    committees = list(Committee.objects.order_by("code").values_list("pk", flat=True))
    schools = []
    offerings = []
    forms, weights = zip(*FORM_MIX, strict=True)
    for c_index, committee_id in enumerate(committees):
        for s in range(scale.schools_per_committee):
            number = c_index * scale.schools_per_committee + s + 1
            schools.append(
                (
                    f"{20000000 + number}",
                    f"Skolenhet {number:05d}",
                    committee_id,
                    True,
                    rng.randint(30, 900),
                    rng.randint(1, 5),
                )
            )
    _write(School, ["unit_code", "name", "committee", "is_active", "pupil_count", "ses_band"], schools)
    for school_id in School.objects.order_by("unit_code").values_list("pk", flat=True):
        offerings.extend((school_id, form) for form in rng.choices(forms, weights)[0])
    _write(SchoolFormOffering, ["school", "form"], offerings)
    return len(committees), len(schools)


def _users() -> None:
    committee = Committee.objects.order_by("code").first()
    school = School.objects.filter(committee=committee).order_by("unit_code").first()
    password = make_password(PASSWORD)
    for email, role, place in USERS:
        user = User.objects.create(email=email, password=password, first_name=role.label, last_name="Skala")
        Membership.objects.create(
            user=user,
            role=role,
            committee=committee if place == "committee" else None,
            school=school if place == "school" else None,
        )


def _value(unit: str, rng: random.Random, progress: float):
    if unit == IndicatorUnit.PERCENT:
        return min(100, rng.randint(30, 70) + round(30 * progress))
    if unit == IndicatorUnit.YES_NO:
        return 1 if rng.random() < 0.4 + 0.5 * progress else 0
    if unit == IndicatorUnit.RATIO:
        return round(rng.uniform(0.1, 0.3) + 0.4 * progress, 2)
    return rng.randint(1, 4)


def _cycle(strategy: Strategy, year: int, today: datetime.date, rng: random.Random) -> dict[str, int]:
    """Open the year's follow-up and answer it: finished years all approved; this year a mix."""
    current = year == today.year
    deadline = today + datetime.timedelta(days=21) if current else datetime.date(year, 12, 15)
    cycle = followup_cycles.cycle_open(
        strategy=strategy,
        year=year,
        opens_on=min(today, deadline - datetime.timedelta(days=60)),
        deadline=deadline,
        locks_on=deadline + datetime.timedelta(days=45),
        user=None,
    )
    SummaryBacklog.objects.filter(cycle=cycle).delete()  # summarised once at the end
    areas = list(cycle.areas.values_list("pk", "number"))
    indicators = list(cycle.indicators.filter(owner__isnull=True).values_list("pk", "unit"))
    levels = cycle.levels.count()
    progress = (year - strategy.valid_from) / max(1, today.year - strategy.valid_from)
    # In unit code order, so that the same seed gives the same data whatever the ids.
    assessments = list(
        cycle.assessments.order_by("school__unit_code").values_list("pk", "school_id", "school__unit_code")
    )
    principals_school = assessments[0][1] if assessments else None
    status_rows: dict[str, list[int]] = {s: [] for s in AssessmentStatus.values}
    area_rows, value_rows = [], []
    now = timezone.now()
    for index, (assessment_id, school_id, unit_code) in enumerate(assessments):
        status = THIS_YEAR_STATUSES[index % len(THIS_YEAR_STATUSES)] if current else AssessmentStatus.APPROVED
        if current and school_id == principals_school:
            status = AssessmentStatus.DRAFT  # the generated principal is writing this year's
        status_rows[status].append(assessment_id)
        if status == AssessmentStatus.NOT_STARTED:
            continue
        school_level = (int(unit_code) % 7) / 6 - 0.5  # some schools are ahead, some behind
        for area_id, _number in areas:
            level = max(1, min(levels, round(1 + progress * (levels - 1) + school_level + rng.uniform(-0.7, 0.7))))
            area_rows.append(
                (
                    assessment_id,
                    area_id,
                    level,
                    rng.choice(TEXTS["done"]),
                    rng.choice(TEXTS["strengths"]),
                    rng.choice(TEXTS["next_steps"]),
                    False,
                    "",
                    1,
                    now,
                )
            )
        value_rows.extend((assessment_id, pk, _value(unit, rng, progress)) for pk, unit in indicators)
    _write(
        AreaAnswer,
        [
            *("assessment", "area", "level", "done", "strengths", "next_steps"),
            *("not_applicable", "not_applicable_reason", "version", "updated_at"),
        ],
        area_rows,
    )
    _write(IndicatorAnswer, ["assessment", "indicator", "value"], value_rows)
    handed_in = timezone.make_aware(datetime.datetime.combine(deadline - datetime.timedelta(days=3), datetime.time(14)))
    for status, ids in status_rows.items():
        if not ids:
            continue
        fields = {"status": status}
        if status in HANDED_IN_STATUSES:
            fields["submitted_at"] = handed_in if not current else now
        if status == AssessmentStatus.APPROVED:
            fields["reviewed_at"] = fields["submitted_at"] + datetime.timedelta(days=5)
        SelfAssessment.objects.filter(pk__in=ids).update(**fields)
    return {"assessments": len(assessments), "area_answers": len(area_rows), "indicator_answers": len(value_rows)}


def _plans(strategy: Strategy, today: datetime.date, rng: random.Random) -> dict[str, int]:
    """Each committee's action plan with actions for some goals, and reports for the periods past."""
    goals = list(Goal.objects.filter(focus_area__strategy=strategy).values_list("pk", flat=True))
    committees = list(Committee.objects.values_list("pk", flat=True))
    _write(
        ActionPlan,
        ["committee", "strategy", "starts_in", "ends_in", "status", "decided_on", "registry_number", "version"],
        [
            (c, strategy.pk, today.year - 1, today.year + 2, "adopted", datetime.date(today.year - 1, 3, 20), "", 1)
            for c in committees
        ],
    )
    plans = list(ActionPlan.objects.filter(strategy=strategy).values_list("pk", flat=True))
    statuses = ["planned", "ongoing", "ongoing", "done", "postponed"]
    action_rows = [
        (
            plan_id,
            title,
            "",
            "Förvaltningen",
            datetime.date(today.year - 1, 1 + i, 1),
            datetime.date(today.year + 1, 12, 31),
            "",
            rng.choice(statuses),
            1,
        )
        for plan_id in plans
        for i, title in enumerate(ACTION_TITLES[: rng.randint(4, len(ACTION_TITLES))])
    ]
    _write(
        Action,
        [
            *("plan", "title", "description", "responsible", "starts_on", "ends_on"),
            *("success_criteria", "status", "version"),
        ],
        action_rows,
    )
    actions = list(Action.objects.filter(plan__strategy=strategy).values_list("pk", "plan_id", "status"))
    _write(Action.goals.through, ["action", "goal"], [(a, g) for a, _p, _s in actions for g in rng.sample(goals, 2)])
    periods = []
    for y in (today.year - 1, today.year):
        for kind, month, day in (("t1", 5, 15), ("t2", 9, 15), ("annual", 2, 15)):
            deadline = datetime.date(y + 1 if kind == "annual" else y, month, day)
            periods.append(ReportPeriod.objects.get_or_create(year=y, kind=kind, defaults={"deadline": deadline})[0])
    past = [p for p in periods if p.deadline < today]

    def handed_in(period):  # a few days before the deadline, as the calendar had it
        return timezone.make_aware(datetime.datetime.combine(period.deadline - datetime.timedelta(days=4), NOON))

    _write(
        PeriodReport,
        [
            *("plan", "period", "reopened", "version", "status"),
            *("submitted_at", "updated_at", "return_reason", "approval_comment"),
        ],
        [
            (p, period.pk, False, 1, "submitted", handed_in(period), handed_in(period), "", "")
            for p in plans
            for period in past
        ],
    )
    reports = {(r.plan_id, r.period_id): r.pk for r in PeriodReport.objects.filter(plan__in=plans)}
    lights = ["green", "green", "yellow", "red"]
    report_rows = [
        (reports[(plan_id, period.pk)], action_id, status, rng.choice(lights), "Arbetet pågår enligt plan.")
        for action_id, plan_id, status in actions
        for period in past
    ]
    _write(ActionReport, ["report", "action", "status", "light", "comment"], report_rows)
    return {"plans": len(plans), "actions": len(actions), "action_reports": len(report_rows)}


def table_sizes() -> list[tuple[str, int, str]]:
    """Rows and size on disk of the largest tables (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables "
            "ORDER BY pg_total_relation_size(relid) DESC LIMIT 8"
        )
        return cursor.fetchall()
