"""The principal's area form: the maturity scale as cards that stay radios."""

import importlib
import re

from django.apps import apps
from django.urls import reverse

from followup import services
from strategy.models import Goal, OrganisationLevel
from tests.factories import followup_strategy, open_cycle


def area_page(client, assessment, number=1):
    return client.get(reverse("followup:assessment_area", args=[assessment.pk, number])).content.decode()


def level_fieldset(page):
    return re.search(r'<fieldset class="mb-4" aria-describedby="level-help">.*?</fieldset>', page, re.S).group(0)


def test_the_maturity_scale_is_a_fieldset_of_radios_each_a_card_described_by_its_level(client, org):
    cycle = open_cycle(followup_strategy(owner=org.committee_a), user=org.admin)
    assessment = cycle.assessments.get(school=org.school_a)
    client.force_login(org.principal_a)
    fieldset = level_fieldset(area_page(client, assessment))
    assert "<legend" in fieldset
    assert "Mognadsnivå</legend>" in fieldset
    cards = re.findall(r'<div class="level-card level-card-(\d)">(.*?)</div>', fieldset, re.S)
    assert [level for level, _card in cards] == [str(lv.level) for lv in cycle.levels.all()]
    for level, card in cards:
        radio = re.search(r"<input [^>]*>", card).group(0)
        assert 'type="radio"' in radio
        assert 'name="level"' in radio
        assert f'value="{level}"' in radio
        radio_id = re.search(r'id="([^"]+)"', radio).group(1)
        assert f'aria-describedby="{radio_id}-description"' in radio
        assert f'<label class="level-card-label" for="{radio_id}">{level}. ' in card
        assert f'id="{radio_id}-description"' in card
    assert "Förra året" not in fieldset


def test_last_years_level_is_marked_on_the_scale(client, org):
    strategy = followup_strategy(owner=org.committee_a)
    this_year = open_cycle(strategy, user=org.admin)
    last_year = open_cycle(strategy, year=this_year.year - 1, user=org.admin)
    old = last_year.assessments.get(school=org.school_a)
    data = services.AreaInput(level=2, done="Nät.", next_steps="Mer.", indicator_values={})
    services.area_answer_save(
        assessment=old, area=last_year.areas.get(number=1), data=data, version=0, user=org.principal_a
    )
    client.force_login(org.principal_a)
    fieldset = level_fieldset(area_page(client, this_year.assessments.get(school=org.school_a)))
    marked = re.findall(r'<div class="level-card level-card-(\d)">(?:(?!</div>).)*Förra året', fieldset, re.S)
    assert marked == ["2"]
    assert '2. Påbörjat <span class="tag tag-last-year">Förra året</span></label>' in fieldset


def test_the_principals_form_shows_the_strategys_goals_for_the_school_apart(client, org):
    strategy = followup_strategy(owner=org.committee_a)
    Goal.objects.filter(focus_area__strategy=strategy, number="1.2").update(level=OrganisationLevel.SCHOOL)
    Goal.objects.filter(focus_area__strategy=strategy, number="1.1").update(level=OrganisationLevel.CITY)
    cycle = open_cycle(strategy, user=org.admin)
    client.force_login(org.principal_a)

    page = area_page(client, cycle.assessments.get(school=org.school_a))

    section = re.search(r'<section class="mb-3" aria-labelledby="school-goals-heading">(.*?)</section>', page, re.S)
    assert "Strategins mål för skolan" in section.group(1)
    assert "Datorer åt alla elever." in section.group(1)
    assert "Trådlöst nät överallt." not in section.group(1)


def test_follow_ups_opened_before_goal_levels_were_copied_get_them_from_the_strategy(org):
    strategy = followup_strategy(owner=org.committee_a)
    Goal.objects.filter(focus_area__strategy=strategy, number="1.2").update(level=OrganisationLevel.SCHOOL)
    cycle = open_cycle(strategy, user=org.admin)
    area = cycle.areas.get(number=1)
    area.goals = [{"number": goal["number"], "text": goal["text"]} for goal in area.goals]  # as copied before
    area.save()

    importlib.import_module("followup.migrations.0009_goal_levels_in_cycle_areas").copy_levels(apps, None)

    area.refresh_from_db()
    assert [goal["number"] for goal in area.school_goals] == ["1.2"]
