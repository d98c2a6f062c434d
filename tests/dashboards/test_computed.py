"""Indicators the portal computes from what it holds: each formula on a small
city, how each value was computed, the dashboards and the yearly report
showing them beside the typed indicators, and the principals never asked."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from actionplans.models import ActionPlan, PlanStatus
from dashboards import computed, summaries, tables
from dashboards.models import BoardReport
from dashboards.report_content import content_collect
from dashboards.tables import Light, table_from_data
from followup.models import AssessmentStatus, CycleIndicator, IndicatorAnswer, SelfAssessment
from schools.models import School
from strategy.forms import CommitteeIndicatorForm
from strategy.models import Formula, Goal, Indicator, IndicatorUnit, Reporter, Target
from tests.factories import CommitteeFactory, SchoolFactory, followup_strategy, open_cycle

THIS_YEAR = timezone.localdate().year


def computed_indicator(strategy, code, formula, *, unit=IndicatorUnit.PERCENT, source="", target=None, owner=None):
    indicator = Indicator.objects.create(
        goal=Goal.objects.get(focus_area__strategy=strategy, number="1.2"),
        owner=owner,
        code=code,
        name=f"Beräknad {code}",
        unit=unit,
        reported_by=Reporter.PORTAL,
        formula=formula,
        source=source,
    )
    if target is not None:
        Target.objects.create(indicator=indicator, year=THIS_YEAR, value=target)
    return indicator


def set_status(cycle, school, status):
    SelfAssessment.objects.filter(cycle=cycle, school=school).update(
        status=status, submitted_at=timezone.now() if status != AssessmentStatus.DRAFT else None
    )


def report_devices(cycle, school, count):
    assessment = SelfAssessment.objects.get(cycle=cycle, school=school)
    IndicatorAnswer.objects.create(assessment=assessment, indicator=cycle.indicators.get(code="2.1.1"), value=count)


@pytest.fixture
def city(org):
    """Committees A, B and C, each with schools in this year's follow-up.

    A: Skola A (400 pupils), Skola A2 (100 pupils); B: Skola B (300 pupils);
    C: Skola C (no pupil count). A and B have adopted action plans, C a draft.
    Approved: Skola A and Skola B; Skola A2 handed in; Skola C a draft.
    Devices (2.1.1): Skola A 200, Skola A2 60, Skola B 90, Skola C 50 (a draft,
    and no pupil count either).
    """
    committee_c = CommitteeFactory(code="C", name="Nämnd C")
    School.objects.filter(pk=org.school_a.pk).update(pupil_count=400)
    School.objects.filter(pk=org.school_b.pk).update(pupil_count=300)
    school_a2 = SchoolFactory(committee=org.committee_a, name="Skola A2", unit_code="11111112", pupil_count=100)
    school_c = SchoolFactory(committee=committee_c, name="Skola C", unit_code="33333331")
    strategy = followup_strategy()
    plans = computed_indicator(strategy, "P1", Formula.PLANS_ADOPTED, target=Decimal(100))
    approved = computed_indicator(strategy, "P2", Formula.ASSESSMENTS_APPROVED, target=Decimal(50))
    per_pupil = computed_indicator(
        strategy, "P3", Formula.PER_PUPIL, unit=IndicatorUnit.RATIO, source="2.1.1", target=Decimal("0.5")
    )
    cycle = open_cycle(strategy)
    for committee, status in ((org.committee_a, PlanStatus.ADOPTED), (org.committee_b, PlanStatus.ADOPTED)):
        ActionPlan.objects.create(
            committee=committee, strategy=strategy, starts_in=THIS_YEAR, ends_in=THIS_YEAR + 2, status=status
        )
    ActionPlan.objects.create(committee=committee_c, strategy=strategy, starts_in=THIS_YEAR, ends_in=THIS_YEAR + 2)
    for school, status, devices in (
        (org.school_a, AssessmentStatus.APPROVED, 200),
        (school_a2, AssessmentStatus.SUBMITTED, 60),
        (org.school_b, AssessmentStatus.APPROVED, 90),
        (school_c, AssessmentStatus.DRAFT, 50),
    ):
        report_devices(cycle, school, devices)
        set_status(cycle, school, status)
    summaries.rebuild(cycle)
    org.committee_c, org.school_a2, org.school_c = committee_c, school_a2, school_c
    org.strategy, org.cycle = strategy, cycle
    org.plans, org.approved, org.per_pupil = plans, approved, per_pupil
    return org


def value_of(city, indicator, committee=None):
    indicators = computed.computed_indicators(city.cycle, committee=committee)
    facts = computed.Facts(city.cycle, indicators, committee_id=committee.pk if committee else None)
    return computed.indicator_compute(
        indicator=next(i for i in indicators if i.pk == indicator.pk),
        facts=facts,
        committee_id=committee.pk if committee else None,
    )


# --- Each formula -------------------------------------------------------------------------


def test_plans_adopted_is_the_share_of_the_follow_ups_committees_with_an_adopted_plan(city):
    value = value_of(city, city.plans)
    assert value.value == pytest.approx(200 / 3)
    assert value.how == "2 av 3 nämnder har en antagen handlingsplan"
    assert value.light.state == Light.NOT_MET


def test_plans_adopted_for_one_committee_counts_only_that_committee(city):
    assert value_of(city, city.plans, city.committee_a).how == "1 av 1 nämnder har en antagen handlingsplan"
    draft = value_of(city, city.plans, city.committee_c)
    assert draft.value == 0
    assert draft.how == "0 av 1 nämnder har en antagen handlingsplan"


def test_assessments_approved_is_the_share_of_units_whose_self_assessment_is_approved(city):
    value = value_of(city, city.approved)
    assert value.value == 50
    assert value.how == "2 av 4 enheters självvärderingar är godkända"
    assert value.light.state == Light.MET
    assert value_of(city, city.approved, city.committee_a).how == "1 av 2 enheters självvärderingar är godkända"


def test_per_pupil_divides_the_reported_count_by_the_pupils_of_the_units_that_reported_it(city):
    value = value_of(city, city.per_pupil)
    # Skola A 200 + A2 60 + B 90 devices over 400 + 100 + 300 pupils; Skola C's draft is not counted.
    assert value.value == pytest.approx(350 / 800)
    assert value.how == "350 (2.1.1 Indikator 2.1.1) ÷ 800 elever, i 3 skolenheter"
    assert value_of(city, city.per_pupil, city.committee_a).value == pytest.approx(260 / 500)


def test_per_pupil_writes_large_numbers_with_thousands_grouped(city):
    School.objects.filter(pk=city.school_a.pk).update(pupil_count=1900)
    IndicatorAnswer.objects.filter(assessment__school=city.school_a).update(value=Decimal(1690))
    summaries.rebuild(city.cycle)
    assert value_of(city, city.per_pupil).how == "1\xa0840 (2.1.1 Indikator 2.1.1) ÷ 2\xa0300 elever, i 3 skolenheter"


def test_a_unit_without_a_pupil_count_is_left_out_of_both_sides_of_per_pupil(city):
    School.objects.filter(pk=city.school_b.pk).update(pupil_count=None)
    assert value_of(city, city.per_pupil).value == pytest.approx(260 / 500)


def test_no_pupils_gives_no_value_rather_than_a_division_by_zero(city):
    School.objects.update(pupil_count=None)
    value = value_of(city, city.per_pupil)
    assert value.value is None
    assert value.how == "Ingen skolenhet med elevantal har rapporterat 2.1.1 Indikator 2.1.1."
    assert value.light.state is None
    School.objects.update(pupil_count=0)
    assert value_of(city, city.per_pupil).value is None


def test_a_committee_without_units_in_the_follow_up_gives_no_value_for_any_formula(city):
    empty = CommitteeFactory(code="D", name="Nämnd D")
    indicators = computed.computed_indicators(city.cycle, committee=empty)
    facts = computed.Facts(city.cycle, indicators, committee_id=empty.pk)
    table = computed.computed_table(
        computed.indicator_compute(indicator=i, facts=facts, committee_id=empty.pk) for i in indicators
    )
    assert [(row[0], row[2].value, row[3], str(row[4])) for row in table.rows] == [
        ("P1 Beräknad P1", None, "Ingen nämnd har skolenheter i uppföljningen.", "–"),
        ("P2 Beräknad P2", None, "Inga skolenheter i uppföljningen.", "–"),
        ("P3 Beräknad P3", None, "Ingen skolenhet med elevantal har rapporterat 2.1.1 Indikator 2.1.1.", "–"),
    ]


# --- The model ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported_by", "formula", "source"),
    [
        (Reporter.PORTAL, "", ""),
        (Reporter.PORTAL, Formula.PER_PUPIL, ""),
        (Reporter.PORTAL, Formula.PLANS_ADOPTED, "2.1.1"),
        (Reporter.SCHOOL, Formula.PLANS_ADOPTED, ""),
        (Reporter.COMMITTEE, "", "2.1.1"),
    ],
)
def test_the_database_refuses_a_computed_indicator_without_its_formula_and_source(db, reported_by, formula, source):
    goal = Goal.objects.get(focus_area__strategy=followup_strategy(), number="1.1")
    indicator = Indicator(
        goal=goal,
        code="Y",
        name="Y",
        unit=IndicatorUnit.PERCENT,
        reported_by=reported_by,
        formula=formula,
        source=source,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        indicator.save()


def test_a_committee_cannot_choose_a_computed_indicator_for_its_own(org):
    form = CommitteeIndicatorForm(strategy=org.strategy, committee=org.committee_a)
    assert Reporter.PORTAL not in [value for value, _label in form.fields["reported_by"].choices]


# --- The principal is never asked ---------------------------------------------------------


def test_a_follow_up_never_asks_the_schools_for_a_computed_indicator(city):
    codes = set(CycleIndicator.objects.filter(cycle=city.cycle).values_list("code", flat=True))
    assert codes == {"1.1.1", "1.1.2", "2.1.1", "2.1.2"}
    assert not set(CycleIndicator.objects.for_school(city.school_a).values_list("code", flat=True)) & {
        "P1",
        "P2",
        "P3",
    }


def test_the_principals_form_does_not_show_a_computed_indicator(client, city):
    assessment = SelfAssessment.objects.get(cycle=city.cycle, school=city.school_a)
    SelfAssessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.DRAFT, submitted_at=None)
    client.force_login(city.principal_a)
    page = ""
    for number in (1, 2):
        response = client.get(reverse("followup:assessment_area", args=[assessment.pk, number]))
        assert response.status_code == 200
        page += response.content.decode()
    assert "Indikator 1.1.1" in page
    assert "Indikator 2.1.1" in page
    assert "Beräknad" not in page


# --- Dashboards and the yearly report -----------------------------------------------------


def dashboard_url(cycle, **params):
    return tables.dashboard_url(cycle.pk, **params)


def test_the_city_dashboard_shows_computed_indicators_beside_the_typed_ones(client, city):
    client.force_login(city.analyst)
    response = client.get(dashboard_url(city.cycle))
    board = response.context["board"].build()
    keys = [t.key for t in board.tables]
    assert keys.index("computed_indicators") == keys.index("indicators") + 1
    rows = {row[0]: row for row in board.table("computed_indicators").rows}
    assert rows["P1 Beräknad P1"][1] == "100,0 %"
    assert str(rows["P1 Beräknad P1"][2]) == "66,7 %"
    assert rows["P1 Beräknad P1"][3] == "2 av 3 nämnder har en antagen handlingsplan"
    assert str(rows["P1 Beräknad P1"][4]) == "Ej uppfyllt"
    assert str(rows["P3 Beräknad P3"][2]) == "0,44"
    page = response.content.decode()
    assert '<section id="computed_indicators"' in page
    assert "2 av 3 nämnder har en antagen handlingsplan" in page
    assert "350 (2.1.1 Indikator 2.1.1) ÷ 800 elever, i 3 skolenheter" in page


def test_the_computed_table_downloads_as_csv(client, city):
    client.force_login(city.analyst)
    url = reverse("dashboards:dashboard_csv", args=["computed_indicators"])
    response = client.get(url + "?" + dashboard_url(city.cycle).split("?", 1)[1])
    assert response.status_code == 200
    assert "2 av 4 enheters självvärderingar är godkända" in response.content.decode("utf-8")


def test_a_committee_editor_sees_only_their_committees_computed_figures(client, city):
    client.force_login(city.editor_a)
    response = client.get(dashboard_url(city.cycle, committee=city.committee_a.pk))
    board = response.context["board"].build()
    hows = [row[3] for row in board.table("computed_indicators").rows]
    assert hows == [
        "1 av 1 nämnder har en antagen handlingsplan",
        "1 av 2 enheters självvärderingar är godkända",
        "260 (2.1.1 Indikator 2.1.1) ÷ 500 elever, i 2 skolenheter",
    ]
    page = response.content.decode()
    assert "2 av 3 nämnder" not in page
    assert client.get(dashboard_url(city.cycle, committee=city.committee_b.pk)).status_code == 404


def test_a_strategy_without_computed_indicators_has_no_such_table(client, city):
    Indicator.objects.computed().delete()
    client.force_login(city.analyst)
    board = client.get(dashboard_url(city.cycle)).context["board"].build()
    assert board.table("computed_indicators") is None


def test_the_yearly_report_shows_each_computed_value_with_how_it_was_computed(city):
    document = BoardReport.objects.create(cycle=city.cycle)
    content = content_collect(document=document)
    table = table_from_data(next(t for t in content["tables"] if t["key"] == "computed_indicators"))
    rows = [(str(row[0]), str(row[1]), str(row[4]), row[5]) for row in table.rows]
    assert ("P1 Beräknad P1", "Staden", "66,7 %", "2 av 3 nämnder har en antagen handlingsplan") in rows
    assert ("P1 Beräknad P1", "Nämnd C", "0,0 %", "0 av 1 nämnder har en antagen handlingsplan") in rows
    assert (
        "P3 Beräknad P3",
        "Nämnd B",
        "0,30",
        "90 (2.1.1 Indikator 2.1.1) ÷ 300 elever, i 1 skolenheter",
    ) in rows
    assert str(table.rows[0][3]) == "100,0 %"
    assert any("Indikatorer som portalen beräknar skrivs inte in av någon" in text for text in content["method"])
