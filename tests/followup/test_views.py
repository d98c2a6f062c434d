import datetime
import io

from django.urls import reverse
from pypdf import PdfReader

from core import pdf
from followup import services
from followup.models import AssessmentStatus, Cycle

HTMX = {"HX-Request": "true"}


def area_data(indicator_pk, **overrides):
    data = {
        "version": "0",
        "level": "2",
        "done": "Trådlöst nät i alla rum.",
        "strengths": "",
        "next_steps": "Fortbildning.",
        f"indicator_{indicator_pk}": "75",
    }
    data.update(overrides)
    return data


def area_url(org):
    return reverse("followup:assessment_area", args=[org.assessment_a.pk, 1])


def cycle_indicator(org):
    return org.cycle.indicators.get()


def test_autosave_answers_saved_with_the_time_and_the_new_version(client, org, cycle_a):
    client.force_login(org.principal_a)
    response = client.post(area_url(org), area_data(cycle_indicator(org).pk), headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sparat" in page
    assert 'name="version" value="1"' in page
    answer = org.assessment_a.area_answers.get()
    assert (answer.level, answer.done, answer.version) == (2, "Trådlöst nät i alla rum.", 1)


def test_autosave_of_a_bad_value_saves_nothing_and_says_why(client, org, cycle_a):
    client.force_login(org.principal_a)
    indicator = cycle_indicator(org)
    response = client.post(area_url(org), area_data(indicator.pk, **{f"indicator_{indicator.pk}": "140"}), headers=HTMX)
    page = response.content.decode()
    assert "Inte sparat" in page
    assert "0–100" in page
    assert not org.assessment_a.area_answers.exists()


def test_a_save_over_someone_elses_newer_save_shows_both_versions_and_overwrites_nothing(client, org, cycle_a):
    indicator = cycle_indicator(org)
    client.force_login(org.principal_a)
    client.post(area_url(org), area_data(indicator.pk, done="Rektorns text."), headers=HTMX)
    # A colleague who loaded the page before that save writes on version 0.
    response = client.post(area_url(org), area_data(indicator.pk, done="Kollegans text."), headers=HTMX)
    page = response.content.decode()
    assert "Du, i ett annat fönster, sparade medan du skrev här" in page
    assert "Rektorns text." in page
    assert "Kollegans text." in page
    assert org.assessment_a.area_answers.get().done == "Rektorns text."


def test_an_autosave_after_the_session_expired_gets_401_not_the_login_page(client, org, cycle_a):
    response = client.post(area_url(org), area_data(cycle_indicator(org).pk), headers=HTMX)
    assert response.status_code == 401


def test_after_the_lock_date_the_form_refuses_changes_until_the_committee_reopens(client, org, cycle_a):
    past = datetime.date(2020, 1, 1)
    Cycle.objects.filter(pk=org.cycle.pk).update(opens_on=past, deadline=past, locks_on=past)
    client.force_login(org.principal_a)
    response = client.post(area_url(org), area_data(cycle_indicator(org).pk), headers=HTMX)
    assert "kan inte längre ändras" in response.content.decode()
    assert not org.assessment_a.area_answers.exists()

    client.force_login(org.editor_a)
    client.post(reverse("followup:assessment_reopen", args=[org.assessment_a.pk]))
    client.force_login(org.principal_a)
    response = client.post(area_url(org), area_data(cycle_indicator(org).pk), headers=HTMX)
    assert "Sparat" in response.content.decode()


def test_submitting_an_incomplete_assessment_names_what_is_missing(client, org, cycle_a):
    client.force_login(org.principal_a)
    response = client.post(reverse("followup:assessment_submit", args=[org.assessment_a.pk]))
    page = response.content.decode()
    assert "Område 1 Infrastruktur: mognadsnivå" in page
    assert "Område 1 Infrastruktur: indikator A1" in page
    org.assessment_a.refresh_from_db()
    assert org.assessment_a.status == AssessmentStatus.NOT_STARTED


def test_school_staff_may_draft_but_only_the_principal_submits(client, org, cycle_a):
    from accounts.models import Role
    from tests.factories import member

    staff = member(Role.SCHOOL_STAFF, school=org.school_a)
    client.force_login(staff)
    client.post(area_url(org), area_data(cycle_indicator(org).pk), headers=HTMX)
    assert org.assessment_a.area_answers.get().updated_by == staff
    response = client.post(reverse("followup:assessment_submit", args=[org.assessment_a.pk]))
    assert response.status_code == 403


def test_the_report_pdf_is_a_pdf_with_the_schools_name(client, org, cycle_a):
    client.force_login(org.principal_a)
    services.area_answer_save(
        assessment=org.assessment_a,
        area=org.cycle.areas.get(),
        data=services.AreaInput(level=3, done="x", next_steps="y", indicator_values={cycle_indicator(org).pk: 80}),
        version=0,
        user=org.principal_a,
    )
    response = client.get(reverse("dashboards:assessment_report_pdf", args=[org.assessment_a.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged for assistive technology
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "sv"
    assert "Skola A" in pdf.pages[0].extract_text()


def test_the_report_shows_a_clear_message_when_pdfs_cannot_be_built(client, org, cycle_a, monkeypatch):
    def unavailable(html, *, base_url):
        raise pdf.PdfUnavailable("PDF:en kan inte skapas på den här servern: WeasyPrint behöver Pango-biblioteken")

    monkeypatch.setattr(pdf, "render_pdf", unavailable)
    client.force_login(org.principal_a)
    response = client.get(reverse("dashboards:assessment_report_pdf", args=[org.assessment_a.pk]), follow=True)
    assert "WeasyPrint behöver Pango-biblioteken" in response.content.decode()
