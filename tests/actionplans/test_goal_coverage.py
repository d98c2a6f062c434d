"""A committee's plan is asked to cover the committee's and the schools' goals,
not the city's; coverage counts each goal where it belongs."""

from django.urls import reverse

from actionplans import services
from dashboards import blocks
from strategy.models import Goal, OrganisationLevel
from tests.actionplans.test_plans import fu, page  # noqa: F401 (fu is a fixture)


def levels(fu, **by_number):  # noqa: F811
    for number, level in by_number.items():
        Goal.objects.filter(pk=fu.goals[number].pk).update(level=level)


def test_a_city_goal_without_an_action_is_not_counted_against_the_committee(fu):  # noqa: F811
    levels(fu, **{"1.2": OrganisationLevel.SCHOOL, "2.1": OrganisationLevel.CITY})

    uncovered = services.plan_uncovered_goals(fu.plan, services.plan_overview(fu.plan))

    assert [g.number for g in uncovered] == ["1.2"]
    assert [g.number for g in blocks.uncovered_goals(fu.strategy.pk, fu.org.committee_a.pk)] == ["1.2"]


def test_the_plan_page_counts_only_the_goals_the_committee_is_asked_to_cover(client, fu):  # noqa: F811
    levels(fu, **{"2.1": OrganisationLevel.CITY})
    client.force_login(fu.org.editor_a)

    html = page(client.get(reverse("actionplans:plan_detail", args=[fu.plan.pk])))

    assert "1 mål saknar åtgärd" in html
    assert "stadsledningskontoret följer upp det" in html


def test_the_dashboards_count_of_goals_without_an_action_leaves_out_city_goals(fu):  # noqa: F811
    levels(fu, **{"2.1": OrganisationLevel.CITY})

    plan = blocks.plans_for(fu.strategy.pk, [fu.org.committee_a.pk]).get()
    goal_count = Goal.objects.filter(focus_area__strategy=fu.strategy).for_committee_plans().count()
    table = blocks.actions_table(
        [("Nämnd A", fu.org.committee_a.pk)], {fu.org.committee_a.pk: plan}, goal_count=goal_count
    )

    assert goal_count == 2
    assert table.rows[0][-1] == 1  # 1.2; 1.1 has an action and 2.1 is the city's
