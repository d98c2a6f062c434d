from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from strategy.models import Indicator, Strategy, StrategyStatus, Target
from tests.factories import IndicatorFactory, StrategyFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "strategy" / "examples"


def test_a_draft_strategy_is_read_only_by_the_city_office(client, org):
    draft = StrategyFactory(status=StrategyStatus.DRAFT, title="Utkast till ny strategi")
    client.force_login(org.principal_a)
    assert client.get(reverse("strategy:strategy_detail", args=[draft.pk])).status_code == 404
    assert "Utkast till ny strategi" not in client.get(reverse("strategy:strategy_list")).content.decode()
    client.force_login(org.analyst)
    assert client.get(reverse("strategy:strategy_detail", args=[draft.pk])).status_code == 200
    assert "Utkast till ny strategi" in client.get(reverse("strategy:strategy_list")).content.decode()


def test_a_committees_own_indicator_is_shown_to_that_committee_only(client, org):
    IndicatorFactory(goal=org.indicator_a.goal, owner=None, code="C1", name="Stadens gemensamma indikator")
    url = reverse("strategy:strategy_detail", args=[org.strategy.pk])
    client.force_login(org.editor_a)
    page = client.get(url).content.decode()
    assert org.indicator_a.name in page
    assert "Stadens gemensamma indikator" in page
    client.force_login(org.editor_b)
    page = client.get(url).content.decode()
    assert org.indicator_a.name not in page
    assert "Stadens gemensamma indikator" in page


def test_the_city_admin_imports_a_strategy_file_in_the_browser(client, org):
    client.force_login(org.admin)
    upload = SimpleUploadedFile("stockholm.yaml", (EXAMPLES / "stockholm-2011.yaml").read_bytes())
    response = client.post(reverse("strategy:strategy_import"), {"file": upload})
    strategy = Strategy.objects.get(title="It-strategi för ett bättre lärande")
    assert response.status_code == 302
    assert response["Location"] == reverse("strategy:strategy_detail", args=[strategy.pk])
    assert strategy.focus_areas.count() == 5


def test_a_bad_strategy_file_lists_its_problems_and_imports_nothing(client, org):
    client.force_login(org.admin)
    text = (EXAMPLES / "stockholm-2011.yaml").read_text().replace("unit: percent", "unit: procent", 1)
    text = text.replace("title: It-strategi för ett bättre lärande", "title: ''", 1)
    before = Strategy.objects.count()
    response = client.post(reverse("strategy:strategy_import"), {"file": SimpleUploadedFile("s.yaml", text.encode())})
    assert response.status_code == 200
    places = [p.place for p in response.context["problems"]]
    assert places == ["strategy.title", "focus_areas[1].goals[1].indicators[1].unit"]
    assert "procent" in response.content.decode()
    assert Strategy.objects.count() == before


def test_a_committee_editor_adds_an_indicator_with_targets(client, org):
    goal = org.indicator_a.goal
    client.force_login(org.editor_a)
    data = {
        "goal": goal.pk,
        "code": "A2",
        "name": "Andel lärare med egen dator",
        "definition": "",
        "unit": "percent",
        "direction": "higher",
        "reported_by": "school",
        "targets-TOTAL_FORMS": "3",
        "targets-INITIAL_FORMS": "0",
        "targets-0-year": "2026",
        "targets-0-value": "80",
        "targets-1-year": "2027",
        "targets-1-value": "95",
    }
    url = reverse("strategy:committee_indicator_create", args=[org.strategy.pk, org.committee_a.pk])
    response = client.post(url, data)
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="A2")
    assert indicator.owner == org.committee_a
    assert list(indicator.targets.values_list("year", "value")) == [(2026, 80), (2027, 95)]


def test_a_percentage_target_above_100_is_refused_and_nothing_is_saved(client, org):
    client.force_login(org.editor_a)
    url = reverse("strategy:committee_indicator_edit", args=[org.strategy.pk, org.committee_a.pk, org.indicator_a.pk])
    data = {
        "goal": org.indicator_a.goal.pk,
        "code": "A1",
        "name": "Nytt namn",
        "unit": "percent",
        "direction": "higher",
        "reported_by": "school",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-year": "2026",
        "targets-0-value": "140",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "140" in response.content.decode()
    assert "0–100" in response.content.decode()
    org.indicator_a.refresh_from_db()
    assert org.indicator_a.name != "Nytt namn"
    assert not Target.objects.filter(indicator=org.indicator_a).exists()


def test_a_committee_indicator_cannot_take_the_code_of_a_city_wide_one(client, org):
    IndicatorFactory(goal=org.indicator_a.goal, owner=None, code="1.1.1")
    client.force_login(org.editor_a)
    url = reverse("strategy:committee_indicator_create", args=[org.strategy.pk, org.committee_a.pk])
    data = {
        "goal": org.indicator_a.goal.pk,
        "code": "1.1.1",
        "name": "Dubblett",
        "unit": "count",
        "direction": "higher",
        "reported_by": "committee",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Indicator.objects.filter(name="Dubblett").exists()


def test_the_city_admin_role_keeps_strategies_in_the_django_admin(client, org):
    client.force_login(org.admin)
    assert client.get(reverse("admin:strategy_strategy_change", args=[org.strategy.pk])).status_code == 200
    assert client.get(reverse("admin:strategy_goal_changelist")).status_code == 200
    client.force_login(org.analyst)
    assert client.get(reverse("admin:strategy_strategy_changelist")).status_code == 302


def test_the_admin_refuses_numbers_and_codes_the_file_format_could_not_hold(org):
    import pytest
    from django.core.exceptions import ValidationError

    from strategy.models import FocusArea, Goal

    goal = org.indicator_a.goal
    # A number the strategy's areas (numbered by a factory sequence) do not have.
    free = max(org.strategy.focus_areas.values_list("number", flat=True), default=0) + 1
    other_area = FocusArea.objects.create(strategy=org.strategy, number=free, title="Annat område")
    with pytest.raises(ValidationError) as refused:
        Goal(focus_area=other_area, number=goal.number, text="Samma nummer i ett annat område").full_clean()
    assert "number" in refused.value.error_dict
    city_wide = IndicatorFactory(goal=goal, owner=None, code="X1")
    other_goal = Goal.objects.create(focus_area=other_area, number=f"{free}.1", text="Mål")
    duplicate = Indicator(goal=other_goal, code=city_wide.code, name="Dubblett", unit="count", reported_by="school")
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert "code" in refused.value.error_dict


def test_a_committee_indicator_without_a_goal_is_a_form_error_in_swedish(client, org):
    client.force_login(org.editor_a)
    url = reverse("strategy:committee_indicator_create", args=[org.strategy.pk, org.committee_a.pk])
    data = {
        "goal": "",
        "code": "A9",
        "name": "Utan mål",
        "unit": "count",
        "direction": "higher",
        "reported_by": "committee",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-year": "2026",
        "targets-0-value": "3",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["goal"] == ["Välj vilket av strategins mål indikatorn hör till."]
    assert "Välj vilket av strategins mål indikatorn hör till." in response.content.decode()
    assert not Indicator.objects.filter(code="A9").exists()
    assert not Target.objects.filter(year=2026, value=3).exists()


def test_a_committees_targets_are_shown_in_number_inputs_with_a_dot_decimal(client, org):
    from decimal import Decimal

    org.indicator_a.targets.create(year=2026, value=Decimal("60"))
    org.indicator_a.targets.create(year=2027, value=Decimal("72.5"))
    client.force_login(org.editor_a)
    url = reverse("strategy:committee_indicator_edit", args=[org.strategy.pk, org.committee_a.pk, org.indicator_a.pk])
    page = client.get(url).content.decode()
    assert 'type="number" step="any" name="targets-0-value" id="id_targets-0-value" value="60.00"' in page
    assert 'value="72.50"' in page
    assert "60,00" not in page


def test_the_indicator_form_names_the_goal_in_swedish(client, org):
    client.force_login(org.editor_a)
    url = reverse("strategy:committee_indicator_edit", args=[org.strategy.pk, org.committee_a.pk, org.indicator_a.pk])
    page = client.get(url).content.decode()
    assert 'for="id_goal" class="form-label requiredField">\n                Mål' in page or ">Mål<" in page.replace(
        "\n", ""
    ).replace(" ", "")
    assert ">Goal" not in page.replace("\n", "").replace(" ", "")
