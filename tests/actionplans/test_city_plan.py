"""The city office keeps its own plan for the strategy's city-level goals
("Kommunstyrelsen följer upp …"): one per strategy, made and changed by the
city office, read by committee staff, covering the city's goals and counted
where it belongs on the dashboards and in the yearly report."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from actionplans import reminders, services
from actionplans.models import Action, ActionPlan
from dashboards import blocks
from dashboards.report_tables import plans_table
from followup.models import Cycle
from strategy.models import Goal, OrganisationLevel
from tests.actionplans.test_plans import TODAY, fu, page  # noqa: F401 (fu is a fixture)

CREATE = reverse("actionplans:plan_create")


@pytest.fixture
def city(fu):  # noqa: F811
    """Goal 2.1 is the city's; the city office's plan has one action serving it."""
    Goal.objects.filter(pk=fu.goals["2.1"].pk).update(level=OrganisationLevel.CITY)
    fu.goals["2.1"].refresh_from_db()
    fu.city_plan = services.plan_create(
        committee=None, strategy=fu.strategy, starts_in=TODAY.year, ends_in=TODAY.year + 2, user=fu.org.analyst
    )
    return fu


def test_the_city_office_creates_its_plan_by_choosing_the_city_office_and_only_once(client, fu):  # noqa: F811
    client.force_login(fu.org.analyst)
    form = page(client.get(CREATE))
    assert "Stadsledningskontoret: stadens egna mål" in form
    data = {"committee": "", "strategy": fu.strategy.pk, "starts_in": TODAY.year, "ends_in": TODAY.year + 2}

    created = client.post(CREATE, data)

    plan = ActionPlan.objects.get(committee__isnull=True)
    assert created.url == reverse("actionplans:plan_detail", args=[plan.pk])
    assert "Handlingsplan för Stadsledningskontoret" in page(client.get(created.url))
    again = page(client.post(CREATE, data))
    assert "Stadsledningskontoret har redan en plan för den här strategins mål för staden." in again
    assert ActionPlan.objects.filter(committee__isnull=True).count() == 1


def test_a_committee_editor_cannot_make_a_city_plan_by_leaving_out_the_committee(client, fu):  # noqa: F811
    client.force_login(fu.org.editor_a)
    assert "Stadsledningskontoret" not in page(client.get(CREATE))

    response = client.post(
        CREATE, {"committee": "", "strategy": fu.strategy.pk, "starts_in": TODAY.year, "ends_in": TODAY.year + 2}
    )

    assert response.status_code == 200
    assert ActionPlan.objects.filter(committee__isnull=True).count() == 0


def test_the_database_holds_one_city_plan_per_strategy(city):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(committee=None, strategy=city.strategy, starts_in=2030, ends_in=2031)


@pytest.mark.parametrize(
    ("persona", "reads", "edits"),
    [
        ("analyst", 200, 200),
        ("admin", 200, 200),
        ("editor_a", 200, 403),
        ("reader_a", 200, 403),
        ("principal_a", 404, 404),
    ],
)
def test_the_city_office_changes_its_plan_and_committee_staff_read_it(client, city, persona, reads, edits):
    client.force_login(getattr(city.org, persona))

    assert client.get(reverse("actionplans:plan_detail", args=[city.city_plan.pk])).status_code == reads
    assert client.get(reverse("actionplans:action_create", args=[city.city_plan.pk])).status_code == edits


def test_the_city_plan_is_asked_to_cover_the_city_goals_and_the_committees_plans_the_others(city):
    overview = services.plan_overview(city.city_plan)
    assert [g.number for g in services.plan_uncovered_goals(city.city_plan, overview)] == ["2.1"]

    action = Action.objects.create(
        plan=city.city_plan, title="Uppföljning i årsredovisningen", responsible="SLK", starts_on=TODAY, ends_on=TODAY
    )
    action.goals.set([city.goals["2.1"]])

    assert services.plan_uncovered_goals(city.city_plan, services.plan_overview(city.city_plan)) == []
    committee = services.plan_uncovered_goals(city.plan, services.plan_overview(city.plan))
    assert [g.number for g in committee] == ["1.2"]  # 2.1 is the city's, 1.1 has an action


def test_the_city_plans_page_marks_its_uncovered_city_goal_and_leaves_the_committees_goals(client, city):
    client.force_login(city.org.analyst)

    html = page(client.get(reverse("actionplans:plan_detail", args=[city.city_plan.pk])))

    assert "1 mål saknar åtgärd" in html
    assert html.count("Ett mål för nämnderna och skolorna: nämndernas planer täcker det.") == 2  # 1.1 and 1.2


def test_the_city_dashboard_lists_the_city_office_first_counting_the_city_goals_without_action(city):
    plans = {p.committee_id: p for p in blocks.plans_for(city.strategy.pk, None)}

    table = blocks.actions_table(
        [("Stadsledningskontoret", None), ("Nämnd A", city.org.committee_a.pk)],
        plans,
        goal_count=2,
        city_goal_count=1,
    )

    assert [row[0] for row in table.rows] == ["Stadsledningskontoret", "Nämnd A"]
    assert table.rows[0][-1] == 1  # 2.1, the city's goal, has no action in the city plan yet
    assert table.rows[1][-1] == 1  # 1.2: the committee's plan serves 1.1


def test_the_yearly_reports_table_of_plans_lists_the_city_office_before_the_committees(city):
    cycle = Cycle.objects.create(
        strategy=city.strategy,
        year=TODAY.year,
        opens_on=TODAY,
        deadline=TODAY + datetime.timedelta(days=30),
        locks_on=TODAY + datetime.timedelta(days=60),
    )

    table = plans_table(cycle, now=datetime.datetime.now(datetime.UTC))

    names = [row[0] for row in table.rows]
    assert names[0] == "Stadsledningskontoret"
    assert city.org.committee_a.name in names


def test_period_reports_are_not_reminded_to_the_city_office_for_its_own_plan(city):
    day = city.period.deadline - datetime.timedelta(days=7)

    due = reminders.period_reports_due(sender=None, today=day)

    assert {row.committee_id for row in due} == {city.org.committee_a.pk}
