"""A new action is created once, however often its form is posted: its token
ties every post of the same form (autosave, Save, a retry, a second tab) to
the one action it created."""

import html
import re
import uuid

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Membership, Role
from actionplans import services
from actionplans.models import Action
from tests.actionplans import test_plans
from tests.actionplans.test_plans import HTMX, action_data, carried, page, url

fu, plan_b = test_plans.fu, test_plans.plan_b  # the plan with one action, and committee B's plan


def new_form(client, fu):
    """A new action's form as the browser gets it: its token, version and base."""
    response = client.get(url("action_create", fu.plan.pk))
    token = re.search(r'name="draft_token" value="([0-9a-f-]{36})"', page(response)).group(1)
    return {"draft_token": token, **carried(response)}


def created(fu, **filters):
    return fu.plan.actions.exclude(pk=fu.action.pk).filter(**filters)


def test_the_new_action_form_carries_a_token_of_its_own_and_keeps_its_draft_in_the_browser(client, fu):
    client.force_login(fu.org.editor_a)
    first, second = new_form(client, fu), new_form(client, fu)
    assert first["draft_token"] != second["draft_token"]
    content = page(client.get(url("action_create", fu.plan.pk)))
    assert f'data-draft-key="user-{fu.org.editor_a.pk}:plan-{fu.plan.pk}-new-action"' in content
    assert f'data-hx-post="{url("action_create", fu.plan.pk)}"' in content
    assert 'name="draft_token"' not in page(client.get(url("action_edit", fu.plan.pk, fu.action.pk)))


def test_a_new_action_posted_twice_with_its_token_is_created_once(client, fu):
    client.force_login(fu.org.editor_a)
    form = new_form(client, fu)
    for _ in range(2):  # a double click on Save
        response = client.post(url("action_create", fu.plan.pk), action_data(fu, title="Fortbildning", **form))
        assert response.status_code == 302
    action = created(fu).get()
    assert (action.title, action.version, action.created_by) == ("Fortbildning", 1, fu.org.editor_a)


def test_an_autosave_creates_the_action_and_later_saves_of_the_same_form_save_that_action(client, fu):
    client.force_login(fu.org.editor_a)
    form = new_form(client, fu)
    response = client.post(
        url("action_create", fu.plan.pk), action_data(fu, title="Fortbildning", **form), headers=HTMX
    )
    assert 'data-autosave-state="saved"' in page(response)
    action = created(fu).get()
    # The page takes the new version and base from the answer, as autosave.js does.
    form["version"] = re.search(r'name="version" value="(\d+)"', page(response)).group(1)
    form["base"] = html.unescape(re.search(r'name="base" value="([^"]*)"', page(response)).group(1))
    data = action_data(fu, title="Fortbildning", description="Skrivet efter första sparningen.", **form)
    response = client.post(url("action_create", fu.plan.pk), data, headers=HTMX)
    assert 'data-autosave-state="saved"' in page(response)
    response = client.post(url("action_create", fu.plan.pk), {**data, "version": "2"})  # then Save
    assert response.status_code == 302
    action.refresh_from_db()
    assert created(fu).count() == 1
    assert (action.description, action.version) == ("Skrivet efter första sparningen.", 2)


def test_a_retry_with_more_text_after_the_action_was_created_shows_both_and_creates_no_second(client, fu):
    client.force_login(fu.org.editor_a)
    form = new_form(client, fu)
    client.post(url("action_create", fu.plan.pk), action_data(fu, title="Fortbildning", **form), headers=HTMX)
    # The answer never reached the page (a closed tab): its draft still says version 0.
    response = client.post(
        url("action_create", fu.plan.pk), action_data(fu, title="Fortbildning för alla", **form), headers=HTMX
    )
    assert 'data-autosave-state="conflict"' in page(response)
    assert "i ett annat fönster" in page(response)
    assert created(fu).get().title == "Fortbildning"
    response = client.post(
        url("action_create", fu.plan.pk),
        {**action_data(fu, title="Fortbildning för alla", **form), "keep_mine": "1"},
    )
    assert response.status_code == 302
    assert created(fu).get().title == "Fortbildning för alla"


def test_another_user_posting_the_same_token_gets_404_and_changes_nothing(client, fu):
    client.force_login(fu.org.editor_a)
    form = new_form(client, fu)
    client.post(url("action_create", fu.plan.pk), action_data(fu, title="Fortbildning", **form))
    client.force_login(fu.colleague)
    response = client.post(url("action_create", fu.plan.pk), action_data(fu, title="Kollegans", **form), headers=HTMX)
    assert response.status_code == 404
    assert list(created(fu).values_list("title", flat=True)) == ["Fortbildning"]


def test_the_same_token_posted_to_another_plan_gets_404_and_creates_nothing(client, fu, plan_b):
    Membership.objects.create(user=fu.org.editor_a, role=Role.COMMITTEE_EDITOR, committee=fu.org.committee_b)
    client.force_login(fu.org.editor_a)
    form = new_form(client, fu)
    client.post(url("action_create", fu.plan.pk), action_data(fu, title="Fortbildning", **form))
    response = client.post(url("action_create", plan_b.pk), action_data(fu, title="I fel plan", **form))
    assert response.status_code == 404
    assert not plan_b.actions.exists()


def test_a_new_action_with_an_error_saves_nothing_and_its_form_can_still_be_saved_once(client, fu):
    client.force_login(fu.org.editor_a)
    form = new_form(client, fu)
    wrong = action_data(fu, title="Fortbildning", starts_on="2030-06-01", ends_on="2030-01-01", **form)
    response = client.post(url("action_create", fu.plan.pk), wrong, headers=HTMX)
    assert 'data-autosave-state="invalid"' in page(response)
    assert "ends_on" in page(response)  # the field marked in error
    response = client.post(url("action_create", fu.plan.pk), wrong)
    assert response.status_code == 200
    assert form["draft_token"] in page(response)  # the page keeps its form's token
    assert not created(fu).exists()
    assert client.post(url("action_create", fu.plan.pk), action_data(fu, **form)).status_code == 302
    assert client.post(url("action_create", fu.plan.pk), action_data(fu, **form)).status_code == 302
    assert created(fu).count() == 1


def test_a_new_action_still_being_typed_is_kept_in_the_browser_and_no_field_is_marked(client, fu):
    client.force_login(fu.org.editor_a)
    form = new_form(client, fu)
    data = {"title": "Bara en rubrik", "status": "planned", **form}
    content = page(client.post(url("action_create", fu.plan.pk), data, headers=HTMX))
    assert 'data-autosave-state="incomplete"' in content
    assert "finns kvar i den här webbläsaren" in content
    assert 'data-errors="{}"' in content
    assert not created(fu).exists()


def test_saving_a_new_action_with_save_names_its_token_for_the_browser_to_forget_the_draft(client, fu):
    client.force_login(fu.org.editor_a)
    form = new_form(client, fu)
    response = client.post(url("action_create", fu.plan.pk), action_data(fu, **form), follow=True)
    content = page(response)
    assert f'data-stored-draft="{form["draft_token"]}"' in content
    assert 'class="alert alert-success"' in content
    assert "Åtgärden är sparad." in content


def test_use_theirs_on_a_new_action_form_opens_the_action_it_created(client, fu):
    client.force_login(fu.org.editor_a)
    form = new_form(client, fu)
    client.post(url("action_create", fu.plan.pk), action_data(fu, title="Fortbildning", **form))
    response = client.post(url("action_create", fu.plan.pk), {**action_data(fu, **form), "use_theirs": "1"})
    assert response.url == url("action_edit", fu.plan.pk, created(fu).get().pk)
    assert created(fu).get().title == "Fortbildning"


def test_the_service_saves_the_action_a_token_created_and_refuses_it_to_another_user(fu):
    token = uuid.uuid4()
    values = {"title": "Fortbildning", "goals": [fu.goals["1.1"]], "responsible": "Rektorer"}
    values |= {"starts_on": fu.action.starts_on, "ends_on": fu.action.ends_on, "status": "planned"}
    first = services.action_save(
        action=Action(plan=fu.plan), values=values, version=0, base=None, user=fu.org.editor_a, draft_token=token
    )
    again = services.action_save(
        action=Action(plan=fu.plan), values=values, version=1, base=None, user=fu.org.editor_a, draft_token=token
    )
    assert first
    assert again
    assert created(fu).count() == 1
    with pytest.raises(services.ActionFormTaken):
        services.action_save(
            action=Action(plan=fu.plan), values=values, version=1, user=fu.colleague, draft_token=token
        )
    assert created(fu).get().version == 1


def test_the_database_refuses_two_actions_from_one_form(fu):
    token = uuid.uuid4()
    fields = {"responsible": "Rektorer", "starts_on": fu.action.starts_on, "ends_on": fu.action.ends_on}
    Action.objects.create(plan=fu.plan, title="Första", draft_token=token, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(plan=fu.plan, title="Andra", draft_token=token, **fields)
