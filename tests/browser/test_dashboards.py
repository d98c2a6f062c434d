"""The city analyst reads the dashboards, drills down and builds the yearly report, in the browser."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from actionplans.models import Action, ActionPlan, ActionStatus, PlanStatus
from dashboards import summaries
from dashboards.models import Highlight
from followup import services
from followup.models import AreaAnswer
from schools.models import SchoolForm
from strategy.models import Goal, IndicatorUnit
from tests.browser.helpers import assert_accessible, log_in
from tests.factories import CommitteeFactory, SchoolFactory, followup_strategy, member, open_cycle

pytestmark = pytest.mark.browser

SAMPLE = {
    IndicatorUnit.PERCENT: Decimal("85"),
    IndicatorUnit.YES_NO: Decimal("1"),
    IndicatorUnit.COUNT: Decimal("3"),
    IndicatorUnit.RATIO: Decimal("0.5"),
}


def hand_in(assessment, user, levels: tuple[int, int], *, reviewer=None) -> None:
    """Answer both areas as the principal, submit, and approve when a reviewer is given."""
    for area, level in zip(assessment.cycle.areas.all(), levels, strict=True):
        data = services.AreaInput(
            level=level,
            done=f"Trådlöst nät och lärplattform på {assessment.school.name}.",
            strengths="Engagerade it-ombud i arbetslagen.",
            next_steps="Fortbildning i formativ bedömning.",
            indicator_values={i.pk: SAMPLE[i.unit] for i in area.indicators.for_school(assessment.school)},
        )
        version = services.area_answer_for(assessment, area).version
        result = services.area_answer_save(assessment=assessment, area=area, data=data, version=version, user=user)
        assert not result.conflict
    assert services.assessment_submit(assessment=assessment, user=user) is True
    if reviewer is not None:
        services.assessment_approve(assessment=assessment, user=reviewer, comment="Tack.")


@pytest.fixture
def city(db):
    """Two committees with three schools each (several school forms and
    socio-economic bands), last year's follow-up all approved and this year's
    mostly handed in, an action plan, a quoted answer and a city analyst."""
    this_year = timezone.localdate().year
    admin = member(Role.CITY_ADMIN, email="admin@example.se")
    strategy = followup_strategy(title="It-strategi för lärande")
    north = CommitteeFactory(code="NORR", name="Nämnd Norr")
    south = CommitteeFactory(code="SODER", name="Nämnd Söder")
    schools = {}
    for committee, name, code, band, forms in (
        (north, "Björkskolan", "31000001", 2, [SchoolForm.PRESCHOOL_CLASS, SchoolForm.COMPULSORY]),
        (north, "Ekskolan", "31000002", 4, [SchoolForm.COMPULSORY]),
        (north, "Lärkans förskola", "31000003", 1, [SchoolForm.PRESCHOOL]),
        (south, "Stjärnskolan", "32000001", 5, [SchoolForm.COMPULSORY]),
        (south, "Solgymnasiet", "32000002", 3, [SchoolForm.UPPER_SECONDARY]),
        (south, "Tallens förskola", "32000003", 3, [SchoolForm.PRESCHOOL]),
    ):
        schools[name] = SchoolFactory(committee=committee, name=name, unit_code=code, ses_band=band, forms=forms)
    principals = {
        name: member(Role.PRINCIPAL, school=school, email=f"rektor.{school.unit_code}@example.se")
        for name, school in schools.items()
    }

    last_cycle = open_cycle(strategy, year=this_year - 1, user=admin)
    for index, assessment in enumerate(last_cycle.assessments.select_related("school").order_by("school__unit_code")):
        hand_in(assessment, principals[assessment.school.name], (1 + index % 2, 2), reviewer=admin)

    cycle = open_cycle(strategy, user=admin)
    this_year_levels = {
        "Björkskolan": ((3, 3), True),
        "Ekskolan": ((2, 3), False),
        "Lärkans förskola": ((4, 2), True),
        "Stjärnskolan": ((2, 1), True),
        "Solgymnasiet": ((3, 4), False),
    }  # Tallens förskola has not started
    for name, (levels, approve) in this_year_levels.items():
        hand_in(
            cycle.assessments.get(school=schools[name]), principals[name], levels, reviewer=admin if approve else None
        )

    plan = ActionPlan.objects.create(
        committee=north,
        strategy=strategy,
        starts_in=this_year - 1,
        ends_in=this_year + 2,
        status=PlanStatus.ADOPTED,
        decided_on=datetime.date(this_year - 1, 3, 20),
    )
    today = timezone.localdate()
    for title, numbers, status in (
        ("Trådlöst nät i alla klassrum", ["1.1"], ActionStatus.ONGOING),
        ("Fortbildning i digitala verktyg", ["2.1"], ActionStatus.DONE),
    ):
        action = Action.objects.create(
            plan=plan, title=title, responsible="IT-samordnare", starts_on=today, ends_on=today, status=status
        )
        action.goals.set(Goal.objects.filter(focus_area__strategy=strategy, number__in=numbers))
    quoted = AreaAnswer.objects.get(assessment__cycle=cycle, assessment__school=schools["Björkskolan"], area__number=1)
    Highlight.objects.create(answer=quoted, chosen_by=admin)

    for each in (last_cycle, cycle):
        summaries.rebuild(each)
    return SimpleNamespace(
        analyst=member(Role.CITY_ANALYST, email="analytiker@example.se"),
        cycle=cycle,
        last_cycle=last_cycle,
        north=north,
        schools=schools,
    )


@pytest.fixture
def media(settings, tmp_path):
    """The yearly report's files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_analyst_drills_down_downloads_a_table_and_builds_the_yearly_report(
    page: Page, live_server, city, media, tmp_path
):
    year = city.cycle.year
    log_in(page, live_server.url, city.analyst.email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Översikt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Översikt {year}: hela staden")
    completeness = page.get_by_role("table", name="Inlämning")
    expect(completeness.get_by_role("link", name="Nämnd Norr")).to_be_visible()
    expect(completeness.get_by_role("link", name="Nämnd Söder")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Skolform", exact=True).select_option(label="Grundskola")
    page.get_by_role("button", name="Visa", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]form=grundskola(&|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Översikt {year}: hela staden (Grundskola)")
    expect(page.get_by_label("Skolform", exact=True)).to_have_value("grundskola")
    assert_accessible(page)

    completeness.get_by_role("link", name="Nämnd Norr").click()
    expect(page).to_have_url(re.compile(rf"[?&]committee={city.north.pk}(&|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Översikt {year}: Nämnd Norr (Grundskola)")
    breadcrumb = page.get_by_role("navigation", name="Brödsmulor")
    expect(breadcrumb.get_by_role("link", name="Hela staden")).to_be_visible()
    expect(breadcrumb).to_contain_text("Nämnd Norr")
    # Only the committee's schools with the chosen school form.
    expect(completeness.get_by_role("link", name="Björkskolan")).to_be_visible()
    expect(completeness.get_by_role("link", name="Ekskolan")).to_be_visible()
    expect(completeness).not_to_contain_text("Lärkans förskola")
    expect(completeness).not_to_contain_text("Stjärnskolan")
    assert_accessible(page)

    completeness.get_by_role("link", name="Björkskolan").click()
    expect(page).to_have_url(re.compile(rf"[?&]school={city.schools['Björkskolan'].pk}(&|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Översikt {year}: Björkskolan")
    expect(breadcrumb.get_by_role("link", name="Nämnd Norr")).to_be_visible()
    expect(breadcrumb).to_contain_text("Björkskolan")
    headline = page.get_by_role("region", name="Nyckeltal")
    expect(headline.get_by_role("listitem")).to_have_count(4)
    expect(headline.get_by_role("listitem").first).to_contain_text("Status")
    expect(page.get_by_role("table", name="Utveckling")).to_contain_text(str(year - 1))
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Ladda ner som CSV\W*Inlämning$")).click()
    path = tmp_path / "inlamning.csv"
    download.value.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    # One row for the one school unit: no column of units, which would say 1.
    assert lines[0].split(";") == [
        "Skolenhet",
        "Inte påbörjad",
        "Utkast",
        "Återsänd",
        "Inlämnad",
        "Godkänd",
        "Andel inlämnade",
        "I tid",
        "Efter sista dag",
        "Försenade, ej inlämnade",
    ]
    assert lines[1:] == ["Björkskolan;0;0;0;0;1;100 %;1;0;0"]

    page.get_by_role("link", name="Årsrapport till kommunstyrelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Årsrapporter till kommunstyrelsen")
    assert_accessible(page)
    page.get_by_label("Uppföljning", exact=True).select_option(label=f"Uppföljning {year}")
    page.get_by_role("button", name="Bygg årsrapporten").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Årsrapport {year}")
    expect(page.get_by_text("Årsrapporten är klar.")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner PDF-filen").click()
    assert download.value.suggested_filename == f"arsrapport-{year}.pdf"
    pdf_path = tmp_path / "arsrapport.pdf"
    download.value.save_as(pdf_path)
    pdf = pypdf.PdfReader(pdf_path)
    assert len(pdf.pages) >= 1
    assert f"Årsrapport {year}" in pdf.pages[0].extract_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner Excelfilen").click()
    assert download.value.suggested_filename == f"arsrapport-{year}.xlsx"
    xlsx_path = tmp_path / "arsrapport.xlsx"
    download.value.save_as(xlsx_path)
    workbook = openpyxl.load_workbook(xlsx_path)
    assert workbook.sheetnames == [
        "Inlämning",
        "Mognad",
        "Ändring",
        "Viktat med elever",
        "Nivåer",
        "Skolformer",
        "Utveckling",
        "Indikatorer",
        "Nämndernas indikatorer",
        "Handlingsplaner",
        "Likvärdighet",
        "Citat",
        "Källor och metod",
    ]
    assert [workbook["Inlämning"].cell(row, 1).value for row in (5, 6, 7)] == ["Nämnd Norr", "Nämnd Söder", "Totalt"]
    assert workbook["Handlingsplaner"]["A5"].value == "Nämnd Norr"
    assert workbook["Citat"]["B5"].value == "Björkskolan"

    # The city office writes the report's text: saved a moment after typing, kept on reload.
    page.get_by_role("link", name="Rapportens text och status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Kommunstyrelsens årsrapport {year}")
    assert_accessible(page)
    page.get_by_label("Diarienummer").fill("KS 2026/17")
    page.get_by_label("Sammanfattning").fill("Fler enheter har nått nivå 3 i år.")
    expect(page.get_by_role("status").filter(has_text="Sparat")).to_be_visible(timeout=10000)
    assert_accessible(page)
    page.reload()
    expect(page.get_by_label("Sammanfattning")).to_have_value("Fler enheter har nått nivå 3 i år.")
    expect(page.get_by_label("Diarienummer")).to_have_value("KS 2026/17")
    page.get_by_role("button", name="Gör den preliminär").click()
    expect(page.locator("#document-status")).to_have_text("Preliminär")
    page.get_by_role("link", name="Historik").click()
    expect(page.get_by_role("table")).to_contain_text("Fler enheter har nått nivå 3 i år.")
    assert_accessible(page)


def test_the_filters_can_be_used_with_the_keyboard(page: Page, live_server, city):
    log_in(page, live_server.url, city.analyst.email)
    page.goto(f"{live_server.url}/dashboard/")
    year_select = page.get_by_label("Uppföljning", exact=True)
    year_select.focus()
    page.keyboard.press("ArrowDown")  # last year
    expect(year_select).to_have_value(str(city.last_cycle.pk))
    page.keyboard.press("Tab")
    committee_select = page.get_by_label("Nämnd", exact=True)
    expect(committee_select).to_be_focused()
    page.keyboard.press("ArrowDown")  # from the whole city to the first committee
    expect(committee_select).to_have_value(str(city.north.pk))
    page.keyboard.press("Tab")
    form_select = page.get_by_label("Skolform", exact=True)
    expect(form_select).to_be_focused()
    page.keyboard.press("ArrowDown")  # from all school forms to preschool
    expect(form_select).to_have_value("forskola")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Visa", exact=True)).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]form=forskola(&|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Översikt {city.last_cycle.year}: Nämnd Norr (Förskola)")
    completeness = page.get_by_role("table", name="Inlämning")
    expect(completeness.get_by_role("link", name="Lärkans förskola")).to_be_visible()
    expect(completeness).not_to_contain_text("Björkskolan")
