"""The executive board's yearly report as a document the city office writes:
texts with autosave and history, a status from draft to sent, figures frozen
when it is made final, and files a board and a registry can accept."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from actionplans.models import Action, ActionPlan, ActionStatus, IndicatorValue, PeriodKind, PeriodReport, ReportPeriod
from core.pdf import PDF_ARCHIVAL
from dashboards import charts, reports, summaries
from dashboards.models import BoardReport, BoardReportAnalysis, DocumentStatus, ReportStatus, YearlyReport
from dashboards.report_content import content_collect, content_for
from dashboards.tables import Chart
from devtools import scale
from followup.models import Cycle
from schools.models import Committee, School
from strategy.models import Indicator
from tests.dashboards import report_checks as check
from tests.dashboards.report_checks import words
from tests.dashboards.test_reports import QUOTE, hand_in, quote
from tests.factories import SchoolFactory, followup_strategy, open_cycle

TODAY = timezone.localdate()


@pytest.fixture
def city(org, settings, tmp_path):
    """This year's follow-up: Skola A (committee A, 300 pupils) at levels 3 and 4,
    Skola B (committee B, 100 pupils) at 2 and 2, Skola C (committee B) not handed
    in. Committee A has an action plan; committee B has none."""
    settings.MEDIA_ROOT = tmp_path
    School.objects.filter(pk=org.school_a.pk).update(pupil_count=300)
    School.objects.filter(pk=org.school_b.pk).update(pupil_count=100)
    org.school_c = SchoolFactory(committee=org.committee_b, name="Skola C", unit_code="33333333")
    strategy = followup_strategy(owner=org.committee_a)
    cycle = open_cycle(strategy)
    quote(hand_in(cycle, org.school_a, {1: 3, 2: 4}, done=QUOTE))
    hand_in(cycle, org.school_b, {1: 2, 2: 2})
    org.plan = ActionPlan.objects.create(
        committee=org.committee_a, strategy=strategy, starts_in=TODAY.year - 1, ends_in=2030
    )
    Action.objects.create(plan=org.plan, title="Egen dator", responsible="Rektor", starts_on=TODAY, ends_on=TODAY)
    summaries.rebuild(cycle)
    org.cycle, org.strategy, org.media = cycle, strategy, tmp_path
    return org


def lock(cycle):
    past = TODAY - datetime.timedelta(days=1)
    Cycle.objects.filter(pk=cycle.pk).update(
        opens_on=past - datetime.timedelta(days=60), deadline=past - datetime.timedelta(days=30), locks_on=past
    )
    cycle.refresh_from_db()


def page_url(city):
    return reverse("dashboards:board_report", args=[city.cycle.year])


def form_data(document, **changes):
    data = {
        "version": document.version,
        "registry_number": document.registry_number,
        "author": document.author,
        "decision_date": "",
        "summary": document.summary,
        "proposed_decision": document.proposed_decision,
        "committees_account": document.committees_account,
        "area_1": "",
        "area_2": "",
    }
    data.update(changes)
    return data


def build(city):
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    assert reports.report_build(report_id=report.pk) == "built"
    report.refresh_from_db()
    return report


def read(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


# --- Writing -----------------------------------------------------------------------------------


def test_the_city_office_writes_the_report_and_autosave_keeps_it_with_its_history(client, city):
    client.force_login(city.analyst)
    page = client.get(page_url(city))
    assert page.status_code == 200
    assert "data-autosave" in page.content.decode()
    document = BoardReport.objects.get(cycle=city.cycle)
    assert document.status == DocumentStatus.DRAFT

    response = client.post(
        page_url(city),
        form_data(document, registry_number="KS 2026/17", summary="Allt fler skolor.", area_1="Nätet är utbyggt."),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-autosave-state="saved"' in response.content.decode()
    document.refresh_from_db()
    assert (document.registry_number, document.summary, document.version) == ("KS 2026/17", "Allt fler skolor.", 1)
    assert BoardReportAnalysis.objects.get(report=document, area_number=1).text == "Nätet är utbyggt."
    assert not BoardReportAnalysis.objects.filter(report=document, area_number=2).exists()

    client.post(page_url(city), form_data(document, area_1="Nätet är utbyggt överallt."), HTTP_HX_REQUEST="true")
    history = client.get(reverse("dashboards:board_report_history", args=[city.cycle.year])).content.decode()
    assert "KS 2026/17" in history
    assert "Nätet är utbyggt överallt." in history
    assert "Analys: 1. Infrastruktur" in history
    assert str(city.analyst) in history


def test_a_save_from_an_old_version_is_a_conflict_and_nothing_is_written(client, city):
    client.force_login(city.analyst)
    client.get(page_url(city))
    document = BoardReport.objects.get(cycle=city.cycle)
    client.post(page_url(city), form_data(document, summary="Först."), HTTP_HX_REQUEST="true")
    response = client.post(page_url(city), form_data(document, summary="Sent."), HTTP_HX_REQUEST="true")
    assert "data-conflict" in response.content.decode()
    document.refresh_from_db()
    assert document.summary == "Först."


def test_a_bad_date_is_said_and_nothing_is_saved(client, city):
    client.force_login(city.analyst)
    client.get(page_url(city))
    document = BoardReport.objects.get(cycle=city.cycle)
    response = client.post(
        page_url(city), form_data(document, summary="Ny text", decision_date="31/31"), HTTP_HX_REQUEST="true"
    )
    assert "Inte sparat" in response.content.decode()
    document.refresh_from_db()
    assert (document.summary, document.version) == ("", 0)


# --- Status ----------------------------------------------------------------------------------------


def set_status(client, city, status):
    return client.post(reverse("dashboards:board_report_status", args=[city.cycle.year]), {"status": status})


def test_the_report_cannot_be_made_final_while_the_follow_up_is_open_or_without_registry_number(client, city):
    client.force_login(city.analyst)
    document = reports.document_for(cycle=city.cycle)
    page = client.get(set_status(client, city, "final").url).content.decode()
    assert "Fyll i innan rapporten blir slutlig: diarienummer, författare." in page
    BoardReport.objects.filter(pk=document.pk).update(registry_number="KS 2026/17", author="Anna Analytiker")
    page = client.get(set_status(client, city, "final").url).content.decode()
    assert "Uppföljningen låses inte förrän efter" in page
    document.refresh_from_db()
    assert (document.status, document.snapshot) == (DocumentStatus.DRAFT, None)
    page = client.get(set_status(client, city, "sent").url).content.decode()
    assert "kan inte bli skickad till kommunstyrelsen" in page


@pytest.mark.slow
def test_a_final_report_is_frozen_and_rebuilt_identically_whatever_changes_afterwards(client, city):
    lock(city.cycle)
    client.force_login(city.analyst)
    client.get(page_url(city))
    document = BoardReport.objects.get(cycle=city.cycle)
    client.post(
        page_url(city),
        form_data(document, registry_number="KS 2026/17", author="Anna Analytiker", summary="Sammanfattat."),
    )
    assert set_status(client, city, "final").status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.FINAL
    assert document.snapshot["document"]["summary"] == "Sammanfattat."
    first = build(city)
    assert first.document_status == DocumentStatus.FINAL
    assert not first.preliminary

    # A year later: a school's answers, a committee's name, the pupils and the plan have changed.
    Committee.objects.filter(pk=city.committee_a.pk).update(name="Nämnd Omdöpt")
    School.objects.filter(pk=city.school_a.pk).update(pupil_count=5)
    city.school_a.assessments.get().area_answers.update(level=1)
    summaries.rebuild(city.cycle)
    Action.objects.update(status=ActionStatus.DONE)
    response = client.post(page_url(city), form_data(document, summary="Ändrat i efterhand."))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.summary == "Sammanfattat."
    assert set_status(client, city, "sent").status_code == 302
    again = build(city)

    for field in ("xlsx", "docx", "pdf", "archival_pdf"):
        assert read(getattr(again, field)) == read(getattr(first, field)), field
    text = " ".join(check.pdf_pages(read(again.pdf)))
    assert "Nämnd A" in text
    assert "Nämnd Omdöpt" not in text
    assert "Sammanfattat." in text
    assert "PRELIMINÄR" not in text
    # The live figures have moved on: the frozen report is not what the data says now.
    with translation.override("sv"):
        assert content_collect(document=document)["tables"] != document.snapshot["tables"]


def test_made_preliminary_again_the_report_drops_its_frozen_figures(city):
    lock(city.cycle)
    document = reports.document_for(cycle=city.cycle)
    BoardReport.objects.filter(pk=document.pk).update(registry_number="KS 2026/17", author="Anna")
    reports.document_set_status(document=document, status=DocumentStatus.FINAL, user=city.analyst)
    document = reports.document_set_status(document=document, status=DocumentStatus.PRELIMINARY, user=city.analyst)
    assert (document.snapshot, document.finalised_at) == (None, None)
    with pytest.raises(reports.ReportError):
        reports.document_set_status(document=document, status=DocumentStatus.SENT, user=city.analyst)


def test_others_than_the_city_office_cannot_write_the_report(client, city):
    for person in (city.editor_a, city.principal_a, city.reader_a):
        client.force_login(person)
        assert client.get(page_url(city)).status_code == 403
        assert client.post(page_url(city), {"summary": "x", "version": 0}).status_code == 403
        assert set_status(client, city, "preliminary").status_code == 403
    assert not BoardReport.objects.exclude(summary="").exists()


# --- Content ----------------------------------------------------------------------------------------


def content_of(city) -> dict:
    with translation.override("sv"):
        return content_collect(document=reports.document_for(cycle=city.cycle))


def table(content, key) -> dict:
    return next(t for t in content["tables"] if t["key"] == key)


def test_means_are_given_per_school_and_weighted_by_pupils_with_the_method_stated(city):
    content = content_of(city)
    rows = {row[0]: row for row in table(content, "weighted")["rows"]}
    area_1 = rows["1. Infrastruktur"]
    assert area_1[1]["f"] == pytest.approx(2.5)  # (3 + 2) / 2
    assert area_1[2] == 2
    assert area_1[3]["f"] == pytest.approx(2.75)  # (300·3 + 100·2) / 400
    assert area_1[4] == 400
    method = " ".join(content["method"])
    assert "viktat med elever" in method
    assert "2 av 2" in method


def test_every_committee_is_listed_with_its_plan_or_no_plan_and_the_status_of_the_reports_year(city):
    last_year = open_cycle(city.strategy, year=TODAY.year - 1)
    action = Action.objects.get()
    action.history.update(history_date=timezone.make_aware(datetime.datetime(TODAY.year - 1, 6, 1)))
    action.status = ActionStatus.DONE
    action.save()  # done this year, planned at the end of last year
    with translation.override("sv"):
        this_year = {r[0]: r for r in table(content_of(city), "plans")["rows"]}
        before = {
            r[0]: r for r in table(content_collect(document=reports.document_for(cycle=last_year)), "plans")["rows"]
        }
    columns = table(content_of(city), "plans")["columns"]
    planned, done = columns.index("Planerad"), columns.index("Genomförd")
    assert (this_year["Nämnd A"][planned], this_year["Nämnd A"][done]) == (0, 1)
    assert (before["Nämnd A"][planned], before["Nämnd A"][done]) == (1, 0)
    assert this_year["Nämnd B"][1] == "ingen handlingsplan"


def test_committee_reported_indicators_are_in_the_report(city):
    indicator = Indicator.objects.get(code="1.2.9")
    period = ReportPeriod.objects.create(year=TODAY.year, kind=PeriodKind.T1, deadline=TODAY)
    report = PeriodReport.objects.create(plan=city.plan, period=period)
    IndicatorValue.objects.create(report=report, indicator=indicator, value=Decimal("42"))
    rows = table(content_of(city), "committee_indicators")["rows"]
    found = [r for r in rows if r[0].startswith("1.2.9")]
    assert found[0][1] == "Nämnd A"
    assert found[0][4]["f"] == 42.0


# --- Files ------------------------------------------------------------------------------------------------


def check_files(content: dict, name: str) -> None:
    """Every check of the issue on the files built from `content`, and a picture of each."""
    with translation.override("sv"):
        pdf = reports.build_pdf(content)
        archival = reports.build_pdf(content, variant=PDF_ARCHIVAL)
        workbook = reports.build_workbook(content)
        word = reports.build_docx(content)
    # The pictures first, so that a failing check leaves them to look at.
    check.render_png(pdf, f"{name}-pdf", ".pdf")
    check.render_png(workbook, f"{name}-xlsx", ".xlsx")
    check.render_png(word, f"{name}-docx", ".docx")
    pages = check.pdf_pages(pdf)
    assert check.check_pdf_tables(pdf, content) >= len([t for t in content["tables"] if t["rows"]])
    check.check_table_of_contents(pages)
    check.check_tagged(pdf)
    check.check_archival(archival)
    if not content["locked"]:
        assert all("PRELIMINÄR" in page for page in pages)
    text = " ".join(pages)
    assert "Förslag till beslut" in text
    for data in content["tables"]:
        assert data["title"] in words(text), data["title"]
    check.check_workbook(workbook, content)
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "0072B2" in chart  # the portal's first colour
    check.check_docx(word, content)


@pytest.mark.slow
def test_the_files_of_a_small_city_pass_every_check(city):
    content = content_of(city)
    check_files(content, "yearly-report-small")
    assert table(content, "plans")["rows"][1][1] == "ingen handlingsplan"


@pytest.mark.slow
def test_the_files_of_the_demo_city_pass_every_check(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    cycle = Cycle.objects.order_by("-year").first()
    document = reports.document_for(cycle=cycle)
    BoardReport.objects.filter(pk=document.pk).update(
        summary="Arbetet går framåt.\n\nFler enheter har nått nivå 3.", proposed_decision="Rapporten godkänns."
    )
    with translation.override("sv"):
        content = content_for(reports.document_for(cycle=cycle))
    assert not content["locked"]
    check_files(content, "yearly-report-demo")


@pytest.mark.slow
def test_the_files_of_a_city_of_300_schools_pass_every_check(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scale.generate(scale.Scale(committees=6, schools_per_committee=50, years=2), say=lambda text: None)
    assert School.objects.count() == 300
    cycle = Cycle.objects.order_by("-year").first()
    with translation.override("sv"):
        content = content_for(reports.document_for(cycle=cycle))
    plans = table(content, "plans")["rows"]
    # Every committee, after the city office, whose strategy has city goals and no plan of its own here.
    assert [row[0] for row in plans][:1] == ["Stadsledningskontoret"]
    assert len(plans) == 1 + 6
    check_files(content, "yearly-report-300")


# --- The build ------------------------------------------------------------------------------------------


def test_the_worker_builds_all_four_files_and_a_preliminary_report_says_so(client, city):
    report = build(city)
    assert report.status == ReportStatus.DONE
    assert report.preliminary
    assert report.document_status == DocumentStatus.DRAFT
    client.force_login(city.analyst)
    for name in ("report_pdf", "report_archival_pdf", "report_xlsx", "report_docx"):
        response = client.get(reverse(f"dashboards:{name}", args=[report.pk]))
        assert response.status_code == 200, name
    page = client.get(reverse("dashboards:report_detail", args=[report.pk])).content.decode()
    assert "preliminära" in page
    assert YearlyReport.objects.count() == 1


# --- Charts ---------------------------------------------------------------------------------------------------


def test_a_charts_long_labels_are_written_in_full_and_its_legend_follows_the_columns(city):
    content = content_of(city)
    completeness = next(t for t in content["tables"] if t["key"] == "completeness")
    chart = completeness["chart"]
    statuses = [name for name, _values in chart["series"]]
    columns = completeness["columns"]
    assert [columns.index(name) for name in statuses] == sorted(columns.index(name) for name in statuses)

    long_label = "1. Infrastruktur för ökad tillgänglighet i alla verksamheter och lokaler"
    drawing = str(charts.svg(Chart(kind="stacked", labels=[long_label], series=[("Inlämnad", [3])])))
    assert "…" not in drawing
    for word in long_label.split():
        assert word in drawing
