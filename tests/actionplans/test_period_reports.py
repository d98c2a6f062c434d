"""Period reports as a city runs them: periods in date order, and yes/no
indicators answered and shown as yes or no."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
from django.urls import reverse

from actionplans.forms import ReportForm
from actionplans.models import IndicatorValue, PeriodReport, ReportPeriod
from strategy.models import Direction, Formula, Indicator, IndicatorUnit, Reporter, Target
from tests.actionplans.test_plans import TODAY, fu, page, plan_b, report_data, url  # noqa: F401 (fixtures)


def yes_no_indicator(fu):  # noqa: F811
    indicator = Indicator.objects.create(
        goal=fu.goals["1.2"],
        code="1.2.8",
        name="Nämnden har en plan för digitala enheter",
        unit=IndicatorUnit.YES_NO,
        direction=Direction.HIGHER,
        reported_by=Reporter.COMMITTEE,
        position=0,
    )
    Target.objects.create(indicator=indicator, year=TODAY.year, value=Decimal("1"))
    return indicator


def test_report_periods_are_listed_in_date_order_within_a_year(client, fu):  # noqa: F811
    year = TODAY.year + 1
    annual = ReportPeriod.objects.create(year=year, kind="annual", deadline=datetime.date(year + 1, 2, 15))
    t2 = ReportPeriod.objects.create(year=year, kind="t2", deadline=datetime.date(year, 9, 15))
    t1 = ReportPeriod.objects.create(year=year, kind="t1", deadline=datetime.date(year, 5, 15))

    assert list(ReportPeriod.objects.filter(year=year)) == [t1, t2, annual]
    client.force_login(fu.org.admin)
    html = page(client.get(reverse("actionplans:period_list")))
    assert html.index(str(t1)) < html.index(str(t2)) < html.index(str(annual))


def test_a_yes_no_indicator_is_answered_yes_or_no_and_shown_as_ja(client, fu):  # noqa: F811
    indicator = yes_no_indicator(fu)
    client.force_login(fu.org.editor_a)

    form_page = page(client.get(url("report_edit", fu.plan.pk, fu.period.pk)))
    assert re.search(rf'<input type="radio"[^>]*name="value_{indicator.pk}"[^>]*value="1"', form_page)
    assert "Målvärde Ja." in form_page
    response = client.post(
        url("report_edit", fu.plan.pk, fu.period.pk), report_data(fu, **{f"value_{indicator.pk}": "1"})
    )

    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=indicator)
    assert value.value == Decimal("1")
    assert value.value_display == "Ja"
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url("plan_export_xlsx", fu.plan.pk)).content))
    rows = [[cell.value for cell in row] for row in workbook.worksheets[-1].iter_rows()]
    assert [str(indicator), "Ja", "Ja", None] in rows


def test_a_yes_no_indicator_refuses_ja_typed_as_text_and_nothing_is_saved(fu):  # noqa: F811
    indicator = yes_no_indicator(fu)

    form = ReportForm(report_data(fu, **{f"value_{indicator.pk}": "Ja"}), actions=[fu.action], indicators=[indicator])

    assert not form.is_valid()
    assert f"value_{indicator.pk}" in form.errors
    assert not PeriodReport.objects.filter(plan=fu.plan, period=fu.period).exists() or not (
        IndicatorValue.objects.filter(indicator=indicator).exists()
    )


def test_no_is_shown_as_nej_and_a_missing_value_as_a_dash(fu):  # noqa: F811
    unit = IndicatorUnit.YES_NO
    assert (unit.display_value(Decimal("0")), unit.display_value(None)) == ("Nej", "–")
    assert IndicatorUnit.PERCENT.display_value(Decimal("55.50")) == "55,5"


# --- Handing in, returning, approving ---------------------------------------------------


def saved_report(client, fu):  # noqa: F811
    client.force_login(fu.org.editor_a)
    client.post(url("report_edit", fu.plan.pk, fu.period.pk), report_data(fu))
    return PeriodReport.objects.get(plan=fu.plan, period=fu.period)


def test_the_committee_hands_in_its_report_and_then_cannot_change_it(client, fu):  # noqa: F811
    report = saved_report(client, fu)

    response = client.post(url("report_submit", fu.plan.pk, fu.period.pk))
    client.post(url("report_submit", fu.plan.pk, fu.period.pk))  # a double click

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.submitted_by == fu.org.editor_a
    assert report.history.filter(status="submitted").count() == 1
    refused = client.post(url("report_edit", fu.plan.pk, fu.period.pk), report_data(fu, version=report.version))
    assert refused.status_code == 302
    assert "Hand in the report" not in page(client.get(url("report_edit", fu.plan.pk, fu.period.pk)))
    report.refresh_from_db()
    assert report.version == 1


def test_a_report_never_saved_cannot_be_handed_in(client, fu):  # noqa: F811
    from actionplans import services

    report = services.period_report_start(plan=fu.plan, period=fu.period, user=fu.org.editor_a)
    client.force_login(fu.org.editor_a)

    client.post(url("report_submit", fu.plan.pk, fu.period.pk))

    report.refresh_from_db()
    assert report.status == "draft"


def test_the_city_office_returns_a_report_with_a_reason_and_the_committee_edits_it_again(client, fu):  # noqa: F811
    report = saved_report(client, fu)
    client.post(url("report_submit", fu.plan.pk, fu.period.pk))
    client.force_login(fu.org.admin)

    without_reason = client.post(url("report_return", fu.plan.pk, fu.period.pk), {"reason": " "})
    report.refresh_from_db()
    assert without_reason.status_code == 302
    assert report.status == "submitted"

    client.post(url("report_return", fu.plan.pk, fu.period.pk), {"reason": "Lägesbeskrivningen saknas för T1."})
    report.refresh_from_db()
    assert (report.status, report.return_reason, report.reviewed_by) == (
        "returned",
        "Lägesbeskrivningen saknas för T1.",
        fu.org.admin,
    )
    client.force_login(fu.org.editor_a)
    html = page(client.get(url("report_edit", fu.plan.pk, fu.period.pk)))
    assert "Lägesbeskrivningen saknas för T1." in html
    assert "Lämna in rapporten" in html


def test_the_city_office_approves_a_handed_in_report_but_not_a_draft(client, fu):  # noqa: F811
    report = saved_report(client, fu)
    client.force_login(fu.org.admin)

    client.post(url("report_approve", fu.plan.pk, fu.period.pk), {"comment": ""})
    report.refresh_from_db()
    assert report.status == "draft"

    client.force_login(fu.org.editor_a)
    client.post(url("report_submit", fu.plan.pk, fu.period.pk))
    client.force_login(fu.org.admin)
    client.post(url("report_approve", fu.plan.pk, fu.period.pk), {"comment": "Bra."})
    report.refresh_from_db()
    assert (report.status, report.approval_comment) == ("approved", "Bra.")


def test_the_overview_shows_who_has_reported_for_a_period(client, fu, plan_b):  # noqa: F811
    from actionplans import services

    saved_report(client, fu)
    client.post(url("report_submit", fu.plan.pk, fu.period.pk))
    client.force_login(fu.org.analyst)

    rows = services.period_overview(fu.period)
    response = client.get(reverse("actionplans:period_detail", args=[fu.period.pk]))

    assert [(r.plan.committee.code, r.is_handed_in) for r in rows] == [("A", True), ("B", False)]
    html = page(response)
    assert "1 av 2 handlingsplaner är inlämnade" in html
    assert "Inlämnad" in html
    assert "Inte påbörjad" in html


def test_a_period_report_never_asks_the_committee_for_an_indicator_the_portal_computes(client, fu):  # noqa: F811
    typed = yes_no_indicator(fu)
    computed = Indicator.objects.create(
        goal=fu.goals["1.2"],
        code="1.2.7",
        name="Andel nämnder med antagen handlingsplan",
        unit=IndicatorUnit.PERCENT,
        reported_by=Reporter.PORTAL,
        formula=Formula.PLANS_ADOPTED,
    )
    client.force_login(fu.org.editor_a)
    form_page = page(client.get(url("report_edit", fu.plan.pk, fu.period.pk)))
    assert f'name="value_{typed.pk}"' in form_page
    assert f'name="value_{computed.pk}"' not in form_page
    assert computed.name not in form_page
