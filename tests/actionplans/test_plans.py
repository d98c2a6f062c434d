"""Committees' action plans and their period reports."""

import datetime
import html
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from actionplans import services
from actionplans.forms import ActionForm, NewPlanForm, PlanForm, ReportForm
from actionplans.models import (
    Action,
    ActionPlan,
    ActionReport,
    IndicatorValue,
    PeriodReport,
    ReportPeriod,
)
from dashboards import summaries
from followup import services as followup_services
from schools.models import Committee
from strategy.models import Goal, Indicator, IndicatorUnit
from tests.factories import SchoolFactory, followup_strategy, member, open_cycle

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def url(name, *args):
    return reverse(f"actionplans:{name}", args=args)


@pytest.fixture
def fu(org):
    """Committee A's action plan for a follow-up strategy (goals 1.1, 1.2 and
    2.1; 1.2.9 is a percentage the committee reports), with one action
    serving goal 1.1 and a report period open for ten more days."""
    strategy = followup_strategy(owner=org.committee_a)
    plan = services.plan_create(
        committee=org.committee_a, strategy=strategy, starts_in=TODAY.year, ends_in=TODAY.year + 3, user=org.editor_a
    )
    goals = {g.number: g for g in Goal.objects.filter(focus_area__strategy=strategy)}
    action = Action.objects.create(
        plan=plan,
        title="Trådlöst nät i alla klassrum",
        responsible="IT-samordnare",
        starts_on=TODAY,
        ends_on=TODAY + 365 * DAY,
        status="ongoing",
    )
    action.goals.set([goals["1.1"]])
    return SimpleNamespace(
        org=org,
        strategy=strategy,
        plan=plan,
        action=action,
        goals=goals,
        ind={i.code: i for i in Indicator.objects.filter(goal__focus_area__strategy=strategy)},
        period=ReportPeriod.objects.create(year=TODAY.year, kind="t1", deadline=TODAY + 10 * DAY),
        colleague=member(Role.COMMITTEE_EDITOR, committee=org.committee_a, email="kollega.a@example.se"),
    )


@pytest.fixture
def plan_b(fu):
    return services.plan_create(
        committee=fu.org.committee_b, strategy=fu.strategy, starts_in=TODAY.year, ends_in=TODAY.year + 2, user=None
    )


def action_data(fu, **overrides):
    data = {
        "version": "0",
        "title": "Min titel",
        "description": "Min beskrivning.",
        "goals": [str(fu.goals["1.1"].pk)],
        "responsible": "Rektorer",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + 30 * DAY).isoformat(),
        "success_criteria": "",
        "status": "planned",
    }
    data.update(overrides)
    return data


def report_data(fu, version=0, value="55", **overrides):
    pk = fu.action.pk
    data = {
        "version": str(version),
        f"status_{pk}": "ongoing",
        f"light_{pk}": "yellow",
        f"comment_{pk}": "Halva skolorna klara.",
        f"value_{fu.ind['1.2.9'].pk}": value,
    }
    data.update(overrides)
    return data


def row(status="ongoing", light="green", comment=""):
    return {"status": status, "light": light, "comment": comment}


def page(response) -> str:
    return response.content.decode()


# --- Creating a plan ------------------------------------------------------------


def test_a_second_plan_for_the_same_committee_and_strategy_is_refused(fu):
    with pytest.raises(services.PlanError, match="redan en handlingsplan"):
        services.plan_create(
            committee=fu.org.committee_a, strategy=fu.strategy, starts_in=2030, ends_in=2031, user=fu.org.editor_a
        )
    assert ActionPlan.objects.filter(committee=fu.org.committee_a, strategy=fu.strategy).count() == 1


def test_the_database_refuses_a_second_plan_for_the_same_committee_and_strategy(fu):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(committee=fu.org.committee_a, strategy=fu.strategy, starts_in=2030, ends_in=2031)


def test_creating_a_second_plan_through_the_view_shows_why_and_creates_nothing(client, fu):
    client.force_login(fu.org.editor_a)
    data = {"committee": fu.org.committee_a.pk, "strategy": fu.strategy.pk, "starts_in": 2030, "ends_in": 2031}
    response = client.post(url("plan_create"), data)
    assert response.status_code == 200
    assert "redan en handlingsplan" in page(response)
    assert ActionPlan.objects.filter(committee=fu.org.committee_a).count() == 1


def test_the_database_refuses_a_plan_that_ends_before_it_starts(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(committee=org.committee_a, strategy=org.strategy, starts_in=2028, ends_in=2026)
    with pytest.raises(services.PlanError, match="sluta innan den börjar"):
        services.plan_create(
            committee=org.committee_a, strategy=org.strategy, starts_in=2028, ends_in=2026, user=org.editor_a
        )
    assert not ActionPlan.objects.exists()


def test_the_plan_forms_refuse_a_plan_that_ends_before_it_starts(fu):
    committees = Committee.objects.filter(pk=fu.org.committee_b.pk)
    new = NewPlanForm(
        {"committee": fu.org.committee_b.pk, "strategy": fu.strategy.pk, "starts_in": 2028, "ends_in": 2026},
        committees=committees,
    )
    assert not new.is_valid()
    assert "sluta innan den börjar" in str(new.errors["ends_in"])
    edit = PlanForm({"starts_in": 2028, "ends_in": 2026, "status": "draft", "version": 0}, instance=fu.plan)
    assert not edit.is_valid()
    assert "sluta innan den börjar" in str(edit.errors["ends_in"])


def test_the_create_view_refuses_a_plan_that_ends_before_it_starts(client, org):
    strategy = followup_strategy()
    client.force_login(org.editor_a)
    data = {"committee": org.committee_a.pk, "strategy": strategy.pk, "starts_in": 2028, "ends_in": 2026}
    response = client.post(url("plan_create"), data)
    assert response.status_code == 200
    assert "sluta innan den börjar" in page(response)
    assert not ActionPlan.objects.exists()


# --- Saving with versions ---------------------------------------------------------


def test_saving_a_plan_with_the_current_version_writes_and_bumps_the_version(fu):
    assert services.plan_save(plan=fu.plan, values={"registry_number": "KS 2026/12"}, version=0, user=fu.org.editor_a)
    fu.plan.refresh_from_db()
    assert (fu.plan.registry_number, fu.plan.version) == ("KS 2026/12", 1)


def test_saving_a_plan_with_an_older_version_writes_nothing(fu):
    mine = ActionPlan.objects.get(pk=fu.plan.pk)
    theirs = ActionPlan.objects.get(pk=fu.plan.pk)
    assert services.plan_save(plan=theirs, values={"registry_number": "Deras"}, version=0, user=fu.colleague)
    assert not services.plan_save(plan=mine, values={"registry_number": "Mitt"}, version=0, user=fu.org.editor_a)
    fu.plan.refresh_from_db()
    assert (fu.plan.registry_number, fu.plan.version) == ("Deras", 1)


def test_saving_an_action_with_the_current_version_writes_and_bumps_the_version(fu):
    assert services.action_save(action=fu.action, values={"title": "Nytt nät"}, version=0, user=fu.org.editor_a)
    fu.action.refresh_from_db()
    assert (fu.action.title, fu.action.version) == ("Nytt nät", 1)


def test_saving_an_action_with_an_older_version_writes_nothing(fu):
    mine = Action.objects.get(pk=fu.action.pk)
    theirs = Action.objects.get(pk=fu.action.pk)
    assert services.action_save(action=theirs, values={"title": "Kollegans titel"}, version=0, user=fu.colleague)
    assert not services.action_save(action=mine, values={"title": "Min titel"}, version=0, user=fu.org.editor_a)
    fu.action.refresh_from_db()
    assert (fu.action.title, fu.action.version) == ("Kollegans titel", 1)


def test_an_action_saved_over_a_colleagues_newer_save_shows_both_and_overwrites_nothing(client, fu):
    assert services.action_save(
        action=Action.objects.get(pk=fu.action.pk), values={"title": "Kollegans titel"}, version=0, user=fu.colleague
    )
    client.force_login(fu.org.editor_a)
    response = client.post(url("action_edit", fu.plan.pk, fu.action.pk), action_data(fu, title="Min titel"))
    html = page(response)
    assert response.status_code == 200
    assert "sparade medan du skrev" in html
    assert "Deras version (sparad)" in html
    assert "Kollegans titel" in html
    assert 'value="Min titel"' in html
    assert 'name="keep_mine" value="1"' in html
    fu.action.refresh_from_db()
    assert (fu.action.title, fu.action.version) == ("Kollegans titel", 1)


def test_saving_again_with_the_shown_version_keeps_the_users_text(client, fu):
    assert services.action_save(
        action=Action.objects.get(pk=fu.action.pk), values={"title": "Kollegans titel"}, version=0, user=fu.colleague
    )
    client.force_login(fu.org.editor_a)
    client.post(url("action_edit", fu.plan.pk, fu.action.pk), action_data(fu, title="Min titel"))
    response = client.post(
        url("action_edit", fu.plan.pk, fu.action.pk), action_data(fu, title="Min titel", version="1")
    )
    assert response.status_code == 302
    fu.action.refresh_from_db()
    assert (fu.action.title, fu.action.version) == ("Min titel", 2)


def test_a_plan_edit_over_a_colleagues_newer_save_overwrites_nothing(client, fu):
    assert services.plan_save(
        plan=ActionPlan.objects.get(pk=fu.plan.pk), values={"registry_number": "Deras"}, version=0, user=fu.colleague
    )
    client.force_login(fu.org.editor_a)
    data = {
        "starts_in": TODAY.year,
        "ends_in": TODAY.year + 3,
        "status": "draft",
        "registry_number": "Mitt",
        "version": 0,
    }
    response = client.post(url("plan_edit", fu.plan.pk), data)
    assert response.status_code == 200
    assert "sparade medan du skrev" in page(response)
    fu.plan.refresh_from_db()
    assert (fu.plan.registry_number, fu.plan.version) == ("Deras", 1)
    response = client.post(url("plan_edit", fu.plan.pk), {**data, "version": 1})
    assert response.status_code == 302
    fu.plan.refresh_from_db()
    assert (fu.plan.registry_number, fu.plan.version) == ("Mitt", 2)


# --- Actions and the overview -------------------------------------------------------


def test_an_action_is_linked_to_two_goals_through_the_view(client, fu):
    client.force_login(fu.org.editor_a)
    goals = [fu.goals["1.2"], fu.goals["2.1"]]
    response = client.post(
        url("action_create", fu.plan.pk), action_data(fu, title="Datorer och fortbildning", goals=[g.pk for g in goals])
    )
    assert response.status_code == 302
    action = fu.plan.actions.get(title="Datorer och fortbildning")
    assert set(action.goals.all()) == set(goals)
    assert action.version == 1


def test_the_overview_groups_actions_under_their_goals_per_focus_area(fu):
    both = Action.objects.create(
        plan=fu.plan, title="Fortbildning och nät", responsible="Rektorer", starts_on=TODAY, ends_on=TODAY
    )
    both.goals.set([fu.goals["1.1"], fu.goals["2.1"]])
    overview = services.plan_overview(fu.plan)
    assert [(e["area"].number, [(g.number, {a.title for a in acts}) for g, acts in e["goals"]]) for e in overview] == [
        (1, [("1.1", {"Trådlöst nät i alla klassrum", "Fortbildning och nät"}), ("1.2", set())]),
        (2, [("2.1", {"Fortbildning och nät"})]),
    ]
    assert services.plan_uncovered_goals(fu.plan, services.plan_overview(fu.plan)) == [fu.goals["1.2"]]


def test_the_plan_page_lists_goals_without_actions_as_uncovered(client, fu):
    client.force_login(fu.org.editor_a)
    response = client.get(url("plan_detail", fu.plan.pk))
    assert response.status_code == 200
    assert response.context["uncovered"] == [fu.goals["1.2"], fu.goals["2.1"]]
    html = page(response)
    assert "Ingen åtgärd bidrar till det här målet." in html
    assert "Trådlöst nät i alla klassrum" in html


def test_the_action_form_refuses_an_action_that_ends_before_it_starts(fu):
    data = action_data(fu, starts_on=TODAY.isoformat(), ends_on=(TODAY - DAY).isoformat())
    form = ActionForm(data, instance=Action(plan=fu.plan), plan=fu.plan)
    assert not form.is_valid()
    assert "sluta innan den börjar" in str(form.errors["ends_on"])


def test_the_action_view_refuses_an_action_that_ends_before_it_starts(client, fu):
    client.force_login(fu.org.editor_a)
    data = action_data(fu, title="Baklänges", ends_on=(TODAY - DAY).isoformat())
    response = client.post(url("action_create", fu.plan.pk), data)
    assert response.status_code == 200
    assert "sluta innan den börjar" in page(response)
    assert not Action.objects.filter(title="Baklänges").exists()


def test_the_database_refuses_an_action_that_ends_before_it_starts(fu):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(plan=fu.plan, title="Baklänges", responsible="x", starts_on=TODAY, ends_on=TODAY - DAY)


# --- Starting a report from the previous one ---------------------------------------------


def test_a_new_report_starts_from_the_previous_reports_rows(fu):
    user = fu.org.editor_a
    first = services.period_report_start(plan=fu.plan, period=fu.period, user=user)
    assert services.period_report_save(
        report=first,
        rows={fu.action.pk: row("postponed", "red", "Väntar på upphandling.")},
        values={},
        version=0,
        user=user,
    )
    later = Action.objects.create(
        plan=fu.plan, title="Ny åtgärd", responsible="x", starts_on=TODAY, ends_on=TODAY, status="done"
    )
    t2 = ReportPeriod.objects.create(year=TODAY.year, kind="t2", deadline=TODAY + 20 * DAY)
    report = services.period_report_start(plan=fu.plan, period=t2, user=user)
    rows = {r.action_id: (r.status, r.light, r.comment) for r in report.action_reports.all()}
    assert rows == {
        fu.action.pk: ("postponed", "red", "Väntar på upphandling."),
        later.pk: ("done", "", ""),
    }


def test_without_an_earlier_report_the_rows_start_from_the_actions_status(fu):
    report = services.period_report_start(plan=fu.plan, period=fu.period, user=fu.org.editor_a)
    assert [(r.action_id, r.status, r.light, r.comment) for r in report.action_reports.all()] == [
        (fu.action.pk, "ongoing", "", "")
    ]


def test_the_previous_report_is_the_latest_earlier_period_of_the_same_plan(fu, plan_b):
    annual = ReportPeriod.objects.create(year=TODAY.year - 1, kind="annual", deadline=TODAY + 5 * DAY)
    t2 = ReportPeriod.objects.create(year=TODAY.year, kind="t2", deadline=TODAY + 20 * DAY)
    later = ReportPeriod.objects.create(year=TODAY.year, kind="annual", deadline=TODAY + 30 * DAY)
    user = fu.org.editor_a
    last_year = services.period_report_start(plan=fu.plan, period=annual, user=user)
    services.period_report_start(plan=plan_b, period=fu.period, user=None)  # another plan's later report
    services.period_report_start(plan=fu.plan, period=later, user=user)  # this plan's report, but later
    assert services.period_report_previous(fu.plan, t2) == last_year
    t1 = services.period_report_start(plan=fu.plan, period=fu.period, user=user)
    assert services.period_report_previous(fu.plan, t2) == t1
    assert services.period_report_previous(fu.plan, annual) is None


def test_a_report_starts_from_the_latest_earlier_report_not_an_older_one(fu):
    user = fu.org.editor_a
    annual = ReportPeriod.objects.create(year=TODAY.year - 1, kind="annual", deadline=TODAY + 5 * DAY)
    old = services.period_report_start(plan=fu.plan, period=annual, user=user)
    services.period_report_save(
        report=old, rows={fu.action.pk: row(comment="Gammal text.")}, values={}, version=0, user=user
    )
    t1 = services.period_report_start(plan=fu.plan, period=fu.period, user=user)
    services.period_report_save(
        report=t1, rows={fu.action.pk: row(comment="Ny text.")}, values={}, version=0, user=user
    )
    t2 = ReportPeriod.objects.create(year=TODAY.year, kind="t2", deadline=TODAY + 20 * DAY)
    report = services.period_report_start(plan=fu.plan, period=t2, user=user)
    assert report.action_reports.get().comment == "Ny text."


# --- Saving a report -------------------------------------------------------------------


def test_saving_a_report_writes_the_action_rows_and_the_committees_indicator_values(fu):
    user = fu.org.editor_a
    report = services.period_report_start(plan=fu.plan, period=fu.period, user=user)
    indicator = fu.ind["1.2.9"]
    assert services.period_report_save(
        report=report,
        rows={fu.action.pk: row("done", "green", "Klart i alla skolor.")},
        values={indicator.pk: Decimal("55")},
        version=0,
        user=user,
    )
    report.refresh_from_db()
    assert (report.version, report.updated_by) == (1, user)
    entry = ActionReport.objects.get(report=report, action=fu.action)
    assert (entry.status, entry.light, entry.comment) == ("done", "green", "Klart i alla skolor.")
    assert services.period_report_save(
        report=report, rows={}, values={indicator.pk: Decimal("60.5")}, version=1, user=user
    )
    assert list(IndicatorValue.objects.filter(report=report).values_list("indicator_id", "value")) == [
        (indicator.pk, Decimal("60.50"))
    ]


def test_the_database_keeps_one_value_per_indicator_and_period(fu):
    report = services.period_report_start(plan=fu.plan, period=fu.period, user=fu.org.editor_a)
    IndicatorValue.objects.create(report=report, indicator=fu.ind["1.2.9"], value=Decimal("50"))
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(report=report, indicator=fu.ind["1.2.9"], value=Decimal("60"))


def test_a_report_saved_through_the_view_is_stored(client, fu):
    client.force_login(fu.org.editor_a)
    response = client.get(url("report_edit", fu.plan.pk, fu.period.pk))
    assert response.status_code == 200
    assert response.context["editable"] is True
    assert not re.search(r"<fieldset[^>]*\bdisabled\b", page(response))
    response = client.post(url("report_edit", fu.plan.pk, fu.period.pk), report_data(fu, value="55,5"))
    assert response.status_code == 302
    report = PeriodReport.objects.get(plan=fu.plan, period=fu.period)
    assert report.version == 1
    assert report.action_reports.get().comment == "Halva skolorna klara."
    assert report.indicator_values.get().value == Decimal("55.5")


def test_a_percentage_of_140_is_refused_by_the_report_form_and_nothing_is_saved(client, fu):
    indicator = fu.ind["1.2.9"]
    form = ReportForm(report_data(fu, value="140"), actions=[fu.action], indicators=[indicator])
    assert not form.is_valid()
    assert "0–100" in str(form.errors[f"value_{indicator.pk}"])

    client.force_login(fu.org.editor_a)
    response = client.post(url("report_edit", fu.plan.pk, fu.period.pk), report_data(fu, value="140"))
    assert response.status_code == 200
    assert "0–100" in page(response)
    report = PeriodReport.objects.get(plan=fu.plan, period=fu.period)
    assert report.version == 0
    assert not IndicatorValue.objects.exists()
    assert report.action_reports.get().comment == ""


def test_saving_a_report_with_an_older_version_is_a_conflict_and_writes_nothing(fu):
    report = services.period_report_start(plan=fu.plan, period=fu.period, user=fu.org.editor_a)
    assert services.period_report_save(
        report=PeriodReport.objects.get(pk=report.pk),
        rows={fu.action.pk: row(comment="Kollegans text.")},
        values={fu.ind["1.2.9"].pk: Decimal("40")},
        version=0,
        user=fu.colleague,
    )
    assert not services.period_report_save(
        report=PeriodReport.objects.get(pk=report.pk),
        rows={fu.action.pk: row(comment="Min text.")},
        values={fu.ind["1.2.9"].pk: Decimal("70")},
        version=0,
        user=fu.org.editor_a,
    )
    report.refresh_from_db()
    assert report.version == 1
    assert report.action_reports.get().comment == "Kollegans text."
    assert report.indicator_values.get().value == Decimal("40")


def test_a_report_posted_over_a_colleagues_newer_save_keeps_the_users_text(client, fu):
    report = services.period_report_start(plan=fu.plan, period=fu.period, user=fu.colleague)
    services.period_report_save(
        report=report, rows={fu.action.pk: row(comment="Kollegans text.")}, values={}, version=0, user=fu.colleague
    )
    client.force_login(fu.org.editor_a)
    response = client.post(url("report_edit", fu.plan.pk, fu.period.pk), report_data(fu, version=0))
    assert response.status_code == 200
    assert "sparade medan du skrev" in page(response)
    assert "Halva skolorna klara." in page(response)
    assert 'name="keep_mine" value="1"' in page(response)
    assert report.action_reports.get().comment == "Kollegans text."


def test_saving_a_report_past_the_deadline_is_refused(fu):
    period = ReportPeriod.objects.create(year=TODAY.year, kind="t2", deadline=TODAY - DAY)
    report = services.period_report_start(plan=fu.plan, period=period, user=fu.org.editor_a)
    with pytest.raises(services.PlanError, match="passerat sista dag"):
        services.period_report_save(
            report=report, rows={fu.action.pk: row(comment="Sent.")}, values={}, version=0, user=fu.org.editor_a
        )
    report.refresh_from_db()
    assert report.version == 0
    assert report.action_reports.get().comment == ""


def test_a_report_reopened_by_the_city_office_can_be_saved_past_the_deadline(fu):
    period = ReportPeriod.objects.create(year=TODAY.year, kind="t2", deadline=TODAY - DAY)
    report = services.period_report_start(plan=fu.plan, period=period, user=fu.org.editor_a)
    services.period_report_reopen(report=PeriodReport.objects.get(pk=report.pk), user=fu.org.admin)
    report = PeriodReport.objects.get(pk=report.pk)
    assert report.reopened
    assert services.period_report_save(
        report=report, rows={fu.action.pk: row(comment="Sent.")}, values={}, version=0, user=fu.org.editor_a
    )
    assert report.action_reports.get().comment == "Sent."


def test_the_report_page_of_a_locked_period_is_read_only_and_refuses_a_post(client, fu):
    period = ReportPeriod.objects.create(year=TODAY.year, kind="t2", deadline=TODAY - DAY)
    client.force_login(fu.org.editor_a)
    response = client.get(url("report_edit", fu.plan.pk, period.pk))
    html = page(response)
    assert response.status_code == 200
    assert response.context["editable"] is False
    assert not re.search(r"<(fieldset|textarea|select)\b", html)
    assert "rapporten är låst" in html
    assert "Spara rapporten" not in html

    response = client.post(url("report_edit", fu.plan.pk, period.pk), report_data(fu), follow=True)
    assert response.redirect_chain[-1][0] == url("plan_detail", fu.plan.pk)
    assert "passerat sista dag" in page(response)
    # Neither the page nor the refused post wrote a report.
    assert not PeriodReport.objects.filter(plan=fu.plan, period=period).exists()

    client.force_login(fu.org.admin)
    assert client.post(url("report_reopen", fu.plan.pk, period.pk)).status_code == 302
    client.force_login(fu.org.editor_a)
    report = PeriodReport.objects.get(plan=fu.plan, period=period)
    response = client.post(url("report_edit", fu.plan.pk, period.pk), report_data(fu, version=report.version))
    assert response.status_code == 302
    assert report.action_reports.get().comment == "Halva skolorna klara."


# --- Who may do what -----------------------------------------------------------------


def test_another_committees_editor_gets_404_on_the_plan(client, fu):
    services.period_report_start(plan=fu.plan, period=fu.period, user=fu.org.editor_a)
    client.force_login(fu.org.editor_b)
    assert client.get(url("plan_detail", fu.plan.pk)).status_code == 404
    assert client.post(url("plan_edit", fu.plan.pk), {"version": 0}).status_code == 404
    assert client.post(url("action_create", fu.plan.pk), action_data(fu)).status_code == 404
    assert client.post(url("action_edit", fu.plan.pk, fu.action.pk), action_data(fu)).status_code == 404
    assert client.post(url("report_edit", fu.plan.pk, fu.period.pk), report_data(fu)).status_code == 404
    assert client.get(url("plan_export_xlsx", fu.plan.pk)).status_code == 404
    assert fu.plan.actions.count() == 1


def test_the_committees_reader_reads_the_plan_but_may_not_change_it(client, fu):
    services.period_report_start(plan=fu.plan, period=fu.period, user=fu.org.editor_a)
    client.force_login(fu.org.reader_a)
    response = client.get(url("plan_detail", fu.plan.pk))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert client.get(url("report_edit", fu.plan.pk, fu.period.pk)).status_code == 200
    assert client.get(url("plan_edit", fu.plan.pk)).status_code == 403
    data = {"starts_in": TODAY.year, "ends_in": TODAY.year + 3, "status": "draft", "registry_number": "X", "version": 0}
    assert client.post(url("plan_edit", fu.plan.pk), data).status_code == 403
    assert client.post(url("action_create", fu.plan.pk), action_data(fu)).status_code == 403
    assert client.post(url("action_edit", fu.plan.pk, fu.action.pk), action_data(fu)).status_code == 403
    assert client.post(url("report_edit", fu.plan.pk, fu.period.pk), report_data(fu)).status_code == 403
    fu.plan.refresh_from_db()
    fu.action.refresh_from_db()
    assert (fu.plan.version, fu.plan.registry_number, fu.action.title) == (0, "", "Trådlöst nät i alla klassrum")
    assert fu.plan.actions.count() == 1
    assert PeriodReport.objects.get(plan=fu.plan).version == 0


def test_the_analyst_reads_every_plan_but_changes_none(client, fu, plan_b):
    client.force_login(fu.org.analyst)
    assert client.get(url("plan_detail", fu.plan.pk)).status_code == 200
    assert client.get(url("plan_detail", plan_b.pk)).status_code == 200
    assert set(client.get(url("plan_list")).context["plans"]) == {fu.plan, plan_b}
    assert client.post(url("action_create", fu.plan.pk), action_data(fu)).status_code == 403


def test_committee_staff_never_see_another_committees_plan_in_the_list(client, fu, plan_b):
    for user, plan in ((fu.org.editor_a, fu.plan), (fu.org.reader_a, fu.plan), (fu.org.editor_b, plan_b)):
        client.force_login(user)
        response = client.get(url("plan_list"))
        assert response.status_code == 200
        assert list(response.context["plans"]) == [plan]
        other = fu.org.committee_b if plan == fu.plan else fu.org.committee_a
        assert other.name not in page(response)


def test_the_city_admin_sets_up_report_periods_and_committee_editors_may_not(client, org):
    data = {"year": TODAY.year + 1, "kind": "t1", "deadline": f"{TODAY.year + 1}-05-15"}
    client.force_login(org.editor_a)
    assert client.get(url("period_list")).status_code == 403
    assert client.post(url("period_list"), data).status_code == 403
    assert not ReportPeriod.objects.exists()
    client.force_login(org.admin)
    response = client.post(url("period_list"), data, follow=True)
    assert "Rapportperioden är upplagd" in page(response)
    period = ReportPeriod.objects.get()
    assert (period.year, period.kind, period.deadline) == (TODAY.year + 1, "t1", datetime.date(TODAY.year + 1, 5, 15))


def test_the_city_admin_reopens_a_report_and_committee_editors_may_not(client, fu):
    period = ReportPeriod.objects.create(year=TODAY.year, kind="t2", deadline=TODAY - DAY)
    report = services.period_report_start(plan=fu.plan, period=period, user=fu.org.editor_a)
    client.force_login(fu.org.editor_a)
    assert client.post(url("report_reopen", fu.plan.pk, period.pk)).status_code == 403
    client.force_login(fu.org.analyst)
    assert client.post(url("report_reopen", fu.plan.pk, period.pk)).status_code == 403
    report.refresh_from_db()
    assert not report.reopened
    client.force_login(fu.org.admin)
    response = client.post(url("report_reopen", fu.plan.pk, period.pk), follow=True)
    assert "Rapporten är öppnad igen för Nämnd A" in page(response)
    report.refresh_from_db()
    assert report.reopened


# --- The schools' ratings beside the plan ------------------------------------------------

UNIT_VALUES = {
    IndicatorUnit.PERCENT: Decimal("80"),
    IndicatorUnit.YES_NO: Decimal("1"),
    IndicatorUnit.COUNT: Decimal("3"),
    IndicatorUnit.RATIO: Decimal("1.5"),
}


def rate(cycle, school, levels: dict[int, int], *, user, submit=True):
    """The school's self-assessment in `cycle` with a level per area number, handed in unless `submit` is False."""
    assessment = cycle.assessments.get(school=school)
    for area in cycle.areas.all():
        values = {ci.pk: UNIT_VALUES[ci.unit] for ci in area.indicators.all()}
        data = followup_services.AreaInput(
            level=levels[area.number], done="Gjort.", next_steps="Nästa steg.", indicator_values=values
        )
        result = followup_services.area_answer_save(assessment=assessment, area=area, data=data, version=0, user=user)
        assert not result.conflict
    if submit:
        assert followup_services.assessment_submit(assessment=assessment, user=user)


def test_the_overview_shows_the_committees_schools_handed_in_levels_in_the_latest_follow_up(client, fu):
    org = fu.org
    school_a2 = SchoolFactory(committee=org.committee_a, name="Skola A2")
    school_a3 = SchoolFactory(committee=org.committee_a, name="Skola A3")
    last_year = open_cycle(fu.strategy, year=TODAY.year - 1)
    rate(last_year, org.school_a, {1: 4, 2: 4}, user=org.principal_a)
    cycle = open_cycle(fu.strategy)
    rate(cycle, org.school_a, {1: 1, 2: 2}, user=org.principal_a)
    rate(cycle, school_a2, {1: 3, 2: 2}, user=org.principal_a)
    rate(cycle, school_a3, {1: 1, 2: 1}, user=org.principal_a, submit=False)  # a draft
    rate(cycle, org.school_b, {1: 1, 2: 1}, user=org.principal_b)  # another committee's school
    for each in (last_year, cycle):  # what the worker does after each submission
        summaries.rebuild(each)

    ratings = {e["area"].number: e["ratings"] for e in services.plan_overview(fu.plan)}
    labels = ["Inte påbörjat", "Påbörjat", "Etablerat", "Integrerat"]
    assert ratings[1].year == TODAY.year
    assert ratings[1].counts == list(zip([1, 2, 3, 4], labels, [1, 0, 1, 0], strict=True))
    assert (ratings[1].total, ratings[1].lowest) == (2, 1)
    assert ratings[2].counts == list(zip([1, 2, 3, 4], labels, [0, 2, 0, 0], strict=True))
    assert (ratings[2].total, ratings[2].lowest) == (2, 0)

    client.force_login(org.editor_a)
    assert "1 på lägsta nivån" in page(client.get(url("plan_detail", fu.plan.pk)))


def test_the_ratings_are_read_once_and_follow_a_submission_at_once(fu, django_assert_num_queries):
    org = fu.org
    school_a2 = SchoolFactory(committee=org.committee_a, name="Skola A2")
    cycle = open_cycle(fu.strategy)
    rate(cycle, org.school_a, {1: 1, 2: 2}, user=org.principal_a)
    assert services.plan_overview(fu.plan)[0]["ratings"].total == 1
    with django_assert_num_queries(0):
        followup_services.committee_area_ratings(committee_id=org.committee_a.pk, strategy_id=fu.strategy.pk)
    rate(cycle, school_a2, {1: 3, 2: 3}, user=org.principal_a)
    assert services.plan_overview(fu.plan)[0]["ratings"].total == 2


def test_the_overview_has_no_ratings_without_a_follow_up(fu):
    assert [e["ratings"] for e in services.plan_overview(fu.plan)] == [None, None]


# --- Exports -----------------------------------------------------------------------------


def test_the_excel_export_has_the_plan_and_the_goals_without_action(client, fu):
    client.force_login(fu.org.reader_a)
    response = client.get(url("plan_export_xlsx", fu.plan.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Handlingsplan", "Mål utan åtgärd"]
    assert [c.value for c in book["Handlingsplan"]["A"]][1:] == ["Trådlöst nät i alla klassrum"]
    assert [c.value for c in book["Mål utan åtgärd"]["A"]][1:] == ["1.2", "2.1"]


def test_the_excel_export_has_the_latest_report_when_there_is_one(client, fu):
    second = Action.objects.create(
        plan=fu.plan, title="Datorer åt alla", responsible="x", starts_on=TODAY, ends_on=TODAY
    )
    second.goals.set([fu.goals["1.2"]])
    report = services.period_report_start(plan=fu.plan, period=fu.period, user=fu.org.editor_a)
    services.period_report_save(
        report=report,
        rows={fu.action.pk: row("ongoing", "yellow", "Halvvägs.")},
        values={fu.ind["1.2.9"].pk: Decimal("55")},
        version=0,
        user=fu.org.editor_a,
    )
    client.force_login(fu.org.editor_a)
    response = client.get(url("plan_export_xlsx", fu.plan.pk))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Handlingsplan", "Mål utan åtgärd", "Rapport"]
    assert {c.value for c in book["Handlingsplan"]["A"]} >= {"Trådlöst nät i alla klassrum", "Datorer åt alla"}
    cells = [c.value for r in book["Rapport"].iter_rows() for c in r]
    assert "Halvvägs." in cells
    assert 55 in cells


def test_the_pdf_export_is_a_pdf_with_the_committees_name(client, fu):
    services.period_report_start(plan=fu.plan, period=fu.period, user=fu.org.editor_a)
    client.force_login(fu.org.editor_a)
    response = client.get(url("plan_export_pdf", fu.plan.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) >= 1
    assert "Nämnd A" in "".join(p.extract_text() for p in pdf.pages)


# --- History ----------------------------------------------------------------------------


def test_the_history_lists_changes_of_the_plan_an_action_and_a_report_row_with_who_and_what(client, fu):
    org = fu.org
    services.plan_save(plan=fu.plan, values={"registry_number": "KS 2026/12"}, version=0, user=org.editor_a)
    services.action_save(action=fu.action, values={"title": "Nät överallt"}, version=0, user=fu.colleague)
    report = services.period_report_start(plan=fu.plan, period=fu.period, user=org.editor_a)
    services.period_report_save(
        report=report, rows={fu.action.pk: row("done", "green", "Klart.")}, values={}, version=0, user=org.editor_a
    )
    changes = services.plan_changes(fu.plan)

    def found(what, who, old, new):
        return any(
            c.what == what and c.who == who and any((o, n) == (old, new) for _, o, n in c.changes) for c in changes
        )

    assert found("Planen", org.editor_a, "–", "KS 2026/12")
    assert found("Åtgärd: Nät överallt", fu.colleague, "Trådlöst nät i alla klassrum", "Nät överallt")
    assert found(f"{fu.period}: Nät överallt", org.editor_a, "–", "Klart.")

    client.force_login(org.reader_a)
    html = page(client.get(url("plan_history", fu.plan.pk)))
    assert "KS 2026/12" in html
    assert "Klart." in html


# --- The demo -----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_demo_has_three_committee_plans_with_uncovered_goals_and_reports_for_past_periods(db):
    call_command("load_demo")
    plans = list(ActionPlan.objects.of_committees())
    assert len(plans) == 3
    for plan in plans:
        assert services.plan_uncovered_goals(plan, services.plan_overview(plan))
        assert plan.actions.exists()
        past = plan.reports.filter(period__deadline__lt=timezone.localdate())
        assert past.exists()
        assert ActionReport.objects.filter(report__in=past).exclude(comment="").exists()
        for report in past.select_related("period"):
            # Reported when the calendar says, not on the day the demo was loaded.
            reported_on = timezone.localtime(report.updated_at).date()
            assert report.period.deadline - 7 * DAY < reported_on < report.period.deadline
            assert report.status == "submitted"
            assert report.submitted_at == report.updated_at


@pytest.mark.slow
def test_the_demo_has_the_city_offices_plan_with_a_city_goal_left_uncovered(db):
    call_command("load_demo")
    plan = ActionPlan.objects.get(committee__isnull=True)
    uncovered = services.plan_uncovered_goals(plan, services.plan_overview(plan))
    assert [goal.number for goal in uncovered] == ["4.4"]
    assert plan.actions.count() == 2


# --- Two windows on a plan, an action or a report: the one versioned save ---------------


HTMX = {"HX-Request": "true"}


def carried(response):
    """The version and base a page carries, as the browser posts them back."""
    page = response.content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    base = html.unescape(re.search(r'name="base" value="([^"]*)"', page).group(1))
    return {"version": version, "base": base}


def test_a_report_conflict_shows_the_traffic_light_and_the_progress_side_by_side(client, fu):
    services.period_report_start(plan=fu.plan, period=fu.period, user=fu.colleague)
    client.force_login(fu.org.editor_a)
    form = carried(client.get(url("report_edit", fu.plan.pk, fu.period.pk)))
    pk = fu.action.pk
    client.force_login(fu.colleague)
    theirs = report_data(fu, **form, **{f"light_{pk}": "red", f"comment_{pk}": "Försenat."})
    assert 'data-autosave-state="saved"' in page(
        client.post(url("report_edit", fu.plan.pk, fu.period.pk), theirs, headers=HTMX)
    )
    client.force_login(fu.org.editor_a)
    response = client.post(url("report_edit", fu.plan.pk, fu.period.pk), report_data(fu, **form), headers=HTMX)
    shown = html.unescape(page(response))
    assert 'data-autosave-state="conflict"' in shown
    rows = dict(re.findall(r'data-field="(\w+)"><th scope="row">[^<]*</th><td>(.*?)</td><td>', shown))
    assert rows == {f"light_{pk}": "Rött – avviker", f"comment_{pk}": "Försenat."}
    assert "Halva skolorna klara." in shown
    report = fu.plan.reports.get()
    assert report.action_reports.get().comment == "Försenat."

    response = client.post(url("report_edit", fu.plan.pk, fu.period.pk), {**report_data(fu, **form), "keep_mine": "1"})
    assert response.status_code == 302
    stored = report.action_reports.get()
    assert (stored.light, stored.comment) == ("yellow", "Halva skolorna klara.")
    assert "Försenat." in stored.history.values_list("comment", flat=True)


def test_an_action_edited_in_two_windows_in_different_fields_keeps_both(client, fu):
    client.force_login(fu.org.editor_a)
    form = carried(client.get(url("action_edit", fu.plan.pk, fu.action.pk)))
    action = {
        "title": fu.action.title,
        "description": "",
        "goals": [str(fu.goals["1.1"].pk)],
        "responsible": fu.action.responsible,
        "starts_on": fu.action.starts_on.isoformat(),
        "ends_on": fu.action.ends_on.isoformat(),
        "success_criteria": "",
        "status": "ongoing",
        **form,
    }
    client.force_login(fu.colleague)
    client.post(
        url("action_edit", fu.plan.pk, fu.action.pk), {**action, "responsible": "Förvaltningschef"}, headers=HTMX
    )
    client.force_login(fu.org.editor_a)
    response = client.post(
        url("action_edit", fu.plan.pk, fu.action.pk),
        {**action, "goals": [str(fu.goals["1.1"].pk), str(fu.goals["2.1"].pk)]},
        headers=HTMX,
    )
    assert 'data-autosave-state="merged"' in page(response)
    fu.action.refresh_from_db()
    assert fu.action.responsible == "Förvaltningschef"
    assert set(fu.action.goals.values_list("number", flat=True)) == {"1.1", "2.1"}


def test_use_theirs_on_a_plan_writes_nothing(client, fu):
    client.force_login(fu.org.editor_a)
    form = carried(client.get(url("plan_edit", fu.plan.pk)))
    services.plan_save(plan=fu.plan, values={"registry_number": "Deras"}, version=0, user=fu.colleague)
    data = {"starts_in": TODAY.year, "ends_in": TODAY.year + 3, "status": "draft", "registry_number": "Mitt", **form}
    response = client.post(url("plan_edit", fu.plan.pk), data)
    assert f"{fu.colleague} sparade medan du skrev" in page(response)
    response = client.post(url("plan_edit", fu.plan.pk), {**data, "use_theirs": "1"})
    assert response.status_code == 302
    fu.plan.refresh_from_db()
    assert (fu.plan.registry_number, fu.plan.version) == ("Deras", 1)
