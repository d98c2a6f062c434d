"""The workflows of the yearly follow-up (followup/services.py) against the
database: opening a cycle, saving, submitting, reviewing, the school's report
and the history of changes."""

import datetime
import threading
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext

from dashboards import summaries
from dashboards.school_report import school_report
from followup import cycles, services
from followup.models import (
    AreaAnswer,
    AssessmentStatus,
    Cycle,
    CycleArea,
    CycleIndicator,
    CycleLevel,
    IndicatorAnswer,
    SelfAssessment,
)
from schools.models import School
from strategy.models import FocusArea, Goal, Indicator, IndicatorUnit, MaturityLevel, Reporter, Target
from tests.factories import SchoolFactory, followup_strategy, open_cycle

# A plausible value in each unit.
SAMPLE = {
    IndicatorUnit.PERCENT: Decimal("85"),
    IndicatorUnit.YES_NO: Decimal("1"),
    IndicatorUnit.COUNT: Decimal("3"),
    IndicatorUnit.RATIO: Decimal("0.5"),
}


@pytest.fixture
def fu(org):
    """This year's follow-up of a strategy with two areas (see
    `followup_strategy`), 2.1.1 owned by committee A, opened by the city admin."""
    strategy = followup_strategy(owner=org.committee_a)
    cycle = open_cycle(strategy, user=org.admin)
    return SimpleNamespace(
        org=org,
        strategy=strategy,
        cycle=cycle,
        area1=cycle.areas.get(number=1),
        area2=cycle.areas.get(number=2),
        ind={i.code: i for i in cycle.indicators.all()},
        a=cycle.assessments.get(school=org.school_a),
        b=cycle.assessments.get(school=org.school_b),
    )


def save(assessment, area, user, *, level=3, version=None, values=None, **texts):
    """Save one area's answer as the form does, with the version last read."""
    if version is None:
        version = services.area_answer_for(assessment, area).version
    data = services.AreaInput(
        level=level,
        done=texts.pop("done", "Trådlöst nät i alla klassrum."),
        next_steps=texts.pop("next_steps", "Fortbildning i formativ bedömning."),
        indicator_values=values or {},
        **texts,
    )
    return services.area_answer_save(assessment=assessment, area=area, data=data, version=version, user=user)


def fill_in(assessment, user, levels=(3, 2)):
    """Answer every area completely, with the school's indicator values."""
    for area, level in zip(assessment.cycle.areas.all(), levels, strict=True):
        values = {i.pk: SAMPLE[i.unit] for i in area.indicators.for_school(assessment.school)}
        save(assessment, area, user, level=level, values=values)


def hand_in(assessment, user, levels=(3, 2)):
    fill_in(assessment, user, levels)
    assert services.assessment_submit(assessment=assessment, user=user) is True
    assessment.refresh_from_db()


def lock(cycle):
    """Move the cycle's dates into the past: it locked yesterday."""
    today = timezone.localdate()
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_on=today - datetime.timedelta(days=60),
        deadline=today - datetime.timedelta(days=30),
        locks_on=today - datetime.timedelta(days=1),
    )
    cycle.refresh_from_db()


def fresh(assessment) -> SelfAssessment:
    return SelfAssessment.objects.select_related("cycle", "school").get(pk=assessment.pk)


def values_of(assessment) -> dict[str, Decimal | None]:
    return {v.indicator.code: v.value for v in assessment.indicator_answers.select_related("indicator")}


def snapshot_counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Cycle, CycleArea, CycleLevel, CycleIndicator, SelfAssessment, AreaAnswer, IndicatorAnswer)
    )


def submitted_records(assessment) -> int:
    return assessment.history.filter(status=AssessmentStatus.SUBMITTED).count()


# --- cycle_open -------------------------------------------------------------


def test_opening_a_cycle_copies_the_areas_with_their_goal_texts_and_the_maturity_levels(fu):
    assert fu.cycle.strategy == fu.strategy
    assert fu.cycle.created_by == fu.org.admin
    focus_areas = {fa.number: fa for fa in fu.strategy.focus_areas.all()}
    assert [(a.number, a.title, a.description, a.focus_area_id) for a in fu.cycle.areas.all()] == [
        (1, "Infrastruktur", "Nät och utrustning.", focus_areas[1].pk),
        (2, "Digital kompetens", "", focus_areas[2].pk),
    ]
    assert fu.area1.goals == [
        {"number": "1.1", "text": "Trådlöst nät överallt.", "level": ""},
        {"number": "1.2", "text": "Datorer åt alla elever.", "level": ""},
    ]
    assert fu.area2.goals == [{"number": "2.1", "text": "Personalen är trygg med it.", "level": ""}]
    assert [(lv.level, lv.label, lv.description) for lv in fu.cycle.levels.all()] == [
        (1, "Inte påbörjat", "Beskrivning 1"),
        (2, "Påbörjat", "Beskrivning 2"),
        (3, "Etablerat", "Beskrivning 3"),
        (4, "Integrerat", "Beskrivning 4"),
    ]


def test_opening_a_cycle_copies_only_school_reported_indicators_with_this_years_target(fu):
    copied = [
        (i.area.number, i.code, i.name, i.unit, i.owner_id, i.target, i.position) for i in fu.cycle.indicators.all()
    ]
    assert copied == [
        (1, "1.1.1", "Indikator 1.1.1", IndicatorUnit.PERCENT, None, Decimal("90.00"), 0),
        (1, "1.1.2", "Indikator 1.1.2", IndicatorUnit.YES_NO, None, None, 1),
        (2, "2.1.1", "Indikator 2.1.1", IndicatorUnit.COUNT, fu.org.committee_a.pk, None, 0),
        (2, "2.1.2", "Indikator 2.1.2", IndicatorUnit.RATIO, None, None, 1),
    ]
    percent = fu.ind["1.1.1"]
    assert percent.indicator == Indicator.objects.get(goal__focus_area__strategy=fu.strategy, code="1.1.1")
    assert percent.definition == "Andel klassrum med nät."
    assert "1.2.9" not in fu.ind  # reported by the committee, not in the school's form


def test_last_years_cycle_copies_last_years_target(fu):
    last_year = open_cycle(fu.strategy, year=fu.cycle.year - 1)
    assert last_year.indicators.get(code="1.1.1").target == Decimal("80.00")


def test_opening_a_cycle_creates_one_not_started_self_assessment_per_active_school(org):
    closed = SchoolFactory(committee=org.committee_a, name="Nedlagda skolan")
    closed.close(on=datetime.date(2020, 6, 30))
    closed.save()
    cycle = open_cycle(followup_strategy(), user=org.admin)
    assessments = list(cycle.assessments.all())
    assert sorted(a.school_id for a in assessments) == sorted([org.school_a.pk, org.school_b.pk])
    assert {a.status for a in assessments} == {AssessmentStatus.NOT_STARTED}
    assert not SelfAssessment.objects.filter(school=closed).exists()


def test_a_second_follow_up_of_the_same_strategy_and_schools_in_a_year_is_refused_and_writes_nothing(fu):
    before = snapshot_counts()
    with pytest.raises(services.FollowUpError, match=str(fu.cycle.year)):
        open_cycle(fu.strategy, year=fu.cycle.year)
    assert snapshot_counts() == before


@pytest.mark.parametrize(
    ("opens", "deadline", "locks"),
    [(10, 5, 20), (1, 10, 5), (10, 1, 5)],
    ids=["deadline before opening", "lock before deadline", "lock before opening"],
)
def test_dates_out_of_order_are_refused_and_write_nothing(org, opens, deadline, locks):
    strategy = followup_strategy()
    start = datetime.date(2030, 1, 1)
    before = snapshot_counts()
    with pytest.raises(services.FollowUpError):
        cycles.cycle_open(
            strategy=strategy,
            year=2030,
            opens_on=start + datetime.timedelta(days=opens),
            deadline=start + datetime.timedelta(days=deadline),
            locks_on=start + datetime.timedelta(days=locks),
            user=org.admin,
        )
    assert snapshot_counts() == before


def test_dates_on_the_same_day_are_in_order(org):
    day = datetime.date(2030, 3, 1)
    cycle = cycles.cycle_open(
        strategy=followup_strategy(), year=2030, opens_on=day, deadline=day, locks_on=day, user=org.admin
    )
    assert (cycle.opens_on, cycle.deadline, cycle.locks_on) == (day, day, day)


def cycle_content(cycle) -> list:
    return [
        [(a.number, a.title, a.description, a.goals) for a in cycle.areas.all()],
        [(lv.level, lv.label, lv.description) for lv in cycle.levels.all()],
        [(i.area.number, i.code, i.name, i.definition, i.unit, i.owner_id, i.target) for i in cycle.indicators.all()],
    ]


def answers_of(assessment) -> list:
    return [
        [(a.area.number, a.level, a.done, a.next_steps, a.version) for a in assessment.area_answers.all()],
        sorted(values_of(assessment).items()),
    ]


def test_editing_the_strategy_afterwards_does_not_change_the_cycle_or_its_answers(fu):
    fill_in(fu.a, fu.org.principal_a)
    cycle_before, answers_before = cycle_content(fu.cycle), answers_of(fu.a)

    FocusArea.objects.filter(strategy=fu.strategy, number=1).update(title="Nytt namn", description="Ny text")
    Goal.objects.filter(focus_area__strategy=fu.strategy).update(text="Omskrivet mål")
    Indicator.objects.filter(goal__focus_area__strategy=fu.strategy).update(
        name="Omdöpt", unit=IndicatorUnit.COUNT, owner=fu.org.committee_b
    )
    Indicator.objects.filter(goal__focus_area__strategy=fu.strategy, code="1.2.9").update(reported_by=Reporter.SCHOOL)
    Target.objects.filter(indicator__goal__focus_area__strategy=fu.strategy).update(value=Decimal("10"))
    MaturityLevel.objects.filter(strategy=fu.strategy).update(label="Ny nivå")
    goal = Goal.objects.create(focus_area=fu.strategy.focus_areas.get(number=2), number="2.2", text="Nytt mål")
    Indicator.objects.create(
        goal=goal, code="2.2.1", name="Ny", unit=IndicatorUnit.PERCENT, reported_by=Reporter.SCHOOL
    )
    FocusArea.objects.create(strategy=fu.strategy, number=3, title="Nytt område")

    assert cycle_content(Cycle.objects.get(pk=fu.cycle.pk)) == cycle_before
    assert answers_of(fu.a) == answers_before


def test_deleting_the_strategys_areas_goals_and_indicators_afterwards_keeps_the_cycle_and_its_answers(fu):
    fill_in(fu.a, fu.org.principal_a)
    cycle_before, answers_before = cycle_content(fu.cycle), answers_of(fu.a)

    Indicator.objects.filter(goal__focus_area__strategy=fu.strategy, code="1.1.1").delete()
    Goal.objects.filter(focus_area__strategy=fu.strategy, number="1.2").delete()
    FocusArea.objects.filter(strategy=fu.strategy, number=2).delete()

    assert cycle_content(Cycle.objects.get(pk=fu.cycle.pk)) == cycle_before
    assert answers_of(fu.a) == answers_before
    assert CycleIndicator.objects.get(pk=fu.ind["1.1.1"].pk).indicator is None
    assert CycleArea.objects.get(pk=fu.area2.pk).focus_area is None


def test_the_database_allows_one_self_assessment_per_school_and_year(fu):
    with pytest.raises(IntegrityError), transaction.atomic():
        SelfAssessment.objects.create(cycle=fu.cycle, school=fu.org.school_a, committee=fu.org.committee_a)
    assert fu.cycle.assessments.filter(school=fu.org.school_a).count() == 1


# --- area_answer_save -------------------------------------------------------


def test_the_first_save_creates_the_answer_with_version_1_and_makes_the_assessment_a_draft(fu):
    result = save(fu.a, fu.area1, fu.org.principal_a, level=2, version=0, strengths="Engagerade it-ombud.")
    assert not result.conflict
    answer = AreaAnswer.objects.get(assessment=fu.a, area=fu.area1)
    assert result.answer == answer
    assert (answer.version, answer.level, answer.done, answer.strengths) == (
        1,
        2,
        "Trådlöst nät i alla klassrum.",
        "Engagerade it-ombud.",
    )
    assert answer.updated_by == fu.org.principal_a
    assert result.saved_at == answer.updated_at is not None
    assert fu.a.status == AssessmentStatus.DRAFT
    assert fresh(fu.a).status == AssessmentStatus.DRAFT
    assert fresh(fu.b).status == AssessmentStatus.NOT_STARTED


def test_saving_with_the_current_version_succeeds_and_bumps_the_version(fu):
    save(fu.a, fu.area1, fu.org.principal_a, level=2, version=0)
    result = save(fu.a, fu.area1, fu.org.editor_a, level=4, version=1, done="Mer gjort.")
    assert not result.conflict
    answer = AreaAnswer.objects.get(assessment=fu.a, area=fu.area1)
    assert (answer.version, answer.level, answer.done, answer.updated_by) == (2, 4, "Mer gjort.", fu.org.editor_a)
    assert save(fu.a, fu.area1, fu.org.principal_a, level=1, version=2).answer.version == 3
    assert fresh(fu.a).status == AssessmentStatus.DRAFT


def test_saving_with_an_older_version_is_a_conflict_that_writes_nothing_and_returns_the_stored_answer(fu):
    percent = fu.ind["1.1.1"]
    save(fu.a, fu.area1, fu.org.principal_a, level=2, version=0, values={percent.pk: Decimal("50")})
    save(fu.a, fu.area1, fu.org.principal_a, level=3, version=1, done="Andra fliken.")
    history = (AreaAnswer.history.count(), IndicatorAnswer.history.count(), SelfAssessment.history.count())

    result = save(fu.a, fu.area1, fu.org.editor_a, level=1, version=1, done="Gammal", values={percent.pk: None})

    assert result.conflict
    assert result.saved_at is None
    assert (result.answer.version, result.answer.level, result.answer.done) == (2, 3, "Andra fliken.")
    stored = AreaAnswer.objects.get(assessment=fu.a, area=fu.area1)
    assert (stored.version, stored.level, stored.done, stored.updated_by) == (2, 3, "Andra fliken.", fu.org.principal_a)
    assert values_of(fu.a) == {"1.1.1": Decimal("50.00")}
    assert (AreaAnswer.history.count(), IndicatorAnswer.history.count(), SelfAssessment.history.count()) == history


def test_a_first_save_that_names_a_version_is_a_conflict_with_someone_elses_first_save(fu):
    save(fu.a, fu.area1, fu.org.principal_a, level=2, version=0)
    result = save(fu.a, fu.area1, fu.org.editor_a, level=4, version=0)
    assert result.conflict
    assert (result.answer.version, result.answer.level) == (1, 2)
    assert AreaAnswer.objects.get(assessment=fu.a, area=fu.area1).level == 2


def test_indicator_values_are_stored_changed_and_cleared(fu):
    percent, yes_no = fu.ind["1.1.1"], fu.ind["1.1.2"]
    user = fu.org.principal_a
    save(fu.a, fu.area1, user, values={percent.pk: Decimal("85"), yes_no.pk: Decimal("1")})
    assert values_of(fu.a) == {"1.1.1": Decimal("85.00"), "1.1.2": Decimal("1.00")}

    save(fu.a, fu.area1, user, values={percent.pk: Decimal("92.5")})
    assert values_of(fu.a) == {"1.1.1": Decimal("92.50"), "1.1.2": Decimal("1.00")}

    save(fu.a, fu.area1, user, values={percent.pk: None, yes_no.pk: Decimal("0")})
    assert values_of(fu.a) == {"1.1.1": None, "1.1.2": Decimal("0.00")}
    assert IndicatorAnswer.objects.filter(assessment=fu.a).count() == 2
    assert values_of(fu.b) == {}


def test_a_committee_indicator_is_in_its_committees_schools_form_only(fu):
    owned = fu.ind["2.1.1"]
    for_a = set(fu.area2.indicators.for_school(fu.org.school_a).values_list("code", flat=True))
    for_b = set(fu.area2.indicators.for_school(fu.org.school_b).values_list("code", flat=True))
    assert for_a == {"2.1.1", "2.1.2"}
    assert for_b == {"2.1.2"}
    assert set(CycleIndicator.objects.for_school(fu.org.school_b).values_list("code", flat=True)) == {
        "1.1.1",
        "1.1.2",
        "2.1.2",
    }
    assert owned in CycleIndicator.objects.for_school(fu.org.school_a)


@pytest.mark.parametrize("status", [AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED])
@pytest.mark.parametrize("reopened", [False, True])
def test_a_handed_in_assessment_cannot_be_saved(fu, status, reopened):
    save(fu.a, fu.area1, fu.org.principal_a, level=2)
    SelfAssessment.objects.filter(pk=fu.a.pk).update(status=status, reopened=reopened)
    with pytest.raises(services.FollowUpError):
        save(fu.a, fu.area1, fu.org.principal_a, level=4, values={fu.ind["1.1.1"].pk: Decimal("1")})
    answer = AreaAnswer.objects.get(assessment=fu.a, area=fu.area1)
    assert (answer.version, answer.level) == (1, 2)
    assert values_of(fu.a) == {}
    assert fresh(fu.a).status == status


@pytest.mark.parametrize("status", [AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED])
def test_after_the_lock_date_saving_is_refused(fu, status):
    SelfAssessment.objects.filter(pk=fu.a.pk).update(status=status)
    lock(fu.cycle)
    with pytest.raises(services.FollowUpError):
        save(fu.a, fu.area1, fu.org.principal_a, level=2, values={fu.ind["1.1.1"].pk: Decimal("1")})
    assert not AreaAnswer.objects.filter(assessment=fu.a).exists()
    assert values_of(fu.a) == {}
    assert fresh(fu.a).status == status


def test_after_the_lock_date_a_reopened_assessment_can_be_saved(fu):
    lock(fu.cycle)
    SelfAssessment.objects.filter(pk=fu.a.pk).update(reopened=True)
    result = save(fu.a, fu.area1, fu.org.principal_a, level=2, values={fu.ind["1.1.1"].pk: Decimal("1")})
    assert not result.conflict
    assert result.answer.version == 1
    assert values_of(fu.a) == {"1.1.1": Decimal("1.00")}
    assert fresh(fu.a).status == AssessmentStatus.DRAFT


def test_on_the_lock_date_itself_saving_is_still_allowed(fu):
    today = timezone.localdate()
    Cycle.objects.filter(pk=fu.cycle.pk).update(deadline=today, locks_on=today)
    assert not save(fu.a, fu.area1, fu.org.principal_a).conflict


# --- missing_for_submission / missing_by_area ---------------------------------


CODES = ("1.1.1", "1.1.2", "1.2.9", "2.1.1", "2.1.2")


def described(gaps: list[str]) -> list[str]:
    """The gaps as stable fragments: the field's own label, or the indicator's code."""
    # The same messages the service uses, in the language of the test.
    fields = {
        gettext("maturity level"): "level",
        gettext("what has been done"): "done",
        gettext("what to develop next"): "next_steps",
        gettext("why it does not apply"): "reason",
    }
    out = []
    for gap in gaps:
        codes = [code for code in CODES if code in gap]
        out.append(fields.get(gap) or (codes[0] if len(codes) == 1 else gap))
    return out


def missing(assessment) -> dict[int, list[str]]:
    """missing_by_area by area number, each gap as a stable fragment."""
    numbers = {a.pk: a.number for a in assessment.cycle.areas.all()}
    return {numbers[pk]: described(gaps) for pk, gaps in services.missing_by_area(fresh(assessment)).items()}


def test_nothing_filled_in_lists_per_area_the_level_the_texts_and_the_schools_indicators(fu):
    assert missing(fu.a) == {
        1: ["level", "done", "next_steps", "1.1.1", "1.1.2"],
        2: ["level", "done", "next_steps", "2.1.1", "2.1.2"],
    }
    # School B's committee does not own 2.1.1.
    assert missing(fu.b) == {
        1: ["level", "done", "next_steps", "1.1.1", "1.1.2"],
        2: ["level", "done", "next_steps", "2.1.2"],
    }


def test_missing_for_submission_names_each_gap_with_its_area(fu):
    gaps = services.missing_for_submission(fresh(fu.b))
    assert len(gaps) == 9
    assert [g for g in gaps if "1 Infrastruktur" in g] == gaps[:5]
    assert [g for g in gaps if "2 Digital kompetens" in g] == gaps[5:]
    assert gettext("maturity level") in gaps[0]
    assert "1.1.2" in gaps[4]
    assert "2.1.2" in gaps[8]
    assert not any("2.1.1" in g for g in gaps)


def test_a_partly_filled_area_lists_only_what_is_still_missing(fu):
    save(
        fu.a,
        fu.area1,
        fu.org.principal_a,
        level=None,
        done="Nät i alla klassrum.",
        next_steps="   ",
        values={fu.ind["1.1.1"].pk: Decimal("0"), fu.ind["1.1.2"].pk: None},
    )
    save(fu.a, fu.area2, fu.org.principal_a, level=1, done="", values={fu.ind["2.1.1"].pk: Decimal("2")})
    assert missing(fu.a) == {1: ["level", "next_steps", "1.1.2"], 2: ["done", "2.1.2"]}


def test_a_not_applicable_area_needs_only_its_reason(fu):
    user = fu.org.principal_a
    save(fu.a, fu.area2, user, level=None, done="", next_steps="", not_applicable=True, not_applicable_reason="  ")
    assert missing(fu.a)[2] == ["reason"]
    save(fu.a, fu.area2, user, level=None, done="", next_steps="", not_applicable=True, not_applicable_reason="Ej it.")
    assert missing(fu.a)[2] == []
    assert missing(fu.a)[1] == ["level", "done", "next_steps", "1.1.1", "1.1.2"]


def test_strengths_are_optional_and_a_complete_assessment_has_nothing_missing(fu):
    fill_in(fu.a, fu.org.principal_a)
    assert not AreaAnswer.objects.filter(assessment=fu.a).exclude(strengths="").exists()
    assert missing(fu.a) == {1: [], 2: []}
    assert services.missing_for_submission(fresh(fu.a)) == []


def test_a_school_of_another_committee_is_complete_without_the_committee_indicator(fu):
    fill_in(fu.b, fu.org.principal_b)
    assert "2.1.1" not in values_of(fu.b)
    assert services.missing_for_submission(fresh(fu.b)) == []


# --- assessment_submit --------------------------------------------------------


def test_an_incomplete_assessment_is_not_submitted_and_the_error_lists_what_is_missing(fu):
    save(fu.a, fu.area1, fu.org.principal_a, values={fu.ind["1.1.1"].pk: Decimal("85")})
    with pytest.raises(services.IncompleteAssessment) as error:
        services.assessment_submit(assessment=fu.a, user=fu.org.principal_a)
    assert error.value.missing == services.missing_for_submission(fresh(fu.a))
    assert ["1.1.2" in g for g in error.value.missing] == [True, False, False, False, False, False]
    assert any("2.1.1" in g for g in error.value.missing)
    stored = fresh(fu.a)
    assert (stored.status, stored.submitted_at, stored.submitted_by) == (AssessmentStatus.DRAFT, None, None)
    assert submitted_records(fu.a) == 0


def test_a_complete_assessment_is_submitted_with_time_and_user(fu):
    fill_in(fu.a, fu.org.principal_a)
    before = timezone.now()
    assert services.assessment_submit(assessment=fu.a, user=fu.org.principal_a) is True
    stored = fresh(fu.a)
    assert stored.status == AssessmentStatus.SUBMITTED
    assert stored.submitted_by == fu.org.principal_a
    assert before <= stored.submitted_at <= timezone.now()
    assert fresh(fu.b).status == AssessmentStatus.NOT_STARTED


def test_submitting_twice_records_one_submission(fu):
    fill_in(fu.a, fu.org.principal_a)
    assert services.assessment_submit(assessment=fu.a, user=fu.org.principal_a) is True
    first = fresh(fu.a).submitted_at
    assert services.assessment_submit(assessment=fu.a, user=fu.org.editor_a) is False
    stored = fresh(fu.a)
    assert (stored.status, stored.submitted_at, stored.submitted_by) == (
        AssessmentStatus.SUBMITTED,
        first,
        fu.org.principal_a,
    )
    assert submitted_records(fu.a) == 1


def test_submitting_an_approved_assessment_again_returns_false_and_changes_nothing(fu):
    hand_in(fu.a, fu.org.principal_a)
    services.assessment_approve(assessment=fu.a, user=fu.org.editor_a)
    assert services.assessment_submit(assessment=fu.a, user=fu.org.principal_a) is False
    assert fresh(fu.a).status == AssessmentStatus.APPROVED
    assert submitted_records(fu.a) == 1


def test_two_simultaneous_submits_record_one_submission(transactional_db, org, monkeypatch):
    cycle = open_cycle(followup_strategy(owner=org.committee_a), user=org.admin)
    assessment = cycle.assessments.get(school=org.school_a)
    fill_in(assessment, org.principal_a)

    # Both requests are inside their transaction at the same time: without a
    # row lock both would see a draft and both would submit.
    check = services.missing_for_submission

    def slow_check(locked):
        time.sleep(0.3)
        return check(locked)

    monkeypatch.setattr(services, "missing_for_submission", slow_check)
    start = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            start.wait(timeout=10)
            results.append(services.assessment_submit(assessment=assessment, user=org.principal_a))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sorted(results) == [False, True]
    assert fresh(assessment).status == AssessmentStatus.SUBMITTED
    assert submitted_records(assessment) == 1


def test_after_the_lock_date_a_submit_is_refused(fu):
    fill_in(fu.a, fu.org.principal_a)
    lock(fu.cycle)
    with pytest.raises(services.FollowUpError) as error:
        services.assessment_submit(assessment=fu.a, user=fu.org.principal_a)
    assert not isinstance(error.value, services.IncompleteAssessment)
    assert fresh(fu.a).status == AssessmentStatus.DRAFT
    assert submitted_records(fu.a) == 0


def test_after_the_lock_date_a_reopened_assessment_is_submitted_and_no_longer_reopened(fu):
    fill_in(fu.a, fu.org.principal_a)
    lock(fu.cycle)
    services.assessment_reopen(assessment=fu.a, user=fu.org.editor_a)
    assert services.assessment_submit(assessment=fu.a, user=fu.org.principal_a) is True
    stored = fresh(fu.a)
    assert (stored.status, stored.reopened) == (AssessmentStatus.SUBMITTED, False)
    assert not stored.is_editable()


# --- Review: return, approve, reopen --------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_returning_needs_a_reason(fu, reason):
    hand_in(fu.a, fu.org.principal_a)
    with pytest.raises(services.FollowUpError):
        services.assessment_return(assessment=fu.a, user=fu.org.editor_a, reason=reason)
    stored = fresh(fu.a)
    assert (stored.status, stored.reviewed_by, stored.reviewed_at) == (AssessmentStatus.SUBMITTED, None, None)


@pytest.mark.parametrize("approved", [False, True], ids=["submitted", "approved"])
def test_a_handed_in_assessment_is_returned_with_the_reason_and_the_reviewer(fu, approved):
    hand_in(fu.a, fu.org.principal_a)
    if approved:
        services.assessment_approve(assessment=fu.a, user=fu.org.admin)
    before = timezone.now()
    returned = services.assessment_return(assessment=fu.a, user=fu.org.editor_a, reason="  Beskriv område 2.  ")
    stored = fresh(fu.a)
    assert returned.pk == stored.pk
    assert (stored.status, stored.return_reason, stored.reviewed_by) == (
        AssessmentStatus.RETURNED,
        "Beskriv område 2.",
        fu.org.editor_a,
    )
    assert before <= stored.reviewed_at <= timezone.now()
    assert stored.reopened is False  # before the lock date the school can write anyway
    assert stored.is_editable()


@pytest.mark.parametrize("status", [AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED])
def test_only_a_handed_in_assessment_can_be_returned(fu, status):
    SelfAssessment.objects.filter(pk=fu.a.pk).update(status=status)
    with pytest.raises(services.FollowUpError):
        services.assessment_return(assessment=fu.a, user=fu.org.editor_a, reason="Komplettera.")
    stored = fresh(fu.a)
    assert (stored.status, stored.return_reason, stored.reviewed_by) == (status, "", None)


def test_returning_after_the_lock_date_reopens_so_the_school_can_edit_and_resubmit(fu):
    hand_in(fu.a, fu.org.principal_a)
    lock(fu.cycle)
    services.assessment_return(assessment=fu.a, user=fu.org.editor_a, reason="Komplettera område 2.")
    stored = fresh(fu.a)
    assert (stored.status, stored.reopened) == (AssessmentStatus.RETURNED, True)
    assert stored.is_editable()

    result = save(fu.a, fu.area2, fu.org.principal_a, level=4, version=1, done="Kompletterat.")
    assert not result.conflict
    assert services.assessment_submit(assessment=fu.a, user=fu.org.principal_a) is True
    stored = fresh(fu.a)
    assert (stored.status, stored.reopened) == (AssessmentStatus.SUBMITTED, False)
    assert AreaAnswer.objects.get(assessment=fu.a, area=fu.area2).done == "Kompletterat."


def test_a_return_followed_by_an_edit_and_a_resubmit_works(fu):
    hand_in(fu.a, fu.org.principal_a)
    first_submission = fu.a.submitted_at
    services.assessment_return(assessment=fu.a, user=fu.org.editor_a, reason="Mer om nästa steg.")
    save(fu.a, fu.area1, fu.org.principal_a, level=3, version=1, next_steps="Plan för datorbyten.")
    assert fresh(fu.a).status == AssessmentStatus.RETURNED  # editing keeps it returned
    assert services.assessment_submit(assessment=fu.a, user=fu.org.principal_a) is True
    stored = fresh(fu.a)
    assert stored.status == AssessmentStatus.SUBMITTED
    assert stored.submitted_at > first_submission
    assert AreaAnswer.objects.get(assessment=fu.a, area=fu.area1).next_steps == "Plan för datorbyten."
    assert submitted_records(fu.a) == 2
    services.assessment_approve(assessment=fu.a, user=fu.org.editor_a, comment="Bra.")
    assert fresh(fu.a).status == AssessmentStatus.APPROVED


def test_approving_keeps_the_comment_and_records_the_reviewer(fu):
    hand_in(fu.a, fu.org.principal_a)
    before = timezone.now()
    services.assessment_approve(assessment=fu.a, user=fu.org.editor_a, comment=" Tack, bra genomfört. ")
    stored = fresh(fu.a)
    assert (stored.status, stored.approval_comment, stored.reviewed_by) == (
        AssessmentStatus.APPROVED,
        "Tack, bra genomfört.",
        fu.org.editor_a,
    )
    assert before <= stored.reviewed_at <= timezone.now()
    assert stored.submitted_by == fu.org.principal_a
    assert not stored.is_editable()


@pytest.mark.parametrize(
    "status",
    [AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED, AssessmentStatus.APPROVED],
)
def test_only_a_submitted_assessment_can_be_approved(fu, status):
    SelfAssessment.objects.filter(pk=fu.a.pk).update(status=status)
    with pytest.raises(services.FollowUpError):
        services.assessment_approve(assessment=fu.a, user=fu.org.editor_a, comment="Bra.")
    stored = fresh(fu.a)
    assert (stored.status, stored.approval_comment, stored.reviewed_by) == (status, "", None)


def test_reopening_is_refused_before_the_lock_date(fu):
    with pytest.raises(services.FollowUpError):
        services.assessment_reopen(assessment=fu.a, user=fu.org.editor_a)
    assert fresh(fu.a).reopened is False


@pytest.mark.parametrize("status", [AssessmentStatus.NOT_STARTED, AssessmentStatus.DRAFT, AssessmentStatus.RETURNED])
def test_reopening_a_locked_assessment_that_is_not_handed_in_lets_the_school_write(fu, status):
    SelfAssessment.objects.filter(pk=fu.a.pk).update(status=status)
    lock(fu.cycle)
    assert not fresh(fu.a).is_editable()
    services.assessment_reopen(assessment=fu.a, user=fu.org.editor_a)
    stored = fresh(fu.a)
    assert (stored.status, stored.reopened, stored.reviewed_by) == (status, True, fu.org.editor_a)
    assert stored.is_editable()
    assert not save(fu.a, fu.area1, fu.org.principal_a).conflict
    assert not fresh(fu.b).reopened


@pytest.mark.parametrize("status", [AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED])
def test_a_handed_in_assessment_cannot_be_reopened(fu, status):
    SelfAssessment.objects.filter(pk=fu.a.pk).update(status=status)
    lock(fu.cycle)
    with pytest.raises(services.FollowUpError):
        services.assessment_reopen(assessment=fu.a, user=fu.org.editor_a)
    stored = fresh(fu.a)
    assert (stored.status, stored.reopened, stored.reviewed_by) == (status, False, None)


# --- start_from_last_year -------------------------------------------------------


def test_starting_from_last_year_fills_only_the_empty_fields_from_the_same_focus_area(fu):
    user = fu.org.principal_a
    # Last year the focus areas came in the other order: this year's area 1 was area 2.
    focus_areas = {fa.number: fa for fa in fu.strategy.focus_areas.all()}
    FocusArea.objects.filter(pk=focus_areas[1].pk).update(number=99)
    FocusArea.objects.filter(pk=focus_areas[2].pk).update(number=1)
    FocusArea.objects.filter(pk=focus_areas[1].pk).update(number=2)
    last_year = open_cycle(fu.strategy, year=fu.cycle.year - 1)
    old = last_year.assessments.get(school=fu.org.school_a)
    old_infrastructure = last_year.areas.get(focus_area=focus_areas[1])
    assert old_infrastructure.number == 2
    save(old, old_infrastructure, user, level=2, done="Förra årets nät.", strengths="It-ombud.", next_steps="Förra.")
    save(old, last_year.areas.get(number=1), user, level=4, done="Fel område.", strengths="Fel.", next_steps="Fel.")

    save(fu.a, fu.area1, user, level=3, done="", next_steps="Årets plan.", values={fu.ind["1.1.1"].pk: Decimal("70")})
    assert services.start_from_last_year(assessment=fu.a, area=fu.area1, user=user) is True

    answer = AreaAnswer.objects.get(assessment=fu.a, area=fu.area1)
    assert (answer.level, answer.done, answer.strengths, answer.next_steps, answer.version) == (
        3,
        "Förra årets nät.",
        "It-ombud.",
        "Årets plan.",
        2,
    )
    assert values_of(fu.a) == {"1.1.1": Decimal("70.00")}
    # Last year's answers are untouched.
    assert AreaAnswer.objects.get(assessment=old, area=old_infrastructure).version == 1


def test_starting_from_last_year_on_an_empty_area_copies_last_years_answer(fu):
    user = fu.org.principal_a
    last_year = open_cycle(fu.strategy, year=fu.cycle.year - 1)
    old = last_year.assessments.get(school=fu.org.school_a)
    save(old, last_year.areas.get(number=2), user, level=2, done="Kurser.", strengths="Nyfikna.", next_steps="Mer.")
    assert services.start_from_last_year(assessment=fu.a, area=fu.area2, user=user) is True
    answer = AreaAnswer.objects.get(assessment=fu.a, area=fu.area2)
    assert (answer.level, answer.done, answer.strengths, answer.next_steps) == (2, "Kurser.", "Nyfikna.", "Mer.")
    assert fresh(fu.a).status == AssessmentStatus.DRAFT
    assert not AreaAnswer.objects.filter(assessment=fu.b).exists()


def test_starting_from_last_year_without_an_earlier_year_returns_false_and_writes_nothing(fu):
    assert services.start_from_last_year(assessment=fu.a, area=fu.area1, user=fu.org.principal_a) is False
    assert not AreaAnswer.objects.filter(assessment=fu.a).exists()
    assert fresh(fu.a).status == AssessmentStatus.NOT_STARTED


def test_starting_from_last_year_without_last_years_answer_for_the_area_returns_false(fu):
    last_year = open_cycle(fu.strategy, year=fu.cycle.year - 1)
    save(last_year.assessments.get(school=fu.org.school_a), last_year.areas.get(number=1), fu.org.principal_a)
    assert services.start_from_last_year(assessment=fu.a, area=fu.area2, user=fu.org.principal_a) is False
    assert not AreaAnswer.objects.filter(assessment=fu.a).exists()


# --- school_report ----------------------------------------------------------------


def answer_levels(assessment, user, levels, *, status):
    """Answer both areas with `levels` (None: does not apply) and set `status`."""
    for area, level in zip(assessment.cycle.areas.all(), levels, strict=True):
        if level is None:
            save(assessment, area, user, level=None, not_applicable=True, not_applicable_reason="Förskola.")
        else:
            save(assessment, area, user, level=level)
    SelfAssessment.objects.filter(pk=assessment.pk).update(status=status)


def test_the_report_shows_the_schools_levels_beside_the_committees_and_the_citys_handed_in_averages(fu):
    org, user = fu.org, fu.org.principal_a
    extra = {
        name: SelfAssessment.objects.create(
            cycle=fu.cycle, school=SchoolFactory(committee=committee, name=name), committee=committee
        )
        for name, committee in (("A2", org.committee_a), ("A3", org.committee_a), ("B2", org.committee_b))
    }
    answer_levels(fu.a, user, (3, None), status=AssessmentStatus.SUBMITTED)
    answer_levels(extra["A2"], user, (1, 4), status=AssessmentStatus.APPROVED)
    answer_levels(extra["A3"], user, (4, 4), status=AssessmentStatus.DRAFT)  # not handed in: left out
    answer_levels(fu.b, user, (4, 2), status=AssessmentStatus.SUBMITTED)
    answer_levels(extra["B2"], user, (1, 1), status=AssessmentStatus.RETURNED)  # not handed in: left out
    summaries.rebuild(fu.cycle)  # the averages are read from the dashboards' summaries

    report = school_report(fresh(fu.a))
    rows = [
        (r.number, r.title, r.school, r.not_applicable, r.committee, r.committee_count, r.city, r.city_count)
        for r in report["rows"]
    ]
    assert rows == [
        (1, "Infrastruktur", 3, False, pytest.approx(2.0), 2, pytest.approx(8 / 3), 3),
        (2, "Digital kompetens", None, True, pytest.approx(4.0), 1, pytest.approx(3.0), 2),
    ]
    assert [lv.level for lv in report["levels"]] == [1, 2, 3, 4]

    report_b = school_report(fresh(fu.b))
    assert [(r.school, r.committee, r.committee_count) for r in report_b["rows"]] == [
        (4, pytest.approx(4.0), 1),
        (2, pytest.approx(2.0), 1),
    ]


def test_a_draft_sees_its_own_levels_but_is_not_in_the_averages(fu):
    save(fu.a, fu.area1, fu.org.principal_a, level=2)
    report = school_report(fresh(fu.a))
    assert [(r.school, r.committee, r.committee_count, r.city, r.city_count) for r in report["rows"]] == [
        (2, None, 0, None, 0),
        (None, None, 0, None, 0),
    ]


def test_the_trend_lists_the_schools_levels_for_earlier_handed_in_years_and_this_year(fu):
    user, year = fu.org.principal_a, fu.cycle.year
    for offset, levels, status in (
        (3, (4, 4), AssessmentStatus.APPROVED),
        (2, (1, None), AssessmentStatus.APPROVED),
        (1, (2, 2), AssessmentStatus.DRAFT),  # never handed in: not in the trend
    ):
        cycle = open_cycle(fu.strategy, year=year - offset)
        answer_levels(cycle.assessments.get(school=fu.org.school_a), user, levels, status=status)
    # Another strategy's follow-up is not part of this strategy's trend.
    other = open_cycle(followup_strategy(), year=year - 4)
    answer_levels(other.assessments.get(school=fu.org.school_a), user, (1, 1), status=AssessmentStatus.APPROVED)
    # Another school's years are not either.
    answer_levels(
        SelfAssessment.objects.get(cycle__year=year - 1, school=fu.org.school_b),
        fu.org.principal_b,
        (3, 3),
        status=AssessmentStatus.SUBMITTED,
    )
    save(fu.a, fu.area1, user, level=3)

    report = school_report(fresh(fu.a))
    assert report["years"] == [year - 3, year - 2, year]
    assert [(row.number, levels) for row, levels in report["trend"]] == [
        (1, [4, 1, 3]),
        (2, [4, None, None]),
    ]


# --- assessment_changes -----------------------------------------------------------


def label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def test_the_history_lists_who_changed_what_newest_first(fu):
    principal, editor = fu.org.principal_a, fu.org.editor_a
    percent = fu.ind["1.1.1"]
    save(fu.a, fu.area1, principal, level=2, done="Nät.", next_steps="Mer.", values={percent.pk: Decimal("85")})
    save(fu.a, fu.area1, editor, level=3, done="Nät.", next_steps="Mer.", values={percent.pk: Decimal("90")})
    fill_in(fu.a, principal, levels=(3, 4))
    services.assessment_submit(assessment=fu.a, user=principal)
    # The editor wrote in it, so someone else returns it.
    services.assessment_return(assessment=fu.a, user=fu.org.admin, reason="Utveckla område 2.")

    changes = services.assessment_changes(fresh(fu.a))
    assert [c.when for c in changes] == sorted((c.when for c in changes), reverse=True)

    status, reason = label(SelfAssessment, "status"), label(SelfAssessment, "return_reason")
    level, done, next_steps = label(AreaAnswer, "level"), label(AreaAnswer, "done"), label(AreaAnswer, "next_steps")
    returned, submitted = changes[0], changes[1]
    assert returned.who == fu.org.admin
    assert (status, str(AssessmentStatus.SUBMITTED.label), str(AssessmentStatus.RETURNED.label)) in returned.changes
    assert (reason, "–", "Utveckla område 2.") in returned.changes
    assert submitted.who == principal
    assert (status, str(AssessmentStatus.DRAFT.label), str(AssessmentStatus.SUBMITTED.label)) in submitted.changes
    area1 = [c for c in changes if "1 Infrastruktur" in c.what]
    assert [(c.who, c.changes) for c in area1] == [
        (
            principal,
            [
                (done, "Nät.", "Trådlöst nät i alla klassrum."),
                (next_steps, "Mer.", "Fortbildning i formativ bedömning."),
            ],
        ),
        (editor, [(level, "2", "3")]),
        (
            principal,
            [
                (done, "–", "Nät."),
                (level, "–", "2"),
                (next_steps, "–", "Mer."),
            ],
        ),
    ]
    value = label(IndicatorAnswer, "value")
    in_percent = [c for c in changes if "1.1.1" in c.what]
    assert [c.changes for c in in_percent] == [
        [(value, "90.00", "85.00")],
        [(value, "85.00", "90.00")],
        [(value, "–", "85.00")],
    ]
    assert [c.who for c in in_percent[:2]] == [principal, editor]
    area2 = [c for c in changes if "2 Digital kompetens" in c.what]
    assert [(c.who, c.changes[0]) for c in area2] == [(principal, (done, "–", "Trådlöst nät i alla klassrum."))]
    assert (level, "–", "4") in area2[0].changes
    drafted = [c for c in changes if (status, "–", str(AssessmentStatus.DRAFT.label)) in c.changes]
    assert [c.who for c in drafted] == [principal]


def test_the_history_names_who_entered_an_indicators_first_value(fu):
    save(fu.a, fu.area1, fu.org.principal_a, values={fu.ind["1.1.1"].pk: Decimal("85")})
    first_value = [c for c in services.assessment_changes(fresh(fu.a)) if "1.1.1" in c.what]
    assert [(c.who, c.changes[0][1:]) for c in first_value] == [(fu.org.principal_a, ("–", "85.00"))]


def test_the_history_names_the_person_who_submitted_and_reviewed_not_their_id(fu):
    hand_in(fu.a, fu.org.principal_a)
    services.assessment_approve(assessment=fu.a, user=fu.org.editor_a)
    people = {
        name: after
        for change in services.assessment_changes(fresh(fu.a))
        for name, _before, after in change.changes
        if name in (label(SelfAssessment, "submitted_by"), label(SelfAssessment, "reviewed_by"))
    }
    assert people == {
        label(SelfAssessment, "submitted_by"): str(fu.org.principal_a),
        label(SelfAssessment, "reviewed_by"): str(fu.org.editor_a),
    }


def test_a_conflicting_save_of_an_unanswered_area_writes_nothing(fu):
    result = save(fu.a, fu.area1, fu.org.principal_a, level=2, version=1)
    assert result.conflict
    assert not AreaAnswer.objects.filter(assessment=fu.a).exists()
    assert not AreaAnswer.history.filter(assessment_id=fu.a.pk).exists()


# --- The demo -------------------------------------------------------------------


@pytest.mark.slow
def test_the_demo_has_this_years_follow_up_under_way_and_the_two_years_before_approved(db):
    call_command("load_demo")
    this_year = timezone.localdate().year
    assert list(Cycle.objects.values_list("year", flat=True)) == [this_year, this_year - 1, this_year - 2]
    active = School.objects.active().count()
    for year in (this_year - 1, this_year - 2):
        cycle = Cycle.objects.get(year=year)
        assert cycle.is_locked()
        statuses = list(cycle.assessments.values_list("status", flat=True))
        assert len(statuses) == active
        assert set(statuses) == {AssessmentStatus.APPROVED}
        assert all(services.missing_for_submission(a) == [] for a in cycle.assessments.all())
    current = Cycle.objects.get(year=this_year)
    assert not current.is_locked()
    assert current.assessments.count() == active
    assert set(current.assessments.values_list("status", flat=True)) == set(AssessmentStatus.values)
    norrskolan = current.assessments.get(school__unit_code="10000003")
    assert norrskolan.school.name == "Norrskolan"
    assert norrskolan.status == AssessmentStatus.NOT_STARTED
    assert not norrskolan.area_answers.exists()
    returned = current.assessments.filter(status=AssessmentStatus.RETURNED)
    assert all(a.return_reason and a.reviewed_by for a in returned)
