"""The action plan's page: goals without action as a short list that opens on
demand, and each action's fields as a list rather than a line."""

import re

from tests.actionplans.test_plans import DAY, TODAY, fu, page, url  # noqa: F401 (fixture)


def test_goals_without_action_are_a_collapsed_list_linking_to_each_goal(client, fu):  # noqa: F811
    client.force_login(fu.org.editor_a)
    html = page(client.get(url("plan_detail", fu.plan.pk)))
    section = re.search(r'<section class="uncovered-goals.*?</section>', html, re.S).group(0)
    assert '<h2 id="uncovered-heading" class="h5 mb-1">2 mål saknar åtgärd</h2>' in section
    details = re.search(r"<details>(.*?)</details>", section, re.S).group(1)
    assert "<summary>Visa målen</summary>" in details
    for number in ("1.2", "2.1"):
        goal = fu.goals[number]
        assert f'<li><a href="#goal-{goal.pk}">{number}</a> ' in details
        assert f'<li id="goal-{goal.pk}" class="plan-goal mb-3 plan-goal-uncovered">' in html
    assert "alert-warning" not in html


def test_an_actions_fields_are_a_list_of_name_and_value_not_a_dashed_line(client, fu):  # noqa: F811
    client.force_login(fu.org.editor_a)
    html = page(client.get(url("plan_detail", fu.plan.pk)))
    item = re.search(r'<li class="action-item">(.*?)</li>', html, re.S).group(1)
    edit = url("action_edit", fu.plan.pk, fu.action.pk)
    assert f'<a href="{edit}">Trådlöst nät i alla klassrum</a>' in item
    fields = dict(re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", item))
    assert fields == {
        "Status": '<span class="tag tag-action-ongoing">Pågår</span>',
        "Ansvarig": "IT-samordnare",
        "Tid": f"{TODAY:%Y-%m-%d} – {TODAY + 365 * DAY:%Y-%m-%d}",
    }
    assert "Trådlöst nät i alla klassrum</a> – " not in html


def test_every_goal_covered_is_said_in_one_line(client, fu):  # noqa: F811
    fu.action.goals.set(fu.goals.values())
    client.force_login(fu.org.editor_a)
    html = page(client.get(url("plan_detail", fu.plan.pk)))
    assert "<details>" not in html
    assert "Varje mål i strategin har minst en åtgärd." in html
