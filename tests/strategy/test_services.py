"""Import and export of strategy files (strategy/services.py, reading and
checking in strategy/file_reading.py and strategy/file_checks.py), the strategy
models' rules and constraints, and the import_strategy / export_strategy
commands."""

import datetime
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from strategy import file_checks, file_reading, services
from strategy.models import (
    FocusArea,
    Goal,
    Indicator,
    IndicatorUnit,
    MaturityLevel,
    Reporter,
    Strategy,
    StrategyStatus,
    Target,
)
from tests.factories import CommitteeFactory, FocusAreaFactory, GoalFactory, IndicatorFactory, StrategyFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "strategy" / "examples"
STOCKHOLM = EXAMPLES / "stockholm-2011.yaml"
HUDDINGE = EXAMPLES / "huddinge-2013-2016.yaml"
MODELS = (Strategy, FocusArea, Goal, Indicator, Target, MaturityLevel)


# --- Helpers ----------------------------------------------------------------


def load(path: Path = STOCKHOLM) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def refused(text: str) -> list[file_checks.Problem]:
    """The problems of a file that strategy_import refuses; asserts that nothing was written."""
    before = counts()
    with pytest.raises(file_checks.StrategyFileError) as caught:
        services.strategy_import(text=text)
    assert counts() == before
    return caught.value.problems


def places(problems: list[file_checks.Problem]) -> list[str]:
    return [problem.place for problem in problems]


def snapshot(strategy: Strategy) -> dict:
    """Everything a strategy holds, without database ids: city-wide indicators only."""
    head = {
        field: getattr(strategy, field)
        for field in (
            "title",
            "city",
            "decided_by",
            "decided_on",
            "registry_number",
            "valid_from",
            "valid_to",
            "status",
            "introduction",
        )
    }
    return {
        "strategy": head,
        "maturity_scale": list(strategy.maturity_levels.values_list("level", "label", "description")),
        "focus_areas": [
            {
                "area": (area.number, area.title, area.description),
                "goals": [
                    {
                        "goal": (goal.number, goal.position, goal.text, goal.level),
                        "indicators": [
                            (
                                indicator.code,
                                indicator.position,
                                indicator.name,
                                indicator.definition,
                                indicator.unit,
                                indicator.direction,
                                indicator.reported_by,
                                indicator.formula,
                                indicator.source,
                                list(indicator.targets.values_list("year", "value")),
                            )
                            for indicator in goal.indicators.city_wide()
                        ],
                    }
                    for goal in area.goals.all()
                ],
            }
            for area in strategy.focus_areas.all()
        ],
    }


# --- The example files ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "areas", "goals", "indicators", "targets", "levels"),
    [(STOCKHOLM, 5, 23, 19, 63, 4), (HUDDINGE, 6, 22, 7, 24, 4)],
    ids=["stockholm", "huddinge"],
)
def test_both_example_files_import_whole(db, path, areas, goals, indicators, targets, levels):
    strategy = services.strategy_import(text=path.read_text(encoding="utf-8"))
    assert strategy.focus_areas.count() == areas
    assert Goal.objects.filter(focus_area__strategy=strategy).count() == goals
    assert Indicator.objects.filter(goal__focus_area__strategy=strategy).count() == indicators
    assert Target.objects.filter(indicator__goal__focus_area__strategy=strategy).count() == targets
    assert strategy.maturity_levels.count() == levels
    assert list(strategy.maturity_levels.values_list("level", flat=True)) == list(range(1, levels + 1))
    assert counts() == {
        "Strategy": 1,
        "FocusArea": areas,
        "Goal": goals,
        "Indicator": indicators,
        "Target": targets,
        "MaturityLevel": levels,
    }


def test_the_stockholm_strategy_is_imported_with_its_exact_values(db):
    strategy = services.strategy_import(text=STOCKHOLM.read_bytes())
    strategy.refresh_from_db()
    assert strategy.title == "It-strategi för ett bättre lärande"
    assert strategy.city == "Stockholms stad"
    assert strategy.decided_by == "Kommunfullmäktige"
    assert strategy.registry_number == "031-2674/2010"
    assert strategy.decided_on == datetime.date(2011, 5, 2)
    assert strategy.valid_from == 2011
    assert strategy.valid_to is None
    assert strategy.status == StrategyStatus.ADOPTED
    assert strategy.introduction.startswith("I en förskola och skola i världsklass")
    assert "\n\nEn aktiv omvärldsbevakning" in strategy.introduction
    assert not strategy.introduction.endswith("\n")

    area = strategy.focus_areas.get(number=1)
    assert area.title == "Infrastruktur för ökad tillgänglighet"
    assert list(area.goals.values_list("number", "position")) == [
        ("1.1", 1),
        ("1.2", 2),
        ("1.3", 3),
        ("1.4", 4),
        ("1.5", 5),
    ]
    assert area.goals.get(number="1.4").level == "school"
    assert area.goals.get(number="1.1").level == ""

    indicator = Indicator.objects.get(goal__focus_area__strategy=strategy, name="Trådlösa nät finns på samtliga skolor")
    assert indicator.code == "1.1.1"
    assert indicator.goal.number == "1.1"
    assert indicator.unit == IndicatorUnit.PERCENT
    assert indicator.direction == "higher"
    assert indicator.reported_by == Reporter.SCHOOL
    assert indicator.owner is None
    assert list(indicator.targets.values_list("year", "value")) == [
        (2012, Decimal("80")),
        (2013, Decimal("100")),
        (2014, Decimal("100")),
        (2015, Decimal("100")),
    ]
    ratio = Indicator.objects.get(goal__focus_area__strategy=strategy, code="1.5.1")
    assert ratio.unit == IndicatorUnit.RATIO
    assert list(ratio.targets.values_list("value", flat=True)) == [
        Decimal("0.2"),
        Decimal("0.25"),
        Decimal("0.33"),
        Decimal("0.5"),
    ]
    assert Indicator.objects.get(code="3.1.1").targets.count() == 0
    assert strategy.maturity_levels.get(level=4).label == "Integrerat i verksamheten"


def test_the_huddinge_strategy_is_imported_valid_2013_to_2016_and_archived(db):
    strategy = services.strategy_import(text=HUDDINGE.read_text(encoding="utf-8"))
    strategy.refresh_from_db()
    assert strategy.title == "e-strategi i utbildningen 2013-2016"
    assert strategy.city == "Huddinge kommun"
    assert (strategy.valid_from, strategy.valid_to) == (2013, 2016)
    assert strategy.period == "2013–2016"
    assert strategy.status == StrategyStatus.ARCHIVED
    assert strategy.decided_on is None
    assert strategy.registry_number == ""
    assert strategy.focus_areas.get(number=6).title == "Ansvarsfördelning och organisation"
    ratio = Indicator.objects.get(goal__focus_area__strategy=strategy, code="3.4.1")
    assert ratio.unit == IndicatorUnit.RATIO
    assert ratio.targets.get(year=2016).value == Decimal("0.8")
    assert Strategy.objects.published().filter(pk=strategy.pk).exists()


# --- Export, then import ----------------------------------------------------


@pytest.mark.parametrize("path", [STOCKHOLM, HUDDINGE], ids=["stockholm", "huddinge"])
def test_export_then_import_into_an_empty_database_gives_the_same_strategy(db, path):
    strategy = services.strategy_import(text=path.read_text(encoding="utf-8"))
    before = snapshot(strategy)
    exported = services.strategy_export(strategy=strategy)
    strategy.delete()
    assert counts() == dict.fromkeys((model.__name__ for model in MODELS), 0)

    again = services.strategy_import(text=exported)
    assert snapshot(again) == before
    assert services.strategy_export(strategy=again) == exported
    assert yaml.safe_load(services.strategy_export(strategy=again)) == yaml.safe_load(exported)
    # What the file says is what the exported file says (texts are stripped on import).
    assert file_reading.parse_strategy_file(exported) == file_reading.parse_strategy_file(
        path.read_text(encoding="utf-8")
    )


def test_an_exported_file_is_in_the_documented_format(db):
    strategy = services.strategy_import(text=STOCKHOLM.read_text(encoding="utf-8"))
    document = yaml.safe_load(services.strategy_export(strategy=strategy))
    assert list(document) == ["format", "strategy", "maturity_scale", "focus_areas", "targets"]
    assert document["format"] == "strategiportalen/strategy/1"
    assert document["strategy"]["registry_number"] == "031-2674/2010"
    assert document["strategy"]["decided_on"] == datetime.date(2011, 5, 2)
    assert document["strategy"]["status"] == "adopted"
    assert "valid_to" not in document["strategy"]
    assert document["focus_areas"][0]["goals"][0]["number"] == "1.1"
    assert document["focus_areas"][0]["goals"][0]["indicators"][0]["code"] == "1.1.1"
    assert document["targets"]["1.1.1"] == {2012: 80, 2013: 100, 2014: 100, 2015: 100}
    assert document["targets"]["1.5.1"] == {2012: 0.2, 2013: 0.25, 2014: 0.33, 2015: 0.5}
    assert "3.1.1" not in document["targets"]


def test_exported_texts_of_several_paragraphs_are_literal_blocks(db):
    strategy = services.strategy_import(text=HUDDINGE.read_text(encoding="utf-8"))
    text = services.strategy_export(strategy=strategy)
    assert "  introduction: |\n    Huddinge ska vara en av de tre bästa skol-IT-kommunerna i länet.\n\n" in text
    assert "  description: |\n    Alla medarbetare ska ha kompetens" in text
    document = yaml.safe_load(text)
    assert document["strategy"]["introduction"].endswith("efter samhällets behov.\n")
    assert document["focus_areas"][3]["description"] == (
        "Förskolans och skolans medarbetare, barn, elever och vårdnadshavare ska på ett enkelt sätt kunna "
        "kommunicera och samverka med varandra via kommunens IT-lösningar."
    )


def test_committees_own_indicators_are_not_exported(db):
    strategy = services.strategy_import(text=STOCKHOLM.read_text(encoding="utf-8"))
    city_wide_only = services.strategy_export(strategy=strategy)
    committee = CommitteeFactory(code="K1", name="Kungsholmens nämnd")
    goal_11 = Goal.objects.get(focus_area__strategy=strategy, number="1.1")
    goal_22 = Goal.objects.get(focus_area__strategy=strategy, number="2.2")
    own = IndicatorFactory(goal=goal_11, owner=committee, code="K.1", name="Nämndens egen indikator om nät")
    services.committee_indicator_save(indicator=own, committee=committee, targets={2013: Decimal("55")})
    # A committee may reuse a city-wide code; its targets must not replace the city's in the file.
    same_code = IndicatorFactory(goal=goal_11, owner=committee, code="1.1.1", name="Nämndens variant av nätet")
    services.committee_indicator_save(
        indicator=same_code, committee=committee, targets={2013: Decimal("55"), 2030: Decimal("10")}
    )
    # A goal whose only indicator is a committee's stays without indicators in the file.
    IndicatorFactory(goal=goal_22, owner=committee, code="K.2", name="Nämndens andra indikator")

    exported = services.strategy_export(strategy=strategy)
    assert exported == city_wide_only
    assert "K.1" not in exported
    assert "Nämndens egen indikator" not in exported
    assert "Nämndens variant" not in exported
    document = yaml.safe_load(exported)
    goals = {goal["number"]: goal for area in document["focus_areas"] for goal in area.get("goals", [])}
    assert "indicators" not in goals["2.2"]
    assert [i["code"] for i in goals["1.1"]["indicators"]] == ["1.1.1"]
    assert document["targets"]["1.1.1"] == {2012: 80, 2013: 100, 2014: 100, 2015: 100}

    before = snapshot(strategy)
    strategy.delete()
    again = services.strategy_import(text=exported)
    assert snapshot(again) == before
    assert not Indicator.objects.exclude(owner=None).exists()


# --- A bad file is refused whole --------------------------------------------


def _set(*keys_and_value):
    """A change to the parsed file: set document[k1][k2]…[kn] to value (lists count from 0)."""
    *keys, last, value = keys_and_value

    def change(document):
        for key in keys:
            document = document[key]
        document[last] = value

    return change


def _delete(*keys):
    *keys, last = keys

    def change(document):
        for key in keys:
            document = document[key]
        del document[last]

    return change


def _drop_second_maturity_level(document):
    del document["maturity_scale"][1]


def _count_target_of_two_and_a_half(document):
    document["targets"]["3.1.1"] = {2014: 2.5}


BAD_FILES = [
    pytest.param(_delete("strategy", "title"), ["strategy.title"], [], id="missing title"),
    pytest.param(_set("strategy", "title", "  "), ["strategy.title"], [], id="blank title"),
    pytest.param(_delete("strategy", "valid_from"), ["strategy.valid_from"], [], id="missing valid_from"),
    pytest.param(
        _set("focus_areas", 0, "goals", 0, "indicators", 0, "unit", "procent"),
        ["focus_areas[1].goals[1].indicators[1].unit"],
        ["'procent'", "percent", "yes_no"],
        id="unknown unit",
    ),
    pytest.param(_set("targets", "9.9.9", {2013: 50}), ["targets[9.9.9]"], ["'9.9.9'"], id="target of no indicator"),
    pytest.param(
        _set("focus_areas", 1, "number", 1), ["focus_areas[2].number"], ["1", "focus_areas[1]"], id="duplicate area"
    ),
    pytest.param(_set("focus_areas", 1, "number", 0), ["focus_areas[2].number"], [], id="area number 0"),
    pytest.param(
        _set("focus_areas", 1, "goals", 0, "number", "1.1"),
        ["focus_areas[2].goals[1].number"],
        ["1.1", "focus_areas[1].goals[1]"],
        id="duplicate goal",
    ),
    pytest.param(
        _set("focus_areas", 2, "goals", 0, "indicators", 0, "code", "1.1.1"),
        ["focus_areas[3].goals[1].indicators[1].code"],
        ["1.1.1", "focus_areas[1].goals[1].indicators[1]"],
        id="duplicate indicator code",
    ),
    pytest.param(_set("maturity_scale", 0, "level", 0), ["maturity_scale[1].level"], ["1"], id="levels from 0"),
    pytest.param(
        _drop_second_maturity_level,
        ["maturity_scale[2].level", "maturity_scale[3].level"],
        [],
        id="levels with a gap",
    ),
    pytest.param(_set("maturity_scale", 3, "level", 3), ["maturity_scale[4].level"], ["4"], id="levels repeated"),
    pytest.param(_set("strategy", "valid_to", 2010), ["strategy.valid_to"], ["valid_from"], id="valid_to before"),
    pytest.param(_set("strategy", "valid_from", 1999), ["strategy.valid_from"], ["1999"], id="implausible year"),
    pytest.param(
        _set("strategy", "decided_on", "2 maj 2011"), ["strategy.decided_on"], ["2011-05-02"], id="decided_on text"
    ),
    pytest.param(_set("targets", "1.1.1", 2013, 140), ["targets[1.1.1][2013]"], ["140"], id="percent 140"),
    pytest.param(_set("targets", "1.1.1", 2013, -1), ["targets[1.1.1][2013]"], ["-1"], id="percent -1"),
    pytest.param(_set("targets", "1.2.1", 2014, 2), ["targets[1.2.1][2014]"], ["2"], id="yes/no 2"),
    pytest.param(_set("targets", "1.2.1", 2014, True), ["targets[1.2.1][2014]"], ["True"], id="yes/no true"),
    pytest.param(_count_target_of_two_and_a_half, ["targets[3.1.1][2014]"], ["2.5"], id="count 2.5"),
    pytest.param(_set("targets", "1.5.1", 2013, -0.5), ["targets[1.5.1][2013]"], ["-0.5"], id="ratio -0.5"),
    pytest.param(
        _set("targets", "1.1.1", 2013, "många"), ["targets[1.1.1][2013]"], ["'många'"], id="non-numeric target"
    ),
    pytest.param(_set("targets", "1.1.1", 1999, 50), ["targets[1.1.1][1999]"], ["1999"], id="target year 1999"),
    pytest.param(
        _set("strategy", "status", "beslutad"),
        ["strategy.status"],
        ["'beslutad'", "draft", "adopted", "archived"],
        id="unknown status",
    ),
    pytest.param(
        _set("focus_areas", 0, "goals", 0, "level", "nation"),
        ["focus_areas[1].goals[1].level"],
        ["'nation'", "city", "committee", "school"],
        id="unknown goal level",
    ),
    pytest.param(
        _set("focus_areas", 0, "goals", 0, "indicators", 0, "direction", "upp"),
        ["focus_areas[1].goals[1].indicators[1].direction"],
        ["'upp'", "higher", "lower"],
        id="unknown direction",
    ),
    pytest.param(
        _set("focus_areas", 0, "goals", 0, "indicators", 0, "reported_by", "rektor"),
        ["focus_areas[1].goals[1].indicators[1].reported_by"],
        ["'rektor'", "school", "committee"],
        id="unknown reporter",
    ),
    pytest.param(
        _set("format", "strategiportalen/strategy/2"), ["format"], ["strategiportalen/strategy/1"], id="wrong format"
    ),
    pytest.param(_delete("format"), ["format"], ["strategiportalen/strategy/1"], id="missing format"),
]


@pytest.mark.parametrize(("change", "expected_places", "fragments"), BAD_FILES)
def test_a_bad_file_is_refused_whole_with_the_place_of_its_problem(db, change, expected_places, fragments):
    services.strategy_import(text=HUDDINGE.read_text(encoding="utf-8"))  # Something that must stay as it is.
    document = load()
    change(document)
    problems = refused(dump(document))
    assert places(problems) == expected_places
    for fragment in fragments:
        assert fragment in problems[0].message
    assert all(problem.message for problem in problems)
    assert not Strategy.objects.filter(title="It-strategi för ett bättre lärande").exists()


def test_a_file_with_an_unknown_unit_is_refused_with_its_place(db):
    text = STOCKHOLM.read_text(encoding="utf-8").replace("unit: ratio", "unit: kvot", 1)
    problems = refused(text)
    assert places(problems) == ["focus_areas[1].goals[5].indicators[1].unit"]
    assert "'kvot'" in problems[0].message
    assert str(problems[0]) == f"focus_areas[1].goals[5].indicators[1].unit: {problems[0].message}"


def test_several_problems_in_one_file_are_all_listed_in_the_order_of_the_file(db):
    document = load()
    document["strategy"]["title"] = ""
    document["strategy"]["valid_to"] = 2009
    document["maturity_scale"][2]["level"] = 4
    document["focus_areas"][2]["number"] = 1
    document["focus_areas"][1]["goals"][0]["indicators"][0]["unit"] = "procent"
    document["focus_areas"][3]["goals"][1]["number"] = "4.1"
    document["targets"]["1.1.1"][2013] = 140
    document["targets"]["9.9.9"] = {2013: 1}
    problems = refused(dump(document))
    assert places(problems) == [
        "strategy.title",
        "strategy.valid_to",
        "maturity_scale[3].level",
        "focus_areas[2].goals[1].indicators[1].unit",
        "focus_areas[3].number",
        "focus_areas[4].goals[2].number",
        "targets[1.1.1][2013]",
        "targets[9.9.9]",
    ]
    messages = {p.place: p.message for p in problems}
    assert "'procent'" in messages["focus_areas[2].goals[1].indicators[1].unit"]
    assert "focus_areas[1]" in messages["focus_areas[3].number"]
    assert "focus_areas[4].goals[1]" in messages["focus_areas[4].goals[2].number"]
    assert "140" in messages["targets[1.1.1][2013]"]
    assert "9.9.9" in messages["targets[9.9.9]"]
    assert str(file_checks.StrategyFileError(problems)).splitlines() == [str(p) for p in problems]


def test_a_yaml_syntax_error_is_refused_with_the_line_as_its_place(db):
    lines = STOCKHOLM.read_text(encoding="utf-8").splitlines()
    line = lines.index("  city: Stockholms stad") + 1
    lines[line - 1] = "  city: Stockholms stad: kommunfullmäktige"
    problems = refused("\n".join(lines) + "\n")
    assert places(problems) == [gettext("line %(line)s") % {"line": line}]
    assert str(line) in problems[0].place
    assert "YAML" in problems[0].message


def test_an_unclosed_list_is_refused_with_the_line_as_its_place(db):
    text = "format: strategiportalen/strategy/1\nstrategy:\n  title: [Utan slut\n  valid_from: 2020\n"
    problems = refused(text)
    assert len(problems) == 1
    assert problems[0].place.split()[-1].isdigit()
    assert problems[0].place.startswith(gettext("line %(line)s").split()[0])


@pytest.mark.parametrize(
    "text",
    ["- en lista\n- inte en samling\n", "bara en text\n", "42\n", ""],
    ids=["list", "text", "number", "empty"],
)
def test_a_document_that_is_not_a_mapping_is_refused(db, text):
    problems = refused(text)
    assert places(problems)[0] == gettext("the file")
    assert "strategy.title" in places(problems)


def test_a_strategy_part_that_is_not_a_mapping_is_refused_with_its_place(db):
    document = load()
    document["strategy"] = ["It-strategi för ett bättre lärande", 2011]
    problems = refused(dump(document))
    assert places(problems)[:3] == ["strategy", "strategy.title", "strategy.valid_from"]


def test_a_focus_area_that_is_not_a_mapping_is_refused_with_its_place(db):
    document = load()
    document["focus_areas"].append("Ett femte område")
    problems = refused(dump(document))
    assert places(problems) == ["focus_areas[6]", "focus_areas[6].number", "focus_areas[6].title"]


def test_an_import_that_fails_while_writing_writes_nothing(db, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Target.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError, match="went away"):
        services.strategy_import(text=STOCKHOLM.read_text(encoding="utf-8"))
    assert counts() == dict.fromkeys((model.__name__ for model in MODELS), 0)


def test_a_strategy_whose_title_and_first_year_exist_already_is_refused(db):
    services.strategy_import(text=STOCKHOLM.read_text(encoding="utf-8"))
    problems = refused(STOCKHOLM.read_text(encoding="utf-8"))
    assert places(problems) == ["strategy.title"]
    assert "2011" in problems[0].message
    assert Strategy.objects.count() == 1


def test_the_same_title_from_another_year_is_a_new_strategy(db):
    services.strategy_import(text=STOCKHOLM.read_text(encoding="utf-8"))
    document = load()
    document["strategy"]["valid_from"] = 2012
    services.strategy_import(text=dump(document))
    assert list(Strategy.objects.values_list("valid_from", flat=True)) == [2012, 2011]


# --- Defaults, places and values at the edges --------------------------------


def test_a_file_without_a_status_imports_as_a_draft(db):
    document = load()
    del document["strategy"]["status"]
    strategy = services.strategy_import(text=dump(document))
    assert strategy.status == StrategyStatus.DRAFT


@pytest.mark.parametrize("key", ["maturity_scale", "focus_areas"])
def test_a_missing_maturity_scale_or_focus_area_list_is_refused_with_its_place(db, key):
    document = load()
    del document[key]
    if key == "focus_areas":
        del document["targets"]
    problems = refused(dump(document))
    assert places(problems) == [key]


def test_an_empty_mapping_lists_every_missing_part(db):
    problems = refused("{}\n")
    assert {"format", "strategy.title", "strategy.valid_from", "maturity_scale", "focus_areas"} <= set(places(problems))


@pytest.mark.parametrize(
    ("code", "year", "value"),
    [
        pytest.param(
            "1.1.1",
            2013,
            float("nan"),
            id="percent .nan",
        ),
        pytest.param(
            "3.1.1",
            2014,
            float("inf"),
            id="count .inf",
        ),
        pytest.param(
            "1.5.1",
            2013,
            float("inf"),
            id="ratio .inf",
        ),
        pytest.param(
            "1.5.1",
            2013,
            10_000_000_000,
            id="ratio 1e10",
        ),
    ],
)
def test_a_target_the_database_cannot_hold_is_refused_with_its_place(db, code, year, value):
    document = load()
    document["targets"][code] = {year: value}
    problems = refused(dump(document))
    assert places(problems) == [f"targets[{code}][{year}]"]


def test_a_target_with_more_decimals_than_are_kept_is_not_rounded_silently(db):
    document = load()
    document["targets"]["1.5.1"][2013] = 0.333
    problems = None
    try:
        services.strategy_import(text=dump(document))
    except file_checks.StrategyFileError as exc:
        problems = exc.problems
    if problems is None:  # Either the value is kept as it is …
        assert Target.objects.get(indicator__code="1.5.1", year=2013).value == Decimal("0.333")
    else:  # … or the file is refused with its place.
        assert places(problems) == ["targets[1.5.1][2013]"]
        assert counts()["Strategy"] == 0


# --- Database constraints ---------------------------------------------------


def test_an_indicator_has_one_target_per_year(db):
    indicator = IndicatorFactory()
    Target.objects.create(indicator=indicator, year=2026, value=Decimal("50"))
    Target.objects.create(indicator=indicator, year=2027, value=Decimal("60"))
    Target.objects.create(indicator=IndicatorFactory(goal=indicator.goal), year=2026, value=Decimal("50"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(indicator=indicator, year=2026, value=Decimal("70"))
    assert indicator.targets.get(year=2026).value == Decimal("50")


def test_a_target_year_must_be_plausible(db):
    indicator = IndicatorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(indicator=indicator, year=1999, value=Decimal("50"))


def test_a_focus_area_number_is_unique_within_a_strategy(db):
    strategy = StrategyFactory()
    FocusAreaFactory(strategy=strategy, number=1)
    FocusAreaFactory(strategy=StrategyFactory(), number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        FocusAreaFactory(strategy=strategy, number=1)
    assert FocusArea.objects.filter(number=1).count() == 2


def test_a_goal_number_is_unique_within_a_focus_area(db):
    area = FocusAreaFactory()
    GoalFactory(focus_area=area, number="1.1")
    GoalFactory(focus_area=FocusAreaFactory(strategy=area.strategy), number="1.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        GoalFactory(focus_area=area, number="1.1")
    assert Goal.objects.filter(number="1.1").count() == 2


def test_a_maturity_level_is_unique_within_a_strategy_and_counts_from_one(db):
    strategy = StrategyFactory()
    MaturityLevel.objects.create(strategy=strategy, level=1, label="Inte påbörjat", description="…")
    MaturityLevel.objects.create(strategy=StrategyFactory(), level=1, label="Inte påbörjat", description="…")
    with pytest.raises(IntegrityError), transaction.atomic():
        MaturityLevel.objects.create(strategy=strategy, level=1, label="Igen", description="…")
    with pytest.raises(IntegrityError), transaction.atomic():
        MaturityLevel.objects.create(strategy=strategy, level=0, label="Noll", description="…")
    assert strategy.maturity_levels.count() == 1


def test_a_strategy_is_not_valid_to_a_year_before_it_is_valid_from(db):
    StrategyFactory(valid_from=2024, valid_to=2024)
    StrategyFactory(valid_from=2024, valid_to=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategyFactory(valid_from=2024, valid_to=2023)
    assert Strategy.objects.count() == 2


def test_a_city_wide_indicator_code_is_unique_per_goal(db):
    goal = GoalFactory()
    IndicatorFactory(goal=goal, code="1.1.1")
    IndicatorFactory(goal=GoalFactory(focus_area=goal.focus_area), code="1.1.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(goal=goal, code="1.1.1")
    assert goal.indicators.count() == 1


def test_a_committees_own_indicator_may_reuse_a_code_of_another_committee_under_the_same_goal(db):
    goal = GoalFactory()
    committee_a = CommitteeFactory(code="A", name="Nämnd A")
    committee_b = CommitteeFactory(code="B", name="Nämnd B")
    IndicatorFactory(goal=goal, code="1.1.1")
    IndicatorFactory(goal=goal, owner=committee_a, code="1.1.1")
    IndicatorFactory(goal=goal, owner=committee_a, code="N1")
    IndicatorFactory(goal=goal, owner=committee_b, code="N1")
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorFactory(goal=goal, owner=committee_a, code="N1")
    assert goal.indicators.filter(code="N1").count() == 2
    assert goal.indicators.count() == 4


# --- The rules of a unit ----------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "value", "allowed"),
    [
        (IndicatorUnit.PERCENT, "0", True),
        (IndicatorUnit.PERCENT, "55.5", True),
        (IndicatorUnit.PERCENT, "100", True),
        (IndicatorUnit.PERCENT, "100.01", False),
        (IndicatorUnit.PERCENT, "140", False),
        (IndicatorUnit.PERCENT, "-1", False),
        (IndicatorUnit.YES_NO, "0", True),
        (IndicatorUnit.YES_NO, "1", True),
        (IndicatorUnit.YES_NO, "1.00", True),
        (IndicatorUnit.YES_NO, "2", False),
        (IndicatorUnit.YES_NO, "0.5", False),
        (IndicatorUnit.YES_NO, "-1", False),
        (IndicatorUnit.COUNT, "0", True),
        (IndicatorUnit.COUNT, "12", True),
        (IndicatorUnit.COUNT, "12.00", True),
        (IndicatorUnit.COUNT, "1000000", True),
        (IndicatorUnit.COUNT, "2.5", False),
        (IndicatorUnit.COUNT, "-1", False),
        (IndicatorUnit.RATIO, "0", True),
        (IndicatorUnit.RATIO, "0.33", True),
        (IndicatorUnit.RATIO, "2.5", True),
        (IndicatorUnit.RATIO, "-0.01", False),
        (IndicatorUnit.MATURITY_LEVEL, "3", True),
        (IndicatorUnit.MATURITY_LEVEL, "2.5", False),
        (IndicatorUnit.MATURITY_LEVEL, "-1", False),
    ],
)
def test_a_unit_says_which_values_it_allows(unit, value, allowed):
    problem = unit.problem_with(Decimal(value))
    if allowed:
        assert problem is None
    else:
        assert isinstance(problem, str)
        assert value in problem


# --- Querysets --------------------------------------------------------------


def test_indicators_are_city_wide_or_a_committees_own(db):
    committee_a = CommitteeFactory(code="A", name="Nämnd A")
    committee_b = CommitteeFactory(code="B", name="Nämnd B")
    goal = GoalFactory()
    city_school = IndicatorFactory(goal=goal, code="S", reported_by=Reporter.SCHOOL)
    city_committee = IndicatorFactory(goal=goal, code="C", reported_by=Reporter.COMMITTEE)
    own_a = IndicatorFactory(goal=goal, owner=committee_a, code="A1", reported_by=Reporter.SCHOOL)
    own_b = IndicatorFactory(goal=goal, owner=committee_b, code="B1", reported_by=Reporter.COMMITTEE)

    def pks(queryset):
        return set(queryset.values_list("pk", flat=True))

    assert pks(Indicator.objects.city_wide()) == {city_school.pk, city_committee.pk}
    assert pks(Indicator.objects.of_committee(committee_a)) == {own_a.pk}
    assert pks(Indicator.objects.of_committee(committee_b)) == {own_b.pk}
    assert pks(Indicator.objects.for_committee(committee_a)) == {city_school.pk, city_committee.pk, own_a.pk}
    assert pks(Indicator.objects.for_committee(committee_b)) == {city_school.pk, city_committee.pk, own_b.pk}
    assert pks(Indicator.objects.reported_by_schools()) == {city_school.pk, own_a.pk}
    assert pks(Indicator.objects.for_committee(committee_a).reported_by_schools()) == {city_school.pk, own_a.pk}
    assert pks(committee_a.indicators.all()) == {own_a.pk}


def test_published_strategies_are_the_adopted_and_archived_ones(db):
    draft = StrategyFactory(status=StrategyStatus.DRAFT)
    adopted = StrategyFactory(status=StrategyStatus.ADOPTED)
    archived = StrategyFactory(status=StrategyStatus.ARCHIVED)
    assert set(Strategy.objects.published()) == {adopted, archived}
    assert draft not in Strategy.objects.published()
    assert Strategy.objects.count() == 3


# --- The commands -----------------------------------------------------------


def test_the_import_command_imports_a_file_and_prints_its_id(db, tmp_path):
    path = tmp_path / "stockholm.yaml"
    path.write_text(STOCKHOLM.read_text(encoding="utf-8"), encoding="utf-8")
    out = StringIO()
    call_command("import_strategy", str(path), stdout=out)
    strategy = Strategy.objects.get()
    assert strategy.title == "It-strategi för ett bättre lärande"
    assert f"(id {strategy.pk})" in out.getvalue()
    assert counts()["FocusArea"] == 5


def test_the_import_command_writes_every_problem_of_a_bad_file_and_imports_nothing(db, tmp_path):
    document = load()
    del document["strategy"]["title"]
    document["focus_areas"][1]["goals"][0]["indicators"][0]["unit"] = "procent"
    document["targets"]["9.9.9"] = {2013: 1}
    path = tmp_path / "trasig.yaml"
    path.write_text(dump(document), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="3"):
        call_command("import_strategy", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split(": ")[:2] for line in lines] == [
        [str(path), "strategy.title"],
        [str(path), "focus_areas[2].goals[1].indicators[1].unit"],
        [str(path), "targets[9.9.9]"],
    ]
    assert "'procent'" in lines[1]
    assert all(line.count(": ") >= 2 and line.split(": ", 2)[2] for line in lines)
    assert counts() == dict.fromkeys((model.__name__ for model in MODELS), 0)


def test_the_import_command_refuses_a_file_that_is_not_there(db, tmp_path):
    with pytest.raises(CommandError, match=re.escape("finns-inte.yaml")):
        call_command("import_strategy", str(tmp_path / "finns-inte.yaml"), stdout=StringIO(), stderr=StringIO())
    assert counts()["Strategy"] == 0


def test_the_export_command_without_an_id_lists_the_strategies(db):
    stockholm = services.strategy_import(text=STOCKHOLM.read_text(encoding="utf-8"))
    huddinge = services.strategy_import(text=HUDDINGE.read_text(encoding="utf-8"))
    out = StringIO()
    call_command("export_strategy", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    by_id = {int(line.split()[0]): line for line in lines}
    assert set(by_id) == {stockholm.pk, huddinge.pk}
    assert "It-strategi för ett bättre lärande" in by_id[stockholm.pk]
    assert "[adopted]" in by_id[stockholm.pk]
    assert "e-strategi i utbildningen 2013-2016" in by_id[huddinge.pk]
    assert "[archived]" in by_id[huddinge.pk]


def test_the_export_command_writes_a_file_that_imports_again_to_the_same_strategy(db, tmp_path):
    strategy = services.strategy_import(text=HUDDINGE.read_text(encoding="utf-8"))
    before = snapshot(strategy)
    path = tmp_path / "huddinge-export.yaml"
    out = StringIO()
    call_command("export_strategy", str(strategy.pk), output=path, stdout=out)
    assert str(path) in out.getvalue()
    text = path.read_text(encoding="utf-8")
    assert text == services.strategy_export(strategy=strategy)
    strategy.delete()

    call_command("import_strategy", str(path), stdout=StringIO())
    again = Strategy.objects.get()
    assert snapshot(again) == before

    stdout = StringIO()
    call_command("export_strategy", str(again.pk), stdout=stdout)
    assert stdout.getvalue() == text


def test_the_export_command_refuses_an_unknown_id(db, tmp_path):
    strategy = StrategyFactory()
    path = tmp_path / "ingen.yaml"
    with pytest.raises(CommandError, match=str(strategy.pk + 1)):
        call_command("export_strategy", str(strategy.pk + 1), output=path, stdout=StringIO())
    assert not path.exists()
