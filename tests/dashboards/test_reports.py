"""The executive board's yearly report: requested by the city office, built by a
worker into an Excel workbook and a PDF, and mailed to the requester once."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from actionplans.models import Action, ActionPlan
from core.pdf import PdfUnavailable
from dashboards import reports, summaries
from dashboards.models import Highlight, ReportStatus, YearlyReport
from dashboards.report_files import sheet_name
from followup.models import HANDED_IN_STATUSES, AreaAnswer, AssessmentStatus, SelfAssessment
from outbox import services as outbox
from outbox.models import Mail, MailStatus
from tests.factories import SchoolFactory, followup_strategy, open_cycle

TODAY = timezone.localdate()
QUOTE = "Alla elever har en egen dator sedan i höstas."
DRAFT_QUOTE = "Ett utkast som ännu inte är inlämnat."


def hand_in(cycle, school, levels, *, status=AssessmentStatus.SUBMITTED, done=""):
    """The school's answers (a level per area number) and its status for the year."""
    assessment = SelfAssessment.objects.get(cycle=cycle, school=school)
    for area in cycle.areas.all():
        AreaAnswer.objects.create(assessment=assessment, area=area, level=levels[area.number], done=done)
    handed_in = status in HANDED_IN_STATUSES
    SelfAssessment.objects.filter(pk=assessment.pk).update(
        status=status, submitted_at=timezone.now() if handed_in else None
    )
    return assessment


def quote(assessment, number=1):
    return Highlight.objects.create(answer=assessment.area_answers.get(area__number=number))


@pytest.fixture
def city(org, settings, tmp_path):
    """This year's follow-up: Skola A (committee A) and Skola B (committee B) have
    handed in, Skola C (committee B) has a draft. One answer of Skola A and one of
    Skola C's draft are chosen to be quoted. Committee A has an action plan."""
    settings.MEDIA_ROOT = tmp_path
    org.school_c = SchoolFactory(committee=org.committee_b, name="Skola C", unit_code="33333333")
    strategy = followup_strategy(owner=org.committee_a)
    cycle = open_cycle(strategy)
    quote(hand_in(cycle, org.school_a, {1: 3, 2: 4}, done=QUOTE))
    hand_in(cycle, org.school_b, {1: 2, 2: 2})
    quote(hand_in(cycle, org.school_c, {1: 1, 2: 1}, status=AssessmentStatus.DRAFT, done=DRAFT_QUOTE))
    plan = ActionPlan.objects.create(committee=org.committee_a, strategy=strategy, starts_in=TODAY.year, ends_in=2030)
    Action.objects.create(plan=plan, title="Egen dator", responsible="Rektor", starts_on=TODAY, ends_on=TODAY)
    summaries.rebuild(cycle)
    org.cycle, org.media = cycle, tmp_path
    return org


def request_report(client, city):
    """The analyst asks for this year's report and the worker builds it (tasks run eagerly)."""
    client.force_login(city.analyst)
    return client.post(reverse("dashboards:report_list"), {"cycle": city.cycle.pk})


@pytest.fixture
def built(client, city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = request_report(client, city)
    report = YearlyReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("dashboards:report_detail", args=[report.pk])
    city.report = report
    return city


def download(client, report, kind):
    response = client.get(reverse(f"dashboards:report_{kind}", args=[report.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def sheet_values(sheet) -> list:
    return [value for row in sheet.iter_rows(values_only=True) for value in row if value is not None]


# --- Building ---------------------------------------------------------------------------------


def test_the_analyst_requests_the_report_and_the_worker_builds_the_four_files(built):
    report = built.report
    assert report.status == ReportStatus.DONE
    assert report.progress == 100
    assert report.problem == ""
    assert report.requested_by == built.analyst
    assert report.started_at is not None
    assert report.finished_at is not None
    assert report.xlsx.name.endswith(".xlsx")
    assert report.pdf.name.endswith(".pdf")
    stored = sorted(p.name for p in (built.media / "yearly-reports").iterdir())
    assert stored == [
        f"arsrapport-{built.cycle.year}-{report.pk}-pdfa.pdf",
        f"arsrapport-{built.cycle.year}-{report.pk}.docx",
        f"arsrapport-{built.cycle.year}-{report.pk}.pdf",
        f"arsrapport-{built.cycle.year}-{report.pk}.xlsx",
    ]


def test_the_workbook_has_a_sheet_per_table_with_the_committees_and_a_chart(client, built):
    data = download(client, built.report, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    keys = [t["key"] for t in reports.content_for(reports.document_for(cycle=built.cycle))["tables"]]
    assert book.sheetnames == [sheet_name(key) for key in keys] + ["Citat", "Källor och metod"]
    for key in ("completeness", "maturity", "change", "plans"):
        values = sheet_values(book[sheet_name(key)])
        assert "Nämnd A" in values, key
        assert "Nämnd B" in values, key
    quotes = sheet_values(book["Citat"])
    assert "Skola A" in quotes
    assert QUOTE in quotes
    assert "Skola C" not in quotes
    assert DRAFT_QUOTE not in quotes
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()


def test_the_workbook_holds_the_city_figures(client, built):
    book = openpyxl.load_workbook(io.BytesIO(download(client, built.report, "xlsx")))
    sheet = book[sheet_name("completeness")]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert rows["Nämnd A"][1] == 1  # school units
    assert rows["Nämnd B"][1] == 2
    column = [c.value for c in sheet[4]].index("Andel inlämnade") + 1
    share = sheet.cell(row=5, column=column)  # handed in, a share: a number formatted as percent
    assert (share.value, share.number_format) == (1.0, "0 %")
    maturity = book[sheet_name("maturity")]
    header = [c.value for c in maturity[4]]
    assert header[1:3] == ["1. Infrastruktur", "1. Infrastruktur, antal skolenheter"]
    rows = {row[0]: row for row in maturity.iter_rows(min_row=5, values_only=True) if row[0]}
    assert rows["Nämnd A"][1:3] == (3.0, 1)  # the mean, and its count beside it
    assert maturity.conditional_formatting


def test_the_pdf_has_the_committees_and_the_quoted_answers_of_handed_in_assessments(client, built):
    data = download(client, built.report, "pdf")
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Nämnd A" in text
    assert "Nämnd B" in text
    assert QUOTE in text
    assert "Skola A" in text
    assert DRAFT_QUOTE not in text


def test_the_requester_gets_one_email_even_when_notified_twice(built):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [built.analyst.email]
    assert reverse("dashboards:report_detail", args=[built.report.pk]) in message.body
    assert str(built.cycle.year) in message.subject

    ready = Mail.objects.get(kind=reports.READY_MAIL)
    assert outbox.mail_send(mail_id=ready.pk) == "already taken"
    reports._queue_ready_mail(built.report)  # the build's end written again: nothing new
    assert outbox.mail_dispatch_pending() == 0
    assert len(mail.outbox) == 1
    assert Mail.objects.get().status == MailStatus.SENT


def test_no_email_before_the_report_is_done(client, city):
    request_report(client, city)  # the build is queued on commit, which never comes here
    assert outbox.mail_dispatch_pending() == 0
    assert not Mail.objects.exists()
    assert mail.outbox == []


def test_a_second_request_while_one_is_queued_or_running_returns_the_same_report(client, city):
    first = request_report(client, city)
    second = request_report(client, city)
    report = YearlyReport.objects.get()
    assert first.url == second.url == reverse("dashboards:report_detail", args=[report.pk])

    YearlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    assert request_report(client, city).url == first.url
    assert YearlyReport.objects.count() == 1

    YearlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.DONE)
    assert request_report(client, city).url != first.url
    assert YearlyReport.objects.count() == 2


def test_a_double_click_that_passes_the_check_still_makes_one_report(city, monkeypatch):
    """Two requests at once: the other click's report is stored just after this
    request found no unfinished report, and before it stores its own."""
    other = []
    first = QuerySet.first

    def first_then_the_other_click(queryset):
        found = first(queryset)
        if queryset.model is YearlyReport and not other:
            other.append(YearlyReport.objects.create(cycle=city.cycle, requested_by=city.analyst))
        return found

    monkeypatch.setattr(QuerySet, "first", first_then_the_other_click)
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    assert other
    assert YearlyReport.objects.filter(cycle=city.cycle).count() == 1
    assert report == other[0]


def test_building_the_same_report_twice_builds_it_once(city):
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    assert reports.report_build(report_id=report.pk) == "built"
    assert reports.report_build(report_id=report.pk) == "already taken"
    assert len(list((city.media / "yearly-reports").iterdir())) == 4  # workbook, Word, PDF and PDF/A
    assert outbox.mail_dispatch_pending() == 1  # the ready mail, written once
    assert len(mail.outbox) == 1


def test_a_running_report_abandoned_by_its_worker_is_taken_over(city, settings):
    settings.REPORT_CLAIM_TIMEOUT = 60
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    assert reports.REPORT_JOBS.claim(report.pk, task_id="first") is not None
    assert reports.report_build(report_id=report.pk, task_id="second") == "already taken"  # a live claim
    claimed = timezone.now() - datetime.timedelta(minutes=5)
    YearlyReport.objects.filter(pk=report.pk).update(claimed_at=claimed)
    assert [r.pk for r in reports.REPORT_JOBS.due()] == [report.pk]  # what the sweep queues again
    assert reports.report_build(report_id=report.pk, task_id="second") == "built"


def test_a_task_redelivered_after_its_process_died_takes_its_own_claim_back_at_once(city):
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    assert reports.REPORT_JOBS.claim(report.pk, task_id="the-task") is not None  # then the process dies
    assert reports.report_build(report_id=report.pk, task_id="another-task") == "already taken"
    assert reports.report_build(report_id=report.pk, task_id="the-task") == "built"
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 2)


def test_a_worker_whose_claim_was_taken_over_cannot_finish_the_report(city):
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    old = reports.REPORT_JOBS.claim(report.pk, task_id="old")
    YearlyReport.objects.filter(pk=report.pk).update(claimed_at=timezone.now() - datetime.timedelta(hours=1))
    new = reports.REPORT_JOBS.claim(report.pk, task_id="new")
    assert new is not None
    assert not reports.REPORT_JOBS.finish(report.pk, old, state=ReportStatus.FAILED)
    assert reports.REPORT_JOBS.finish(report.pk, new, state=ReportStatus.DONE)


def test_the_city_office_sees_a_stuck_report_and_starts_it_again(
    client, city, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_CLAIM_TIMEOUT = 60
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    reports.REPORT_JOBS.claim(report.pk, task_id="died", progress=25, step="Writing the Excel workbook")
    YearlyReport.objects.filter(pk=report.pk).update(claimed_at=timezone.now() - datetime.timedelta(minutes=5))
    client.force_login(city.analyst)
    page = client.get(reverse("dashboards:report_detail", args=[report.pk])).content.decode()
    assert "Rapporten har väntat längre än en arbetsprocess får ta" in page
    assert "fastnat" in client.get(reverse("dashboards:report_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboards:report_restart", args=[report.pk]))
    assert response.url == reverse("dashboards:report_detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert len(mail.outbox) == 1


def test_a_failed_report_is_started_again_as_a_new_request(client, city, monkeypatch):
    monkeypatch.setattr(reports, "build_workbook", lambda content: (_ for _ in ()).throw(ValueError("trasig")))
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    assert reports.report_build(report_id=report.pk) == "failed"
    client.force_login(city.analyst)
    page = client.get(reverse("dashboards:report_detail", args=[report.pk])).content.decode()
    assert "ValueError" in page
    assert "Starta rapporten igen" in page
    response = client.post(reverse("dashboards:report_restart", args=[report.pk]))
    again = YearlyReport.objects.exclude(pk=report.pk).get()
    assert response.url == reverse("dashboards:report_detail", args=[again.pk])
    assert again.status == ReportStatus.QUEUED


def test_without_pdf_support_the_report_has_the_workbook_and_says_why(
    client, city, monkeypatch, django_capture_on_commit_callbacks
):
    message = "PDF kan inte skapas på den här servern."

    def no_pdf(html, *, base_url, variant):
        raise PdfUnavailable(message)

    monkeypatch.setattr(reports, "render_pdf", no_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        request_report(client, city)
    report = YearlyReport.objects.get()
    assert report.status == ReportStatus.DONE
    assert report.progress == 100
    assert report.xlsx
    assert not report.pdf
    assert report.problem == message
    assert message in client.get(reverse("dashboards:report_detail", args=[report.pk])).content.decode()
    assert client.get(reverse("dashboards:report_pdf", args=[report.pk])).status_code == 404
    assert client.get(reverse("dashboards:report_archival_pdf", args=[report.pk])).status_code == 404
    assert client.get(reverse("dashboards:report_docx", args=[report.pk])).status_code == 200
    assert client.get(reverse("dashboards:report_xlsx", args=[report.pk])).status_code == 200
    assert message in mail.outbox[0].body


def test_a_report_that_cannot_be_built_fails_and_says_so(client, city, monkeypatch):
    def broken(content):
        raise ValueError("trasig")

    monkeypatch.setattr(reports, "build_workbook", broken)
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    assert reports.report_build(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "ValueError" in report.problem
    assert not report.xlsx
    assert not report.pdf
    assert mail.outbox == []


def test_requesting_a_year_without_a_follow_up_is_404(client, city):
    client.force_login(city.analyst)
    assert client.post(reverse("dashboards:report_list"), {"cycle": 999999}).status_code == 404
    assert client.post(reverse("dashboards:report_list"), {"cycle": "x"}).status_code == 404
    assert client.post(reverse("dashboards:report_list"), {"cycle": "²"}).status_code == 404
    assert not YearlyReport.objects.exists()


# --- Who may see it ---------------------------------------------------------------------------


@pytest.fixture
def finished(city):
    report = YearlyReport.objects.create(
        cycle=city.cycle, requested_by=city.analyst, status=ReportStatus.DONE, progress=100
    )
    report.xlsx.save("rapport.xlsx", ContentFile(b"xlsx"), save=False)
    report.pdf.save("rapport.pdf", ContentFile(b"%PDF-1.7"), save=False)
    report.save()
    city.report = report
    return city


def test_the_city_office_lists_the_reports(client, finished):
    client.force_login(finished.admin)
    response = client.get(reverse("dashboards:report_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("dashboards:report_detail", args=[finished.report.pk]) in page
    assert reverse("dashboards:report_xlsx", args=[finished.report.pk]) in page


@pytest.mark.parametrize("person", ["editor_a", "reader_a", "principal_a"])
def test_others_than_the_city_office_get_403_on_the_list_and_404_on_a_report(client, finished, person):
    client.force_login(getattr(finished, person))
    assert client.get(reverse("dashboards:report_list")).status_code == 403
    assert client.post(reverse("dashboards:report_list"), {"cycle": finished.cycle.pk}).status_code == 403
    assert YearlyReport.objects.count() == 1
    for name in ("report_detail", "report_xlsx", "report_pdf"):
        assert client.get(reverse(f"dashboards:{name}", args=[finished.report.pk])).status_code == 404, name


def test_the_city_office_downloads_the_files(client, finished):
    client.force_login(finished.analyst)
    response = client.get(reverse("dashboards:report_pdf", args=[finished.report.pk]))
    assert f"arsrapport-{finished.cycle.year}.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.7"


# --- Progress -------------------------------------------------------------------------------------


def status_partial(client, report):
    response = client.get(reverse("dashboards:report_detail", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert 'id="report-status"' in page
    return page


def test_the_status_of_an_unfinished_report_polls_and_a_finished_one_does_not(client, city):
    client.force_login(city.analyst)
    report = reports.report_request(cycle=city.cycle, user=city.analyst)
    page = status_partial(client, report)
    assert "data-hx-trigger" in page
    assert f'data-hx-get="{reverse("dashboards:report_detail", args=[report.pk])}"' in page

    YearlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=50)
    page = status_partial(client, report)
    assert "data-hx-trigger" in page
    assert 'value="50"' in page

    YearlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED)
    assert reports.report_build(report_id=report.pk) == "built"
    page = status_partial(client, report)
    assert "hx-trigger" not in page
    assert reverse("dashboards:report_pdf", args=[report.pk]) in page
    assert reverse("dashboards:report_xlsx", args=[report.pk]) in page


def test_a_failed_report_stops_polling(client, city):
    client.force_login(city.analyst)
    report = YearlyReport.objects.create(cycle=city.cycle, requested_by=city.analyst, status=ReportStatus.FAILED)
    assert "hx-trigger" not in status_partial(client, report)


def test_the_full_detail_page_is_a_page_with_the_status(client, built):
    response = client.get(reverse("dashboards:report_detail", args=[built.report.pk]))
    page = response.content.decode()
    assert "<html" in page
    assert 'id="report-status"' in page
    assert "hx-trigger" not in page


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_report_is_built_as_it_is_asked_for_and_not_said_to_be_on_its_way(client, city):
    page = request_report(client, city)
    page = client.get(page.url).content.decode()
    assert "Årsrapporten är klar." in page
    assert "Årsrapporten byggs" not in page


def test_with_a_worker_the_page_says_the_report_is_on_its_way(client, city):
    page = client.get(request_report(client, city).url).content.decode()
    assert "Årsrapporten byggs" in page
