"""The strategy file's indicators the portal computes (`reported_by: portal`):
read with their formula and source, written back the same, and refused with
the place named when the formula or the source is wrong."""

import pytest
import yaml
from django.urls import reverse

from strategy import services
from strategy.models import Formula, Indicator, Reporter
from tests.strategy.test_services import STOCKHOLM, dump, load, places, refused


def indicator_at(document, area, goal, number):
    return document["focus_areas"][area]["goals"][goal]["indicators"][number]


def test_the_example_strategy_holds_one_computed_indicator_of_each_formula(db):
    strategy = services.strategy_import(text=STOCKHOLM.read_text(encoding="utf-8"))
    computed = Indicator.objects.filter(goal__focus_area__strategy=strategy, reported_by=Reporter.PORTAL)
    assert sorted(computed.values_list("code", "formula", "source")) == [
        ("1.5.3", Formula.PER_PUPIL, "1.5.2"),
        ("5.1.2", Formula.PLANS_ADOPTED, ""),
        ("5.2.2", Formula.ASSESSMENTS_APPROVED, ""),
    ]


def test_a_computed_indicator_is_exported_with_its_formula_and_source_and_reads_back_the_same(db):
    strategy = services.strategy_import(text=STOCKHOLM.read_text(encoding="utf-8"))
    exported = services.strategy_export(strategy=strategy)
    document = yaml.safe_load(exported)
    per_pupil = indicator_at(document, 0, 4, 2)
    assert per_pupil["code"] == "1.5.3"
    assert per_pupil["reported_by"] == "portal"
    assert per_pupil["formula"] == "per_pupil"
    assert per_pupil["source"] == "1.5.2"
    plans = indicator_at(document, 4, 0, 1)
    assert plans["formula"] == "plans_adopted"
    assert "source" not in plans
    assert "formula" not in indicator_at(document, 0, 0, 0)
    strategy.delete()
    again = services.strategy_import(text=exported)
    assert services.strategy_export(strategy=again) == exported


def file_with(change) -> str:
    document = load()
    change(indicator_at(document, 0, 4, 2))
    return dump(document)


PLACE = "focus_areas[1].goals[5].indicators[3]"


@pytest.mark.parametrize(
    ("change", "place", "words"),
    [
        pytest.param(
            lambda i: i.update(formula="elever"),
            f"{PLACE}.formula",
            ["okänd formel", "per_pupil"],
            id="unknown formula",
        ),
        pytest.param(lambda i: i.pop("formula"), f"{PLACE}.formula", ["saknas"], id="no formula"),
        pytest.param(lambda i: i.pop("source"), f"{PLACE}.source", ["saknas", "per_pupil"], id="no source"),
        pytest.param(
            lambda i: i.update(source="9.9.9"),
            f"{PLACE}.source",
            ["ingen indikator i filen har koden '9.9.9'"],
            id="unknown source",
        ),
        pytest.param(
            lambda i: i.update(source="1.5.1"),
            f"{PLACE}.source",
            ["1.5.1 är inte ett antal som skolenheterna rapporterar", "focus_areas[1].goals[5].indicators[1]"],
            id="source not a count",
        ),
        pytest.param(lambda i: i.update(unit="percent"), f"{PLACE}.unit", ["skriv unit: ratio"], id="wrong unit"),
        pytest.param(
            lambda i: i.update(formula="plans_adopted", unit="percent"),
            f"{PLACE}.source",
            ["läser ingen källa"],
            id="source where none is read",
        ),
        pytest.param(
            lambda i: i.update(reported_by="school"),
            f"{PLACE}.formula",
            ["bara en indikator som portalen beräknar"],
            id="typed indicator with a formula",
        ),
    ],
)
def test_a_computed_indicator_with_a_wrong_formula_or_source_is_refused_with_its_place(db, change, place, words):
    problems = refused(file_with(change))
    assert place in places(problems)
    message = next(p.message for p in problems if p.place == place)
    for word in words:
        assert word in message


def test_the_strategy_page_says_how_a_computed_indicator_is_computed(client, org):
    strategy = services.strategy_import(text=STOCKHOLM.read_text(encoding="utf-8"))
    client.force_login(org.analyst)
    page = client.get(reverse("strategy:strategy_detail", args=[strategy.pk])).content.decode()
    assert "Portalen, beräknat ur det den har" in page
    assert "Ett antal som skolenheterna rapporterar, per elev (1.5.2)" in page
    assert "Andel nämnder med en antagen handlingsplan</span>" in page
