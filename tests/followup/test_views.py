import datetime
import html
import io
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from core import pdf
from followup import services
from followup.models import AssessmentStatus, Cycle
from tests.factories import member

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
    assert "Område 1 Infrastruktur</a>: mognadsnivå," in page
    assert "indikator A1" in page
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


# --- Two windows on one area: every branch of the versioned save --------------------


def base_of(response):
    """The version and base the page or autosave answer carries, as the browser would post them."""
    page = response.content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    base = html.unescape(re.search(r'name="base" value="([^"]*)"', page).group(1))
    return {"version": version, "base": base}


def opened(client, org):
    """The area's form as a window opened now has it: the stored values, version and base."""
    return base_of(client.get(area_url(org)))


def stored(org):
    answer = org.assessment_a.area_answers.get()
    values = {v.indicator.code: v.value for v in org.assessment_a.indicator_answers.select_related("indicator")}
    return answer, values


@pytest.fixture
def two_windows(client, org, cycle_a):
    """School A's area 1 saved once by the principal; a colleague on the staff and
    the principal then both have the form open at that version."""
    indicator = cycle_indicator(org)
    colleague = member(Role.SCHOOL_STAFF, school=org.school_a, email="personal.a@example.se")
    client.force_login(org.principal_a)
    client.post(area_url(org), area_data(indicator.pk), headers=HTMX)
    return SimpleNamespace(indicator=indicator, colleague=colleague, form=opened(client, org))


def post_as(client, org, user, data, **extra):
    client.force_login(user)
    return client.post(area_url(org), data, **extra)


def test_two_edits_of_different_fields_are_merged_without_asking(client, org, two_windows):
    pk = two_windows.indicator.pk
    theirs = post_as(
        client,
        org,
        two_windows.colleague,
        {**area_data(pk, strengths="Kollegans styrkor."), **two_windows.form},
        headers=HTMX,
    )
    assert "Sparat" in theirs.content.decode()
    response = post_as(
        client, org, org.principal_a, {**area_data(pk, **{f"indicator_{pk}": "90"}), **two_windows.form}, headers=HTMX
    )
    page = response.content.decode()
    assert 'data-autosave-state="merged"' in page
    assert "tillsammans med ändringarna som" in page
    assert "Kollegans styrkor." in html.unescape(page)  # given to the page for its form
    answer, values = stored(org)
    assert (answer.strengths, values["A1"], answer.version) == ("Kollegans styrkor.", Decimal("90.00"), 3)


def test_two_edits_of_the_same_field_are_a_conflict_showing_every_differing_field(client, org, two_windows):
    pk = two_windows.indicator.pk
    post_as(
        client,
        org,
        two_windows.colleague,
        {**area_data(pk, done="Kollegans text.", **{f"indicator_{pk}": "60"}), **two_windows.form},
        headers=HTMX,
    )
    mine = area_data(
        pk,
        done="Min text.",
        not_applicable="on",
        not_applicable_reason="Vi har inga elever i den skolformen.",
        **{f"indicator_{pk}": "80"},
    )
    response = post_as(client, org, org.principal_a, {**mine, **two_windows.form}, headers=HTMX)
    page = html.unescape(response.content.decode())
    assert 'data-autosave-state="conflict"' in page
    assert f"{two_windows.colleague} sparade medan du skrev" in page
    rows = dict(re.findall(r'data-field="(\w+)"><th scope="row">[^<]*</th><td>(.*?)</td><td>', page))
    assert set(rows) == {"done", f"indicator_{pk}", "not_applicable", "not_applicable_reason"}
    assert "Kollegans text." in page
    assert "Min text." in page
    assert "60" in rows[f"indicator_{pk}"]
    assert "80" in page
    assert rows["not_applicable"] == "Nej"
    assert 'name="keep_mine" value="2"' in page
    # The choice names the version it saves over on its own; no second "version" competes with the form's.
    assert not re.search(r'<button[^>]*name="version"', page)
    answer, values = stored(org)
    assert (answer.done, values["A1"], answer.not_applicable) == ("Kollegans text.", Decimal("60.00"), False)


def test_the_same_value_typed_in_both_windows_is_no_conflict(client, org, two_windows):
    pk = two_windows.indicator.pk
    post_as(client, org, two_windows.colleague, {**area_data(pk, done="Samma."), **two_windows.form}, headers=HTMX)
    response = post_as(client, org, org.principal_a, {**area_data(pk, done="Samma."), **two_windows.form}, headers=HTMX)
    assert 'data-autosave-state="merged"' in response.content.decode()


def test_keep_mine_saves_over_theirs_and_keeps_theirs_in_the_history(client, org, two_windows):
    pk = two_windows.indicator.pk
    post_as(
        client, org, two_windows.colleague, {**area_data(pk, done="Kollegans text."), **two_windows.form}, headers=HTMX
    )
    # The form still carries the version it was read at; the button names the version shown.
    response = post_as(
        client, org, org.principal_a, {**area_data(pk, done="Min text."), **two_windows.form, "keep_mine": "2"}
    )
    assert response.status_code == 302
    answer, _values = stored(org)
    assert (answer.done, answer.version) == ("Min text.", 3)
    assert list(answer.history.values_list("done", flat=True)[:2]) == ["Min text.", "Kollegans text."]


def test_keep_mine_over_a_version_that_is_no_longer_the_latest_is_a_conflict_again(client, org, two_windows):
    pk = two_windows.indicator.pk
    post_as(
        client, org, two_windows.colleague, {**area_data(pk, done="Kollegans text."), **two_windows.form}, headers=HTMX
    )
    newer = opened(client, org)
    post_as(client, org, two_windows.colleague, {**area_data(pk, done="Kollegans andra text."), **newer}, headers=HTMX)
    response = post_as(
        client, org, org.principal_a, {**area_data(pk, done="Min text."), **two_windows.form, "keep_mine": "2"}
    )
    assert response.status_code == 200
    assert 'name="keep_mine" value="3"' in response.content.decode()
    assert stored(org)[0].done == "Kollegans andra text."


def test_use_theirs_writes_nothing_and_shows_the_stored_version(client, org, two_windows):
    pk = two_windows.indicator.pk
    post_as(
        client, org, two_windows.colleague, {**area_data(pk, done="Kollegans text."), **two_windows.form}, headers=HTMX
    )
    response = post_as(
        client, org, org.principal_a, {**area_data(pk, done="Min text."), **two_windows.form, "use_theirs": "2"}
    )
    assert response.status_code == 302
    assert stored(org)[0].done == "Kollegans text."
    page = client.get(response["Location"]).content.decode()
    assert "Kollegans text." in page
    assert "Min text." not in page


def test_a_conflict_with_the_same_user_in_another_window_says_so(client, org, two_windows):
    pk = two_windows.indicator.pk
    post_as(client, org, org.principal_a, {**area_data(pk, done="Första fönstret."), **two_windows.form}, headers=HTMX)
    response = post_as(client, org, org.principal_a, {**area_data(pk, done="Andra fönstret."), **two_windows.form})
    page = response.content.decode()
    assert "Du, i ett annat fönster, sparade medan du skrev här" in page
    assert "Det andra fönstrets version (sparad)" in page


def test_a_failed_autosave_names_the_fields_in_error_for_the_page_to_mark(client, org, two_windows):
    pk = two_windows.indicator.pk
    response = post_as(
        client, org, org.principal_a, {**area_data(pk, **{f"indicator_{pk}": "abc"}), **two_windows.form}, headers=HTMX
    )
    page = html.unescape(response.content.decode())
    errors = json.loads(re.search(r"data-errors='?\"?(\{.*?\})\"?'?>", page).group(1))
    assert list(errors) == [f"indicator_{pk}"]


def test_the_submit_page_links_each_area_with_something_missing(client, org, cycle_a):
    client.force_login(org.principal_a)
    page = client.get(reverse("followup:assessment_submit", args=[org.assessment_a.pk])).content.decode()
    assert f'<a href="{area_url(org)}">Område 1 Infrastruktur</a>: mognadsnivå' in page


def test_an_approved_self_assessment_offers_no_submit(client, org, cycle_a):
    from followup.models import SelfAssessment

    SelfAssessment.objects.filter(pk=org.assessment_a.pk).update(status=AssessmentStatus.APPROVED)
    client.force_login(org.principal_a)
    response = client.get(reverse("followup:assessment_submit", args=[org.assessment_a.pk]), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("followup:assessment_detail", args=[org.assessment_a.pk])
    assert "Lämna in" not in page


def test_the_area_form_asks_whether_the_area_applies_before_anything_else(client, org, cycle_a):
    client.force_login(org.principal_a)
    page = client.get(area_url(org)).content.decode()
    assert page.index("Gäller området?") < page.index("Mognadsnivå") < page.index('class="save-bar')


def test_targets_on_the_review_page_are_shown_in_the_indicators_unit(client, org, cycle_a):
    from decimal import Decimal

    indicator = cycle_indicator(org)
    type(indicator).objects.filter(pk=indicator.pk).update(unit="percent", target=Decimal("45"))
    client.force_login(org.principal_a)
    client.post(area_url(org), area_data(indicator.pk), headers=HTMX)
    page = client.get(reverse("followup:assessment_detail", args=[org.assessment_a.pk])).content.decode()
    assert '<td class="text-end">75 %</td>\n        <td class="text-end">45 %</td>' in page


def test_a_yes_no_target_on_the_review_page_says_yes(client, org, cycle_a):
    from decimal import Decimal

    indicator = cycle_indicator(org)
    type(indicator).objects.filter(pk=indicator.pk).update(unit="yes_no", target=Decimal("1"))
    client.force_login(org.principal_a)
    client.post(area_url(org), area_data(indicator.pk, **{f"indicator_{indicator.pk}": "0"}), headers=HTMX)
    page = client.get(reverse("followup:assessment_detail", args=[org.assessment_a.pk])).content.decode()
    assert '<td class="text-end">Nej</td>\n        <td class="text-end">Ja</td>' in page


def test_the_head_of_schools_is_not_offered_the_log_of_reminders_they_may_not_read(client, org, cycle_a):
    from accounts.models import Role
    from tests.factories import member

    head = member(Role.HEAD_OF_SCHOOLS, school=org.school_a, email="chef@example.se")
    client.force_login(head)
    response = client.get(reverse("followup:cycle_detail", args=[cycle_a.pk]))
    assert response.status_code == 200
    assert reverse("followup:reminder_log", args=[cycle_a.pk]) not in response.content.decode()
    client.force_login(org.editor_a)
    page = client.get(reverse("followup:cycle_detail", args=[cycle_a.pk])).content.decode()
    assert reverse("followup:reminder_log", args=[cycle_a.pk]) in page


def test_who_has_handed_in_counts_for_the_city_office_from_the_cache_until_a_status_changes(
    client, org, cycle_a, django_assert_max_num_queries
):
    from tests.followup.test_services import hand_in

    def counted():
        with django_assert_max_num_queries(20) as queries:
            response = client.get(reverse("followup:cycle_detail", args=[cycle_a.pk]))
        counts = {value: n for value, _label, n in response.context["counts"] if n}
        grouped = any("GROUP BY" in q["sql"] for q in queries.captured_queries)
        return counts, response.context["page"].paginator.count, grouped

    client.force_login(org.analyst)
    assert counted() == ({"not_started": 2}, 2, True)
    assert counted() == ({"not_started": 2}, 2, False)
    hand_in(org.assessment_a, org.principal_a, levels=(3,))
    assert counted() == ({"not_started": 1, "submitted": 1}, 2, True)
    client.force_login(org.editor_b)  # committee staff count what is theirs
    assert counted()[:2] == ({"not_started": 1}, 1)
