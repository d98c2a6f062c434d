"""The dashboards' summaries (dashboards/summaries.py) against the database:
what a submission, return or approval does to a school's result and to the
committee's and the city's rollups, refreshing, rebuilding and the command."""

import collections
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Role
from dashboards import summaries
from dashboards.models import CycleSummary, Rollup, SchoolResult, SummaryBacklog
from followup import services
from followup.models import AssessmentStatus, CycleIndicator
from schools.models import School, SchoolForm
from schools.services import school_update
from strategy.models import Direction, IndicatorUnit
from tests.factories import SchoolFactory, followup_strategy, member, open_cycle

# A plausible value in each unit.
SAMPLE = {
    IndicatorUnit.PERCENT: Decimal("85"),
    IndicatorUnit.YES_NO: Decimal("1"),
    IndicatorUnit.COUNT: Decimal("3"),
    IndicatorUnit.RATIO: Decimal("0.5"),
}
NOT_APPLICABLE_REASON = "Enheten har inga egna lokaler."


@pytest.fixture
def fu(org):
    """This year's follow-up of a strategy with two areas (see `followup_strategy`)
    for three schools: A (committee A, grundskola, no SES band), B (committee B,
    grundskola, band 1) and C (committee A, grundskola and fritidshem, band 3)."""
    School.objects.filter(pk=org.school_b.pk).update(ses_band=1)
    school_c = SchoolFactory(
        committee=org.committee_a,
        name="Skola C",
        unit_code="33333333",
        ses_band=3,
        forms=[SchoolForm.COMPULSORY, SchoolForm.LEISURE_CENTRE],
    )
    principal_c = member(Role.PRINCIPAL, school=school_c, email="rektor.c@example.se")
    cycle = open_cycle(followup_strategy(), user=org.admin)
    return SimpleNamespace(
        org=org,
        cycle=cycle,
        ind={i.code: i for i in cycle.indicators.all()},
        school_c=school_c,
        a=cycle.assessments.get(school=org.school_a),
        b=cycle.assessments.get(school=org.school_b),
        c=cycle.assessments.get(school=school_c),
        principal={org.school_a.pk: org.principal_a, org.school_b.pk: org.principal_b, school_c.pk: principal_c},
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the commit would run: the refresh each mark queues."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def answer(fu, assessment, levels=(3, 2), *, values=None, not_applicable=()):
    """Answer every area as the school's form does; areas numbered in `not_applicable` do not apply."""
    values = values or {}
    for area, level in zip(fu.cycle.areas.all(), levels, strict=True):
        if area.number in not_applicable:
            data = services.AreaInput(level=None, not_applicable=True, not_applicable_reason=NOT_APPLICABLE_REASON)
        else:
            data = services.AreaInput(
                level=level,
                done="Trådlöst nät i alla klassrum.",
                next_steps="Fortbildning i formativ bedömning.",
                indicator_values={
                    i.pk: values.get(i.code, SAMPLE[i.unit]) for i in area.indicators.for_school(assessment.school)
                },
            )
        version = services.area_answer_for(assessment, area).version
        services.area_answer_save(
            assessment=assessment, area=area, data=data, version=version, user=fu.principal[assessment.school_id]
        )


def hand_in(fu, assessment, levels=(3, 2), **kwargs):
    answer(fu, assessment, levels, **kwargs)
    assert services.assessment_submit(assessment=assessment, user=fu.principal[assessment.school_id]) is True
    assessment.refresh_from_db()


def result(fu, assessment) -> SchoolResult:
    return SchoolResult.objects.get(cycle=fu.cycle, school_id=assessment.school_id)


def rollup(cycle, key: str) -> Rollup:
    return Rollup.objects.get(cycle=cycle, key=key)


def committee_key(committee, form: str = "", band: str = "*") -> str:
    return f"c{committee.pk}|{form}|{band}"


def snapshot(cycle) -> tuple:
    return (
        list(SchoolResult.objects.filter(cycle=cycle).order_by("pk").values()),
        list(Rollup.objects.filter(cycle=cycle).order_by("pk").values()),
        list(CycleSummary.objects.filter(cycle=cycle).values()),
    )


# --- Submitting, returning, approving -----------------------------------------


def test_a_submission_shows_in_the_schools_result_and_in_its_committees_and_the_citys_rollup(fu, committed):
    with committed():
        hand_in(fu, fu.a, levels=(3, 2))

    mine = result(fu, fu.a)
    assert mine.status == AssessmentStatus.SUBMITTED
    assert mine.committee_id == fu.org.committee_a.pk
    assert mine.handed_in_at == fu.a.submitted_at
    assert mine.on_time is True
    assert mine.levels == {"1": 3, "2": 2}
    assert mine.indicators == {str(i.pk): float(SAMPLE[i.unit]) for i in fu.ind.values()}
    committee = rollup(fu.cycle, committee_key(fu.org.committee_a))
    city = rollup(fu.cycle, "city||*")
    assert (committee.schools, committee.statuses) == (2, {"submitted": 1, "not_started": 1, "on_time": 1})
    assert (city.schools, city.statuses) == (3, {"submitted": 1, "not_started": 2, "on_time": 1})
    for group in (committee, city):
        assert group.areas == {
            "1": {"n": 1, "sum": 3, "na": 0, "levels": {"3": 1}},
            "2": {"n": 1, "sum": 2, "na": 0, "levels": {"2": 1}},
        }
    assert not SummaryBacklog.objects.exists()


def test_an_areas_mean_is_the_sum_of_the_handed_in_levels_over_their_number(fu, committed):
    with committed():
        hand_in(fu, fu.a, levels=(3, 2))
        hand_in(fu, fu.b, levels=(2, 4))
        answer(fu, fu.c, levels=(1, 1))  # a draft does not count

    areas = rollup(fu.cycle, "city||*").areas
    assert areas["1"] == {"n": 2, "sum": 5, "na": 0, "levels": {"3": 1, "2": 1}}
    assert areas["1"]["sum"] / areas["1"]["n"] == 2.5
    assert areas["2"]["sum"] / areas["2"]["n"] == 3
    assert rollup(fu.cycle, committee_key(fu.org.committee_a)).areas["1"] == {
        "n": 1,
        "sum": 3,
        "na": 0,
        "levels": {"3": 1},
    }


def test_a_returned_assessments_levels_no_longer_count(fu, committed):
    with committed():
        hand_in(fu, fu.a)
    with committed():
        services.assessment_return(assessment=fu.a, user=fu.org.editor_a, reason="Beskriv mer konkret.")

    mine = result(fu, fu.a)
    assert mine.status == AssessmentStatus.RETURNED
    assert (mine.levels, mine.indicators, mine.handed_in_at, mine.on_time) == ({}, {}, None, None)
    city = rollup(fu.cycle, "city||*")
    assert city.statuses == {"returned": 1, "not_started": 2}
    assert city.areas == {}
    assert city.indicators == {}
    assert rollup(fu.cycle, committee_key(fu.org.committee_a)).areas == {}


def test_an_approved_assessment_counts(fu, committed):
    with committed():
        hand_in(fu, fu.a, levels=(4, 1))
    with committed():
        services.assessment_approve(assessment=fu.a, user=fu.org.editor_a, comment="Tack!")

    mine = result(fu, fu.a)
    assert mine.status == AssessmentStatus.APPROVED
    assert mine.levels == {"1": 4, "2": 1}
    assert mine.on_time is True
    city = rollup(fu.cycle, "city||*")
    assert city.statuses == {"approved": 1, "not_started": 2, "on_time": 1}
    assert city.areas["1"] == {"n": 1, "sum": 4, "na": 0, "levels": {"4": 1}}


def test_saving_the_first_answer_shows_the_school_as_a_draft(fu, committed):
    summaries.refresh(fu.cycle.pk)
    with committed():
        answer(fu, fu.a)
    summaries.refresh_all_marked()  # what the schedule runs every minute

    fu.a.refresh_from_db()
    assert fu.a.status == AssessmentStatus.DRAFT
    assert result(fu, fu.a).status == AssessmentStatus.DRAFT
    assert rollup(fu.cycle, "city||*").statuses == {"draft": 1, "not_started": 2}


def test_an_area_that_does_not_apply_counts_in_na_and_not_in_the_mean(fu, committed):
    with committed():
        hand_in(fu, fu.a, levels=(3, None), not_applicable={2})
        hand_in(fu, fu.b, levels=(2, 4))

    assert result(fu, fu.a).levels == {"1": 3, "2": 0}
    areas = rollup(fu.cycle, "city||*").areas
    assert areas["2"] == {"n": 1, "sum": 4, "na": 1, "levels": {"4": 1}}
    assert areas["1"] == {"n": 2, "sum": 5, "na": 0, "levels": {"3": 1, "2": 1}}
    assert rollup(fu.cycle, committee_key(fu.org.committee_a)).areas["2"] == {
        "n": 0,
        "sum": 0,
        "na": 1,
        "levels": {},
    }


# --- Groups -------------------------------------------------------------------


def test_the_citys_rollups_are_the_sums_of_the_committees_rollups(fu, committed):
    with committed():
        hand_in(fu, fu.a, levels=(3, 2), values={"1.1.1": Decimal("95")})
        hand_in(fu, fu.b, levels=(1, None), not_applicable={2})
        hand_in(fu, fu.c, levels=(4, 4), values={"1.1.1": Decimal("70")})
    with committed():
        services.assessment_approve(assessment=fu.c, user=fu.org.editor_a)

    def group_sum(rows):
        statuses, areas, indicators = collections.Counter(), collections.Counter(), collections.Counter()
        for row in rows:
            statuses.update(row.statuses)
            for number, area in row.areas.items():
                areas.update({(number, name): area[name] for name in ("n", "sum", "na")})
                areas.update({(number, "level", level): n for level, n in area["levels"].items()})
            for pk, entry in row.indicators.items():
                indicators.update({(pk, name): entry[name] for name in ("n", "sum", "met")})
        return sum(r.schools for r in rows), statuses, areas, indicators

    city = {(r.school_form, r.ses_band): r for r in Rollup.objects.filter(cycle=fu.cycle, committee__isnull=True)}
    committees = collections.defaultdict(list)
    for row in Rollup.objects.filter(cycle=fu.cycle, committee__isnull=False):
        committees[(row.school_form, row.ses_band)].append(row)
    assert set(city) == set(committees)
    assert set(city) == {(form, band) for form in ("", "grundskola") for band in (None, 0, 1, 3)} | {
        ("fritidshem", None),
        ("fritidshem", 3),
    }
    for group, row in city.items():
        assert group_sum([row]) == group_sum(committees[group]), group
    assert rollup(fu.cycle, "city||*").schools == 3


def test_a_school_with_two_forms_counts_in_each_forms_rollup_and_once_in_all_forms(fu, committed):
    with committed():
        hand_in(fu, fu.c, levels=(4, 3))

    assert result(fu, fu.c).forms == ",fritidshem,grundskola,"
    everything = rollup(fu.cycle, "city||*")
    compulsory = rollup(fu.cycle, "city|grundskola|*")
    leisure = rollup(fu.cycle, "city|fritidshem|*")
    assert (everything.schools, compulsory.schools, leisure.schools) == (3, 3, 1)
    for group in (everything, compulsory, leisure):
        assert group.areas["1"] == {"n": 1, "sum": 4, "na": 0, "levels": {"4": 1}}
        assert group.statuses["submitted"] == 1
    assert leisure.statuses == {"submitted": 1, "on_time": 1}
    assert rollup(fu.cycle, committee_key(fu.org.committee_a, "fritidshem")).schools == 1
    assert not Rollup.objects.filter(cycle=fu.cycle, key=committee_key(fu.org.committee_b, "fritidshem")).exists()


def test_each_school_counts_in_all_bands_and_in_its_own_band_zero_when_it_has_none(fu, committed):
    with committed():
        hand_in(fu, fu.a, levels=(2, 2))

    assert result(fu, fu.a).ses_band is None
    everything = rollup(fu.cycle, "city||*")
    assert (everything.ses_band, everything.schools) == (None, 3)
    unknown = rollup(fu.cycle, "city||0")
    assert (unknown.ses_band, unknown.schools, unknown.statuses) == (0, 1, {"submitted": 1, "on_time": 1})
    assert unknown.areas["1"]["n"] == 1
    assert (rollup(fu.cycle, "city||1").ses_band, rollup(fu.cycle, "city||1").schools) == (1, 1)
    assert rollup(fu.cycle, "city||3").schools == 1
    assert rollup(fu.cycle, "city|fritidshem|3").schools == 1
    assert not Rollup.objects.filter(cycle=fu.cycle, key__in=["city||2", "city|fritidshem|0"]).exists()
    assert rollup(fu.cycle, committee_key(fu.org.committee_a, band="0")).schools == 1
    assert rollup(fu.cycle, committee_key(fu.org.committee_a, band="3")).schools == 1


def test_a_school_counts_where_its_assessment_recorded_it_not_where_the_school_row_says(fu, committed):
    with committed():
        hand_in(fu, fu.a, levels=(3, 3))
    # Changed behind the services' back: the cycle's record of the school is what counts.
    School.objects.filter(pk=fu.org.school_a.pk).update(committee=fu.org.committee_b)
    with committed():
        summaries.mark_changed(fu.cycle.pk, [fu.org.school_a.pk])

    assert result(fu, fu.a).committee_id == fu.org.committee_a.pk
    assert rollup(fu.cycle, committee_key(fu.org.committee_a)).areas["1"]["n"] == 1
    assert rollup(fu.cycle, committee_key(fu.org.committee_b)).schools == 1
    assert rollup(fu.cycle, "city||*").schools == 3


def test_moving_a_school_to_another_committee_updates_the_dashboards_at_once(fu, committed):
    with committed():
        hand_in(fu, fu.a, levels=(3, 3))
    with committed():
        school_update(
            school=School.objects.get(pk=fu.org.school_a.pk),
            values={"committee_id": fu.org.committee_b.pk, "ses_band": 5},
            forms={SchoolForm.PRESCHOOL},
        )

    moved = result(fu, fu.a)
    assert (moved.committee_id, moved.ses_band, moved.forms) == (fu.org.committee_b.pk, 5, ",forskola,")
    assert rollup(fu.cycle, committee_key(fu.org.committee_a)).areas == {}
    assert rollup(fu.cycle, committee_key(fu.org.committee_b, band="5")).areas["1"]["n"] == 1
    assert not SummaryBacklog.objects.exists()


# --- On time and indicators ---------------------------------------------------


def test_handed_in_on_the_deadline_day_is_on_time_and_the_day_after_is_not(fu):
    hand_in(fu, fu.a)
    hand_in(fu, fu.b)
    deadline = fu.cycle.deadline
    last_minute = timezone.make_aware(datetime.datetime.combine(deadline, datetime.time(23, 59)))
    next_morning = timezone.make_aware(datetime.datetime.combine(deadline, datetime.time(0, 1))) + datetime.timedelta(
        days=1
    )
    fu.cycle.assessments.filter(pk=fu.a.pk).update(submitted_at=last_minute)
    fu.cycle.assessments.filter(pk=fu.b.pk).update(submitted_at=next_morning)

    assert summaries.rebuild(fu.cycle) == 3

    assert (result(fu, fu.a).on_time, result(fu, fu.a).handed_in_at) == (True, last_minute)
    assert (result(fu, fu.b).on_time, result(fu, fu.b).handed_in_at) == (False, next_morning)
    assert result(fu, fu.c).on_time is None
    statuses = rollup(fu.cycle, "city||*").statuses
    assert (statuses["on_time"], statuses["after_deadline"]) == (1, 1)
    assert rollup(fu.cycle, committee_key(fu.org.committee_b)).statuses == {"submitted": 1, "after_deadline": 1}


def test_an_indicator_target_is_met_by_the_values_on_the_better_side_of_it(fu, committed):
    percent, yes_no, ratio = fu.ind["1.1.1"], fu.ind["1.1.2"], fu.ind["2.1.2"]  # 1.1.1: at least 90
    CycleIndicator.objects.filter(pk=ratio.pk).update(direction=Direction.LOWER, target=Decimal("0.5"))
    with committed():
        hand_in(fu, fu.a, values={"1.1.1": Decimal("95"), "2.1.2": Decimal("0.4")})
        hand_in(fu, fu.b, values={"1.1.1": Decimal("90"), "2.1.2": Decimal("0.5")})
        hand_in(fu, fu.c, values={"1.1.1": Decimal("80"), "2.1.2": Decimal("0.6")})

    meta = {i["code"]: i for i in CycleSummary.objects.get(cycle=fu.cycle).meta["indicators"]}
    assert (meta["1.1.1"]["target"], meta["1.1.1"]["direction"]) == (90.0, Direction.HIGHER)
    assert (meta["2.1.2"]["target"], meta["2.1.2"]["direction"]) == (0.5, Direction.LOWER)
    city = rollup(fu.cycle, "city||*").indicators
    assert city[str(percent.pk)] == {"n": 3, "sum": 265.0, "met": 2}
    assert (city[str(ratio.pk)]["n"], city[str(ratio.pk)]["met"]) == (3, 2)
    assert city[str(ratio.pk)]["sum"] == pytest.approx(1.5)
    assert city[str(yes_no.pk)] == {"n": 3, "sum": 3.0, "met": 0}  # no target: never met
    committee_a = rollup(fu.cycle, committee_key(fu.org.committee_a)).indicators
    assert (committee_a[str(percent.pk)]["met"], committee_a[str(ratio.pk)]["met"]) == (1, 1)


# --- Refreshing and rebuilding ------------------------------------------------


def test_refreshing_twice_changes_nothing_the_second_time(fu):
    hand_in(fu, fu.a)
    hand_in(fu, fu.c)
    assert summaries.refresh(fu.cycle.pk) == 3
    before = snapshot(fu.cycle)

    assert summaries.refresh(fu.cycle.pk) == 0
    assert summaries.refresh_all_marked() == 0
    assert snapshot(fu.cycle) == before
    assert not SummaryBacklog.objects.exists()


def test_a_mark_made_while_a_refresh_runs_is_kept_for_the_next_refresh(fu, monkeypatch):
    hand_in(fu, fu.a)
    school_a = fu.org.school_a.pk
    read = SummaryBacklog.objects.get(school_id=school_a).token
    compute = summaries._school_results

    def submitted_meanwhile(cycle, school_ids):
        results = compute(cycle, school_ids)
        summaries.mark_changed(cycle.pk, [school_a])
        return results

    monkeypatch.setattr(summaries, "_school_results", submitted_meanwhile)
    assert summaries.refresh(fu.cycle.pk) == 3
    monkeypatch.undo()

    kept = SummaryBacklog.objects.get()
    assert kept.school_id == school_a
    assert kept.token != read
    assert result(fu, fu.a).status == AssessmentStatus.SUBMITTED
    assert summaries.refresh(fu.cycle.pk) == 1
    assert not SummaryBacklog.objects.exists()


def test_rebuild_recomputes_every_school_from_the_answers(fu):
    hand_in(fu, fu.a, levels=(4, 4))
    summaries.refresh(fu.cycle.pk)
    SchoolResult.objects.filter(cycle=fu.cycle, school_id=fu.org.school_a.pk).update(status="draft", levels={})
    Rollup.objects.filter(cycle=fu.cycle, committee__isnull=True).delete()

    assert summaries.rebuild(fu.cycle) == 3

    assert (result(fu, fu.a).status, result(fu, fu.a).levels) == (AssessmentStatus.SUBMITTED, {"1": 4, "2": 4})
    assert rollup(fu.cycle, "city||*").areas["1"] == {"n": 1, "sum": 4, "na": 0, "levels": {"4": 1}}


def test_the_rebuild_command_rebuilds_every_year(fu):
    last_year = open_cycle(fu.cycle.strategy, year=fu.cycle.year - 1)
    out = io.StringIO()

    call_command("rebuild_summaries", stdout=out)

    assert out.getvalue() == (
        f"{last_year.year}: 3 school units summarised.\n{fu.cycle.year}: 3 school units summarised.\n"
    )
    for cycle in (last_year, fu.cycle):
        assert SchoolResult.objects.filter(cycle=cycle).count() == 3
        assert rollup(cycle, "city||*").statuses == {"not_started": 3}
    assert not SummaryBacklog.objects.exists()


def test_the_rebuild_command_with_a_year_rebuilds_only_that_year(fu):
    last_year = open_cycle(fu.cycle.strategy, year=fu.cycle.year - 1)
    out = io.StringIO()

    call_command("rebuild_summaries", "--year", str(last_year.year), stdout=out)

    assert out.getvalue() == f"{last_year.year}: 3 school units summarised.\n"
    assert SchoolResult.objects.filter(cycle=last_year).count() == 3
    assert not SchoolResult.objects.filter(cycle=fu.cycle).exists()
    assert SummaryBacklog.objects.filter(cycle=fu.cycle).count() == 3


def test_the_rebuild_command_refuses_a_year_without_a_follow_up(fu):
    with pytest.raises(CommandError, match="There is no follow-up for 1999"):
        call_command("rebuild_summaries", "--year", "1999", stdout=io.StringIO())
    assert not SchoolResult.objects.exists()


# --- Opening a cycle ------------------------------------------------------------


def test_opening_a_cycle_gives_every_active_school_a_not_started_result(org, committed):
    closed = SchoolFactory(committee=org.committee_a, name="Nedlagda skolan")
    closed.close(on=datetime.date(2020, 6, 30))
    closed.save()
    with committed():
        cycle = open_cycle(followup_strategy(), user=org.admin)

    results = SchoolResult.objects.filter(cycle=cycle)
    assert sorted(r.school_id for r in results) == sorted([org.school_a.pk, org.school_b.pk])
    assert {r.status for r in results} == {AssessmentStatus.NOT_STARTED}
    assert [(r.levels, r.indicators, r.on_time) for r in results] == [({}, {}, None)] * 2
    city = rollup(cycle, "city||*")
    assert (city.schools, city.statuses, city.areas) == (2, {"not_started": 2}, {})
    assert CycleSummary.objects.get(cycle=cycle).meta["areas"] == [[1, "Infrastruktur"], [2, "Digital kompetens"]]
    assert not SummaryBacklog.objects.exists()
