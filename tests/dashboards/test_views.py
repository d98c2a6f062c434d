"""The dashboards: the city, a committee and a school unit, their CSV tables, and
choosing answers to quote in the yearly report."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from actionplans.models import Action, ActionPlan
from core import jobs
from dashboards import figures, sections, summaries, tables, tasks
from dashboards.models import Highlight
from followup import services as followup_services
from followup.models import (
    HANDED_IN_STATUSES,
    AreaAnswer,
    AssessmentStatus,
    Cycle,
    IndicatorAnswer,
    SelfAssessment,
)
from schools.models import School, SchoolForm
from strategy.models import Goal
from tests.factories import CommitteeFactory, SchoolFactory, followup_strategy, member, open_cycle

TODAY = timezone.localdate()
THIS_YEAR = TODAY.year
LAST_YEAR = THIS_YEAR - 1
CITY_TABLES = ["completeness", "maturity", "levels", "forms", "trend", "indicators", "actions", "equity"]
COMMITTEE_TABLES = [*CITY_TABLES[:-1], "uncovered", "equity"]
SCHOOL_TABLES = ["completeness", "maturity", "trend", "indicators", "actions", "uncovered"]


def dashboard(**params):
    """The dashboard of the year's follow-up (the one with that year), or a year
    without one, which is not found."""
    year = params.pop("year", THIS_YEAR)
    cycle = Cycle.objects.filter(year=year).first()
    return tables.dashboard_url(cycle.pk if cycle else 999_999, **params)


def csv_url(key, **params):
    return reverse("dashboards:dashboard_csv", args=[key]) + "?" + dashboard(**params).split("?", 1)[1]


def hand_in(cycle, school, levels, *, values=None, status=AssessmentStatus.SUBMITTED, done="Vi har byggt ut nätet."):
    """The school's answers for the year: `levels` per area number (0: does not apply),
    `values` per indicator code; handed in unless `status` says otherwise."""
    assessment = SelfAssessment.objects.get(cycle=cycle, school=school)
    for area in cycle.areas.all():
        level = levels.get(area.number)
        AreaAnswer.objects.create(
            assessment=assessment, area=area, level=level or None, not_applicable=level == 0, done=done
        )
    for code, value in (values or {}).items():
        IndicatorAnswer.objects.create(assessment=assessment, indicator=cycle.indicators.get(code=code), value=value)
    submitted_at = timezone.now() if status in HANDED_IN_STATUSES else None
    SelfAssessment.objects.filter(pk=assessment.pk).update(status=status, submitted_at=submitted_at)
    return assessment


def rows_by_label(table):
    return {str(row[0]): row for row in table.rows}


def board_of(response):
    """The figures of the dashboard the page shows (the page may come rendered from the cache)."""
    assert response.status_code == 200, response
    return response.context["board"].build()


def section(page, key):
    """The HTML of one dashboard table's section."""
    match = re.search(rf'<section id="{key}".*?</section>', page, re.S)
    assert match, key
    return match.group(0)


def table_row(html, label):
    """The <tr> of the row whose first cell is `label`."""
    for row in re.findall(r"<tr>.*?</tr>", html, re.S):
        if re.search(rf"<th scope=\"row\">(<a [^>]*>)?{re.escape(label)}(</a>)?</th>", row):
            return row
    raise AssertionError(f"no row {label!r}")


def read_csv(response):
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.fixture
def dash(org):
    """Two years of follow-up of a strategy with two focus areas.

    Committee A: Skola A (grundskola, band 1). Committee B: Skola B (grundskola,
    band 3) and Förskolan Solen (förskola only, band 4).
    This year everyone has handed in: A 3/4, B 2/3, Solen 3/3 (areas 1/2);
    1.1.1 is 95 % for A and 70 % for B. Last year A 1/1 and B 2/2; Solen did not.
    Committee A has an action plan with one action serving goal 1.1.
    """
    School.objects.filter(pk=org.school_a.pk).update(ses_band=1)
    School.objects.filter(pk=org.school_b.pk).update(ses_band=3)
    solen = SchoolFactory(
        committee=org.committee_b, name="Förskolan Solen", unit_code="33333333", forms=[SchoolForm.PRESCHOOL]
    )
    School.objects.filter(pk=solen.pk).update(ses_band=4)
    strategy = followup_strategy(owner=org.committee_a)
    last = open_cycle(strategy, year=LAST_YEAR)
    hand_in(last, org.school_a, {1: 1, 2: 1})
    hand_in(last, org.school_b, {1: 2, 2: 2})
    cycle = open_cycle(strategy)
    hand_in(cycle, org.school_a, {1: 3, 2: 4}, values={"1.1.1": Decimal("95")})
    hand_in(cycle, org.school_b, {1: 2, 2: 3}, values={"1.1.1": Decimal("70")})
    hand_in(cycle, solen, {1: 3, 2: 3})
    plan = ActionPlan.objects.create(committee=org.committee_a, strategy=strategy, starts_in=LAST_YEAR, ends_in=2030)
    action = Action.objects.create(
        plan=plan, title="Trådlöst nät i alla klassrum", responsible="IT-samordnare", starts_on=TODAY, ends_on=TODAY
    )
    action.goals.set(Goal.objects.filter(focus_area__strategy=strategy, number="1.1"))
    summaries.rebuild(last)
    summaries.rebuild(cycle)
    org.strategy, org.last, org.cycle, org.solen = strategy, last, cycle, solen
    return org


# --- What the city office sees --------------------------------------------------------


def test_the_city_dashboard_shows_every_table_for_the_city_office(client, dash):
    client.force_login(dash.analyst)
    response = client.get(reverse("dashboards:dashboard"))
    board = board_of(response)
    page = response.content.decode()
    assert board.level == "city"
    assert board.cycle == dash.cycle
    assert [t.key for t in board.tables] == CITY_TABLES
    for key in CITY_TABLES:
        assert f'<section id="{key}"' in page
        assert board.table(key).rows, key
        assert f"{reverse('dashboards:dashboard_csv', args=[key])}?" in page
    assert list(rows_by_label(board.table("maturity"))) == ["Nämnd A", "Nämnd B"]
    completeness = rows_by_label(board.table("completeness"))
    assert completeness["Nämnd A"][1] == 1
    assert completeness["Nämnd B"][1] == 2
    assert [str(row[0]) for row in board.table("trend").rows] == [str(LAST_YEAR), str(THIS_YEAR)]
    assert "<svg" in section(page, "completeness")


def test_the_city_means_per_committee_come_from_the_handed_in_levels(client, dash):
    client.force_login(dash.admin)
    board = board_of(client.get(dashboard()))
    maturity = rows_by_label(board.table("maturity"))
    assert [(f.value, f.n) for f in maturity["Nämnd A"][1:]] == [(3.0, 1), (4.0, 1), (3.5, 1)]
    assert [(f.value, f.n) for f in maturity["Nämnd B"][1:]] == [(2.5, 2), (3.0, 2), (2.75, 2)]
    levels = rows_by_label(board.table("levels"))
    # Area 1: one school at level 2, two at level 3, none at 1 or 4.
    assert levels["1. Infrastruktur"][1:5] == [0, 1, 2, 0]


def test_the_year_filter_shows_that_years_figures(client, dash):
    client.force_login(dash.analyst)
    board = board_of(client.get(dashboard(year=LAST_YEAR)))
    assert board.cycle == dash.last
    maturity = rows_by_label(board.table("maturity"))
    assert [f.value for f in maturity["Nämnd A"][1:]] == [1.0, 1.0, 1.0]
    assert [(f.value, f.n) for f in maturity["Nämnd B"][1:]] == [(2.0, 1), (2.0, 1), (2.0, 1)]
    assert [str(row[0]) for row in board.table("trend").rows] == [str(LAST_YEAR)]


def test_an_unknown_year_is_404(client, dash):
    client.force_login(dash.analyst)
    assert client.get(dashboard(year=1999)).status_code == 404


def test_the_school_form_filter_leaves_out_schools_without_that_form(client, dash):
    client.force_login(dash.analyst)
    everything = board_of(client.get(dashboard(committee=dash.committee_b.pk)))
    compulsory = board_of(client.get(dashboard(committee=dash.committee_b.pk, form=SchoolForm.COMPULSORY)))
    labels = list(rows_by_label(everything.table("completeness")))
    assert labels[:2] == ["Förskolan Solen", "Skola B"]
    assert len(labels) == 3  # and the total
    assert list(rows_by_label(compulsory.table("completeness"))) == ["Skola B"]
    assert list(rows_by_label(compulsory.table("maturity"))) == ["Skola B"]
    assert compulsory.form == SchoolForm.COMPULSORY
    # The committee's own distribution counts only Skola B: one school at level 2 in area 1.
    assert rows_by_label(everything.table("levels"))["1. Infrastruktur"][1:5] == [0, 1, 1, 0]
    assert rows_by_label(compulsory.table("levels"))["1. Infrastruktur"][1:5] == [0, 1, 0, 0]


def test_the_school_form_filter_changes_the_city_figures(client, dash):
    client.force_login(dash.analyst)
    everything = rows_by_label(board_of(client.get(dashboard())).table("maturity"))
    compulsory = rows_by_label(board_of(client.get(dashboard(form=SchoolForm.COMPULSORY))).table("maturity"))
    preschool = rows_by_label(board_of(client.get(dashboard(form=SchoolForm.PRESCHOOL))).table("maturity"))
    assert (everything["Nämnd B"][1].value, everything["Nämnd B"][1].n) == (2.5, 2)
    assert (compulsory["Nämnd B"][1].value, compulsory["Nämnd B"][1].n) == (2.0, 1)
    assert list(preschool) == ["Nämnd B"]
    assert (preschool["Nämnd B"][1].value, preschool["Nämnd B"][1].n) == (3.0, 1)


def test_an_unknown_school_form_shows_all_forms(client, dash):
    client.force_login(dash.analyst)
    board = board_of(client.get(dashboard(committee=dash.committee_b.pk) + "&form=hogskola"))
    assert board.form == ""
    assert "Förskolan Solen" in rows_by_label(board.table("completeness"))


# --- Drilling down ------------------------------------------------------------------------


def test_the_city_rows_link_to_the_committee_and_the_committee_rows_to_the_school(client, dash):
    client.force_login(dash.analyst)
    response = client.get(dashboard())
    committee_link = rows_by_label(board_of(response).table("maturity"))["Nämnd B"][0]
    assert committee_link.url == dashboard(committee=dash.committee_b.pk)
    assert f'href="{committee_link.url.replace("&", "&amp;")}"' in response.content.decode()

    response = client.get(committee_link.url)
    board = board_of(response)
    assert (board.level, board.committee) == ("committee", dash.committee_b)
    assert [t.key for t in board.tables] == COMMITTEE_TABLES
    school_link = rows_by_label(board.table("maturity"))["Skola B"][0]
    assert school_link.url == dashboard(school=dash.school_b.pk)
    assert f'href="{school_link.url.replace("&", "&amp;")}"' in response.content.decode()

    board = board_of(client.get(school_link.url))
    assert (board.level, board.school, board.committee) == ("school", dash.school_b, dash.committee_b)
    assert [t.key for t in board.tables] == SCHOOL_TABLES
    compared = rows_by_label(board.table("maturity"))["1. Infrastruktur"]
    assert compared[1].value == 2  # the school's own level
    assert (compared[2].value, compared[2].n) == (2.5, 2)  # committee B
    assert (compared[3].value, compared[3].n) == (8 / 3, 3)  # the city


def test_the_school_dashboard_shows_the_schools_own_trend(client, dash):
    client.force_login(dash.editor_a)
    board = board_of(client.get(dashboard(school=dash.school_a.pk)))
    trend = {row[0]: row[1].value for row in board.table("trend").rows}
    assert trend == {str(LAST_YEAR): 1.0, str(THIS_YEAR): 3.0}


# --- Who sees what ----------------------------------------------------------------------


def test_committee_staff_without_parameters_are_sent_to_their_own_committee(client, dash):
    client.force_login(dash.editor_b)
    response = client.get(reverse("dashboards:dashboard"))
    assert response.status_code == 302
    assert response.url == dashboard(committee=dash.committee_b.pk)
    response = client.get(reverse("dashboards:dashboard") + f"?form={SchoolForm.COMPULSORY}")
    assert response.url == dashboard(committee=dash.committee_b.pk, form=SchoolForm.COMPULSORY)


def test_committee_staff_see_their_own_committee_and_its_schools(client, dash):
    client.force_login(dash.reader_a)
    board = board_of(client.get(dashboard(committee=dash.committee_a.pk)))
    assert list(rows_by_label(board.table("completeness"))) == ["Skola A"]
    assert board_of(client.get(dashboard(school=dash.school_a.pk))).school == dash.school_a


@pytest.mark.parametrize("place", ["committee", "school"])
def test_committee_staff_get_404_for_another_committee_or_its_school(client, dash, place):
    params = {"committee": dash.committee_a.pk} if place == "committee" else {"school": dash.school_a.pk}
    client.force_login(dash.editor_b)
    assert client.get(dashboard(**params)).status_code == 404
    assert client.get(csv_url("completeness", **params)).status_code == 404
    assert client.get(csv_url("maturity", **params)).status_code == 404


def test_a_committee_that_does_not_exist_is_404(client, dash):
    client.force_login(dash.analyst)
    assert client.get(dashboard(committee=999999)).status_code == 404
    assert client.get(dashboard(school=999999)).status_code == 404
    assert client.get(reverse("dashboards:dashboard") + "?committee=abc").status_code == 404


def test_principals_may_not_see_the_dashboards(client, dash):
    client.force_login(dash.principal_a)
    assert client.get(reverse("dashboards:dashboard")).status_code == 403
    assert client.get(dashboard(school=dash.school_a.pk)).status_code == 403
    assert client.get(csv_url("completeness", school=dash.school_a.pk)).status_code == 403


def test_the_dashboard_asks_for_a_login(client, dash):
    response = client.get(dashboard())
    assert response.status_code == 302
    assert reverse("login") in response.url


# --- CSV ----------------------------------------------------------------------------------


def test_the_csv_is_utf8_with_a_bom_semicolons_and_the_tables_header(client, dash):
    client.force_login(dash.analyst)
    response = client.get(csv_url("maturity"))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="maturity-{THIS_YEAR}.csv"'
    rows = read_csv(response)
    expected = figures.city_dashboard(dash.cycle).table("maturity")
    assert rows[0] == expected.columns
    assert [row[0] for row in rows[1:]] == ["Nämnd A", "Nämnd B"]
    assert rows[1] == [str(cell) for cell in expected.rows[0]]


def test_the_csv_of_committee_b_for_its_staff_holds_only_committee_bs_schools(client, dash):
    client.force_login(dash.editor_b)
    response = client.get(csv_url("completeness", committee=dash.committee_b.pk))
    assert f"completeness-{THIS_YEAR}-{dash.committee_b.pk}.csv" in response["Content-Disposition"]
    rows = read_csv(response)
    labels = [row[0] for row in rows[1:]]
    assert labels[:2] == ["Förskolan Solen", "Skola B"]
    assert "Skola A" not in labels
    assert "Skola A" not in response.content.decode()
    assert rows[0] == figures.committee_dashboard(dash.cycle, dash.committee_b).table("completeness").columns


def test_the_csv_follows_the_school_form_filter(client, dash):
    client.force_login(dash.editor_b)
    rows = read_csv(client.get(csv_url("maturity", committee=dash.committee_b.pk, form=SchoolForm.PRESCHOOL)))
    assert [row[0] for row in rows[1:]] == ["Förskolan Solen"]


@pytest.mark.parametrize(
    ("key", "params"),
    [("uncovered", {}), ("equity", {"school": "school_b"}), ("levels", {"school": "school_b"}), ("nonsense", {})],
)
def test_a_table_that_is_not_on_that_level_is_404(client, dash, key, params):
    params = {name: getattr(dash, value).pk for name, value in params.items()}
    client.force_login(dash.analyst)
    assert client.get(csv_url(key, **params)).status_code == 404


def test_every_table_of_each_level_downloads_as_csv(client, dash):
    client.force_login(dash.analyst)
    for keys, params in [
        (CITY_TABLES, {}),
        (COMMITTEE_TABLES, {"committee": dash.committee_a.pk}),
        (SCHOOL_TABLES, {"school": dash.school_a.pk}),
    ]:
        for key in keys:
            assert client.get(csv_url(key, **params)).status_code == 200, (key, params)


# --- Small groups ---------------------------------------------------------------------------


def test_a_mean_of_fewer_schools_than_the_small_group_shows_its_count(client, dash, settings):
    settings.DASHBOARD_SMALL_GROUP = 5
    client.force_login(dash.analyst)
    page = client.get(dashboard()).content.decode()
    row = table_row(section(page, "maturity"), "Nämnd B")
    assert tables.Figure(2.5).text in row
    assert "n = 2" in row
    assert 'class="small-group"' in row
    rows = read_csv(client.get(csv_url("maturity")))
    assert str(tables.Figure(2.5, 2)) in next(r for r in rows if r[0] == "Nämnd B")
    assert "n = 2" in str(tables.Figure(2.5, 2))


def test_a_mean_of_as_many_schools_as_the_small_group_shows_no_count(client, dash, settings):
    settings.DASHBOARD_SMALL_GROUP = 2
    client.force_login(dash.analyst)
    page = client.get(dashboard()).content.decode()
    row = table_row(section(page, "maturity"), "Nämnd B")
    assert tables.Figure(2.5).text in row
    assert "n = 2" not in row
    assert "small-group" not in row
    # Committee A's single school is still below 2: its figures are starred, and the count said once, under the table.
    assert '3,5<span class="small-group">*</span>' in table_row(section(page, "maturity"), "Nämnd A")
    assert section(page, "maturity").count("n = 1") == 1
    rows = read_csv(client.get(csv_url("maturity")))
    assert next(r for r in rows if r[0] == "Nämnd B")[1] == tables.Figure(2.5).text


def test_a_table_whose_small_groups_differ_shows_each_count_in_its_cell(client, dash, settings):
    settings.DASHBOARD_SMALL_GROUP = 5
    client.force_login(dash.analyst)
    html = section(client.get(dashboard()).content.decode(), "maturity")
    # Committee A rests on one school unit, committee B on two: no single count for the table.
    assert "(n = 1)" in table_row(html, "Nämnd A")
    assert "(n = 2)" in table_row(html, "Nämnd B")
    assert "small-group-note" not in html


# --- Queries do not grow with schools or years --------------------------------------------------


def build_city(*, schools: int, years: int, committees: int = 1):
    """A city of `schools` school units spread over `committees` committees, each with an
    action plan, followed up for `years` years; three in four schools hand in each year.
    The summaries are rebuilt. Returns the first committee and school."""
    strategy = followup_strategy()
    made = [CommitteeFactory() for _ in range(committees)]
    forms = [[SchoolForm.COMPULSORY], [SchoolForm.PRESCHOOL], [SchoolForm.COMPULSORY, SchoolForm.LEISURE_CENTRE]]
    units = []
    for i in range(schools):
        unit = SchoolFactory(committee=made[i % committees], forms=forms[i % 3])
        School.objects.filter(pk=unit.pk).update(ses_band=1 + i % 5)
        units.append(unit)
    goal = Goal.objects.filter(focus_area__strategy=strategy).first()
    for committee in made:
        plan = ActionPlan.objects.create(committee=committee, strategy=strategy, starts_in=THIS_YEAR, ends_in=2030)
        action = Action.objects.create(
            plan=plan, title="Fortbildning", responsible="Rektor", starts_on=TODAY, ends_on=TODAY
        )
        action.goals.set([goal])
    cycles = [open_cycle(strategy, year=THIS_YEAR - back) for back in reversed(range(years))]
    now = timezone.now()
    for cycle in cycles:
        areas = list(cycle.areas.all())
        indicators = list(cycle.indicators.all())
        handed_in = [a for i, a in enumerate(cycle.assessments.order_by("pk")) if i % 4 != 3]
        AreaAnswer.objects.bulk_create(
            AreaAnswer(assessment=a, area=area, level=1 + (i + area.number) % 4, done="Nytt nät.")
            for i, a in enumerate(handed_in)
            for area in areas
        )
        IndicatorAnswer.objects.bulk_create(
            IndicatorAnswer(assessment=a, indicator=indicator, value=Decimal(50 + i % 50) if i % 2 else 1)
            for i, a in enumerate(handed_in)
            for indicator in indicators
        )
        SelfAssessment.objects.filter(pk__in=[a.pk for a in handed_in]).update(
            status=AssessmentStatus.SUBMITTED, submitted_at=now
        )
        assert summaries.rebuild(cycle) == schools
    return made[0], units[0]


def query_counts(client, *, schools: int, years: int, committees: int = 1) -> dict[str, int]:
    """The queries of each page for a city of this size; the data is rolled back afterwards."""
    with transaction.atomic():
        committee, school = build_city(schools=schools, years=years, committees=committees)
        client.force_login(member(Role.CITY_ANALYST))
        pages = {
            "city": dashboard(),
            "committee": dashboard(committee=committee.pk),
            "committee, grundskola": dashboard(committee=committee.pk, form=SchoolForm.COMPULSORY),
            "school": dashboard(school=school.pk),
            "csv (city maturity)": csv_url("maturity"),
            "csv (committee completeness)": csv_url("completeness", committee=committee.pk),
        }
        counts = {}
        for name, url in pages.items():
            client.get(url)  # caches that fill once per process (content types, …) are warm
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, name
            counts[name] = len(queries.captured_queries)
        transaction.set_rollback(True)
    return counts


def test_the_number_of_queries_does_not_grow_with_the_number_of_schools(client, db):
    one = query_counts(client, schools=1, years=1)
    fifty = query_counts(client, schools=50, years=1, committees=5)
    print(f"\nqueries with 1 school: {one}\nqueries with 50 schools in 5 committees: {fifty}")
    assert fifty == one


def test_the_number_of_queries_does_not_grow_with_the_number_of_years(client, db):
    one = query_counts(client, schools=3, years=1)
    three = query_counts(client, schools=3, years=3)
    print(f"\nqueries with 1 yearly cycle: {one}\nqueries with 3 yearly cycles: {three}")
    assert three == one


# --- Quotes for the yearly report ----------------------------------------------------------------


def quote_url(assessment, number=1):
    return reverse("dashboards:quote_toggle", args=[assessment.pk, number])


@pytest.fixture
def answered(dash):
    dash.assessment_a = SelfAssessment.objects.get(cycle=dash.cycle, school=dash.school_a)
    dash.answer_a = dash.assessment_a.area_answers.get(area__number=1)
    return dash


def test_the_committees_editor_chooses_an_answer_to_quote_and_unchooses_it(client, answered):
    client.force_login(answered.editor_a)
    response = client.post(quote_url(answered.assessment_a))
    assert response.status_code == 302
    assert response.url == reverse("followup:assessment_detail", args=[answered.assessment_a.pk])
    highlight = Highlight.objects.get()
    assert (highlight.answer, highlight.chosen_by) == (answered.answer_a, answered.editor_a)

    client.post(quote_url(answered.assessment_a))
    assert not Highlight.objects.exists()


def test_the_quote_button_answers_htmx_with_its_new_state(client, answered):
    client.force_login(answered.editor_a)
    response = client.post(quote_url(answered.assessment_a), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert "<html" not in response.content.decode()
    response = client.post(quote_url(answered.assessment_a), HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in response.content.decode()
    assert not Highlight.objects.exists()


def test_the_analyst_may_choose_quotes(client, answered):
    client.force_login(answered.analyst)
    client.post(quote_url(answered.assessment_a, 2))
    assert Highlight.objects.get().answer == answered.assessment_a.area_answers.get(area__number=2)


def test_a_committee_reader_may_not_choose_quotes(client, answered):
    client.force_login(answered.reader_a)
    assert client.post(quote_url(answered.assessment_a)).status_code == 403
    assert not Highlight.objects.exists()


def test_another_committees_editor_gets_404_on_the_quote(client, answered):
    client.force_login(answered.editor_b)
    assert client.post(quote_url(answered.assessment_a)).status_code == 404
    assert not Highlight.objects.exists()


def test_quoting_an_area_without_an_answer_is_404(client, answered):
    assessment = SelfAssessment.objects.get(cycle=answered.cycle, school=answered.school_a)
    AreaAnswer.objects.filter(assessment=assessment, area__number=2).delete()
    client.force_login(answered.editor_a)
    assert client.post(quote_url(assessment, 2)).status_code == 404


def test_the_quote_toggle_takes_only_posts(client, answered):
    client.force_login(answered.editor_a)
    assert client.get(quote_url(answered.assessment_a)).status_code == 405


def test_past_the_deadline_the_schools_not_handed_in_count_as_late(client, dash):
    past = TODAY - datetime.timedelta(days=3)
    Cycle.objects.filter(pk=dash.cycle.pk).update(opens_on=past - datetime.timedelta(days=30), deadline=past)
    SelfAssessment.objects.filter(cycle=dash.cycle, school=dash.solen).update(
        status=AssessmentStatus.DRAFT, submitted_at=None
    )
    dash.cycle.refresh_from_db()
    summaries.rebuild(dash.cycle)
    client.force_login(dash.analyst)
    completeness = rows_by_label(board_of(client.get(dashboard())).table("completeness"))
    assert completeness["Nämnd B"][-1] == 1
    assert completeness["Nämnd A"][-1] == 0


def test_before_any_follow_up_the_dashboard_is_404(client, org):
    client.force_login(org.analyst)
    assert client.get(reverse("dashboards:dashboard")).status_code == 404


def test_a_year_whose_figures_are_not_computed_yet_shows_empty_tables(client, org):
    cycle = open_cycle(followup_strategy())
    client.force_login(org.analyst)
    for url in (dashboard(), dashboard(committee=org.committee_a.pk), dashboard(school=org.school_a.pk)):
        board = board_of(client.get(url))
        assert board.cycle == cycle
        assert board.refreshed_at is None
    assert client.get(csv_url("completeness")).status_code == 200


def test_the_assessment_page_offers_the_quote_button_to_the_committees_editor_only(client, answered):
    page_url = reverse("followup:assessment_detail", args=[answered.assessment_a.pk])
    client.force_login(answered.editor_a)
    assert quote_url(answered.assessment_a) in client.get(page_url).content.decode()
    client.force_login(answered.reader_a)
    assert quote_url(answered.assessment_a) not in client.get(page_url).content.decode()


def test_an_answer_of_an_assessment_not_handed_in_cannot_be_chosen(client, answered):
    """The assessment page offers the button only once the school has handed in; the
    view must refuse it too, or a draft text gets chosen before the school has finished it."""
    SelfAssessment.objects.filter(pk=answered.assessment_a.pk).update(status=AssessmentStatus.DRAFT, submitted_at=None)
    client.force_login(answered.editor_a)
    client.post(quote_url(answered.assessment_a))
    assert not Highlight.objects.exists()


# --- The rendered dashboard is cached until the summaries change ----------------------------


def test_a_cached_dashboard_shows_a_return_as_soon_as_the_summaries_are_refreshed(
    client, dash, django_capture_on_commit_callbacks
):
    client.force_login(dash.editor_b)
    url = dashboard(committee=dash.committee_b.pk)
    before = table_row(section(client.get(url).content.decode(), "completeness"), "Skola B")
    assert client.get(url).content.decode().count("Skola B") >= 1  # served from the cache
    assessment = SelfAssessment.objects.get(cycle=dash.cycle, school=dash.school_b)
    with django_capture_on_commit_callbacks(execute=True):
        followup_services.assessment_return(assessment=assessment, user=dash.editor_b, reason="Mer konkret.")
    after = table_row(section(client.get(url).content.decode(), "completeness"), "Skola B")
    assert before != after
    cells = re.findall(r"<td[^>]*>(.*?)</td>", after)
    # One row per school unit: no column of units, which would say 1 on every row.
    assert cells[:5] == ["0", "0", "1", "0", "0"]  # not started, draft, returned, submitted, approved


def test_the_same_dashboard_is_not_built_twice_while_the_summaries_are_unchanged(client, dash, monkeypatch):
    client.force_login(dash.analyst)
    client.get(dashboard())
    built = []
    monkeypatch.setattr(figures, "city_dashboard", lambda *a, **k: built.append(1))
    assert client.get(dashboard()).status_code == 200
    assert built == []


def test_the_refresh_draws_the_city_dashboard_before_anyone_looks(client, dash, monkeypatch, settings):
    client.force_login(dash.analyst)
    before = section(client.get(dashboard()).content.decode(), "completeness")
    assessment = SelfAssessment.objects.get(cycle=dash.cycle, school=dash.school_b)
    followup_services.assessment_return(assessment=assessment, user=dash.editor_b, reason="Mer konkret.")
    tasks.refresh_summaries(dash.cycle.pk)  # what the worker does once the return is committed
    built = []
    monkeypatch.setattr(figures, "city_dashboard", lambda *a, **k: built.append(1))
    client.force_login(dash.analyst)
    warm = {}
    for language in ("sv", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        warm[language] = section(client.get(dashboard()).content.decode(), "completeness")
    assert built == []
    monkeypatch.undo()
    cache.clear()
    client.force_login(dash.analyst)
    for language in ("sv", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert section(client.get(dashboard()).content.decode(), "completeness") == warm[language]
    assert warm["sv"] != before  # the return is counted
    assert "Completeness" in warm["en"]


def test_the_sweep_draws_the_city_dashboard_again_once_its_drawing_has_expired(dash):
    assert sections.city_dashboards_warm() == 2  # Swedish and English
    assert sections.city_dashboards_warm() == 0
    cache.clear()  # as when the drawing's minute is up
    assert jobs.sweep()["dashboards"] == 1
    assert sections.city_dashboards_warm() == 0


def test_the_committee_filter_offers_every_committee_with_the_one_shown_selected(client, dash):
    Committee = type(dash.committee_b)
    Committee.objects.filter(pk=dash.committee_b.pk).update(name="Nämnd <B> & co")
    summaries.rebuild(dash.cycle)  # the names the filter offers come with the summary
    client.force_login(dash.analyst)
    page = client.get(dashboard(committee=dash.committee_b.pk)).content.decode()
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', page.split('id="filter-committee"')[1])
    assert sorted((int(pk), bool(selected), name) for pk, selected, name in options if pk) == [
        (dash.committee_a.pk, False, "Nämnd A"),
        (dash.committee_b.pk, True, "Nämnd &lt;B&gt; &amp; co"),
    ]


@pytest.mark.parametrize(
    "query",
    [
        *("cycle=99999999999999999999999", "year=99999999999999999999", "cycle=x", "year=２０２６", "cycle=²"),
        *("cycle=-1", "school=²", "committee=²", "school=99999999999999999999999", "committee=1e3"),
    ],
)
def test_a_follow_up_that_cannot_exist_is_not_found(client, dash, query):
    client.force_login(dash.analyst)
    assert client.get(f"{reverse('dashboards:dashboard')}?{query}").status_code == 404


# --- The follow-up pages count from the summaries ---------------------------------------------


def test_the_follow_up_list_counts_what_each_user_sees_from_the_summaries(client, dash):
    client.force_login(dash.analyst)
    cycles = {c.year: c for c in client.get(reverse("followup:cycle_list")).context["cycles"]}
    assert (cycles[THIS_YEAR].handed_in, cycles[THIS_YEAR].total) == (3, 3)
    assert (cycles[LAST_YEAR].handed_in, cycles[LAST_YEAR].total) == (2, 3)
    client.force_login(dash.editor_b)
    cycles = {c.year: c for c in client.get(reverse("followup:cycle_list")).context["cycles"]}
    assert (cycles[THIS_YEAR].handed_in, cycles[THIS_YEAR].total) == (2, 2)


def test_the_city_offices_counts_are_read_once_and_follow_a_return_at_once(
    client, dash, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    def this_year():
        cycles = {c.year: c for c in client.get(reverse("followup:cycle_list")).context["cycles"]}
        return cycles[THIS_YEAR].handed_in, cycles[THIS_YEAR].total

    client.force_login(dash.analyst)
    assert this_year() == (3, 3)
    with django_assert_max_num_queries(20) as counted:
        assert this_year() == (3, 3)
    assert not any("GROUP BY" in q["sql"] for q in counted.captured_queries)
    assessment = SelfAssessment.objects.get(cycle=dash.cycle, school=dash.school_b)
    with django_capture_on_commit_callbacks(execute=True):
        followup_services.assessment_return(assessment=assessment, user=dash.editor_b, reason="Mer konkret.")
    assert this_year() == (2, 3)


def test_who_has_handed_in_is_shown_fifty_units_a_page(client, dash):
    for n in range(60):
        SchoolFactory(committee=dash.committee_a, name=f"Enhet {n:02d}")
    extra = open_cycle(dash.strategy, year=THIS_YEAR + 1)
    summaries.rebuild(extra)
    client.force_login(dash.analyst)
    first = client.get(reverse("followup:cycle_detail", args=[extra.pk]))
    second = client.get(reverse("followup:cycle_detail", args=[extra.pk]) + "?page=2")
    assert len(first.context["assessments"]) == 50
    assert len(second.context["assessments"]) == 63 - 50
    assert 'aria-current="page"' in second.content.decode()
    counts = {value: n for value, _label, n in first.context["counts"]}
    assert counts["not_started"] == 63


def test_the_city_dashboard_opens_with_its_headline_figures(client, dash):
    client.force_login(dash.analyst)
    page = client.get(dashboard()).content.decode()
    headline = re.search(r'<ul class="headline-figures">.*?</ul>', page, re.S).group(0)
    figures = re.findall(
        r'<span class="figure-label">(.*?)</span> <span class="figure-value">(.*?)</span> '
        r'<span class="figure-change">(.*?)</span>',
        headline,
    )
    assert [label for label, _v, _n in figures] == [
        "Inlämnade",
        "I tid",
        "Medelvärde för mognadsnivå",
        "Indikatorer som når målvärdet",
    ]
    assert figures[0][1:] == ("3 / 3", "100 % av skolenheterna")
    assert figures[2][1:] == ("3,0", f"+1,5 sedan {THIS_YEAR - 1}")
    # The figures come before the first table.
    assert page.index("headline-figures") < page.index('<section id="completeness"')


def test_a_dashboard_table_is_a_region_named_apart_from_its_section_and_says_it_scrolls(client, dash):
    client.force_login(dash.analyst)
    html = section(client.get(dashboard()).content.decode(), "completeness")
    assert 'aria-labelledby="completeness-heading"' in html  # the section
    assert 'role="region" aria-label="Tabell: Inlämning" aria-describedby="completeness-scroll"' in html
    assert '<p class="table-scroll-hint" id="completeness-scroll">Tabellen är bredare än skärmen' in html


def test_charts_keep_their_labels_whole_and_maturity_levels_run_light_to_dark(client, dash):
    from dashboards import charts
    from dashboards.tables import MATURITY_RAMP, Chart, maturity_colours

    label = "Infrastruktur för ökad tillgänglighet i alla verksamheter"
    chart = Chart("stacked", [label], [("1", [1]), ("2", [2]), ("3", [0]), ("4", [5])], palette=maturity_colours(4))
    drawing = str(charts.svg(chart))
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", drawing)
    assert " ".join(lines) == label  # whole, over as many lines as it needs
    assert maturity_colours(4) == [MATURITY_RAMP[0], MATURITY_RAMP[1], MATURITY_RAMP[3], MATURITY_RAMP[4]]
    assert drawing.index(MATURITY_RAMP[0]) < drawing.index(MATURITY_RAMP[1]) < drawing.index(MATURITY_RAMP[4])


def test_on_a_phone_a_chart_is_also_a_plain_list(client, dash):
    client.force_login(dash.analyst)
    html = section(client.get(dashboard()).content.decode(), "completeness")
    items = re.findall(r"<li><strong>(.*?)</strong>: (.*?)</li>", html)
    values = dict(items)
    # Committee A's one school unit has handed in: its status and the count, in words.
    assert re.fullmatch(r"[A-ZÅÄÖ][a-zåäö ]+ 1", values["Nämnd A"]), values
