"""Strategy files that are wrong or hostile: every key must be known (a typo or a
list indented wrongly is refused, never dropped), and the YAML is read without
aliases, tags, deep nesting or size beyond the limit, refused quickly, with
bounded memory and a clear Swedish message, in the browser and in the command."""

import os
import resource
import tracemalloc
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from strategy import file_checks, file_reading, services
from strategy.models import FocusArea, Goal, Indicator, MaturityLevel, Strategy, Target

EXAMPLES = Path(__file__).resolve().parents[2] / "strategy" / "examples"
STOCKHOLM = EXAMPLES / "stockholm-2011.yaml"
MODELS = (Strategy, FocusArea, Goal, Indicator, Target, MaturityLevel)

# Ten levels of nine aliases each: 415 bytes that expand to 9^10 strings.
ALIAS_BOMB = "".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
            for prev, name in zip("abcdefghi", "bcdefghij", strict=True)
        ),
    ]
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def refused(text) -> list[file_checks.Problem]:
    before = counts()
    with pytest.raises(file_checks.StrategyFileError) as caught:
        services.strategy_import(text=text)
    assert counts() == before
    return caught.value.problems


def messages(problems) -> dict[str, str]:
    return {problem.place: problem.message for problem in problems}


def stockholm_lines() -> list[str]:
    return STOCKHOLM.read_text(encoding="utf-8").splitlines(keepends=True)


def shallow_indicators(lines: list[str], goal: str, by: int) -> str:
    """The file with the `indicators:` list of `goal` (key and items) indented `by` spaces too little."""
    start = lines.index(f'      - number: "{goal}"\n')
    key = next(i for i in range(start, len(lines)) if lines[i] == "        indicators:\n")
    end = key + 1
    while lines[end].startswith("          "):
        end += 1
    return "".join(lines[:key] + [line[by:] for line in lines[key:end]] + lines[end:])


def upload(client, name: str, data: bytes):
    return client.post(reverse("strategy:strategy_import"), {"file": SimpleUploadedFile(name, data)})


def warmed_up(client, org):
    """Logged in as the city admin, the import page shown once: the modules and
    templates it loads the first time are not counted as the refusal's memory."""
    client.force_login(org.admin)
    assert upload(client, "tom.yaml", b"a: 1\n").status_code == 200
    return client


@pytest.fixture
def composed(monkeypatch) -> list:
    """The YAML nodes the strict reader composed: a refusal "at once" composes a handful."""
    nodes = []
    compose_node = file_reading._Strict.compose_node

    def counted(loader, parent, index):
        nodes.append(index)
        return compose_node(loader, parent, index)

    monkeypatch.setattr(file_reading._Strict, "compose_node", counted)
    return nodes


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- Every key known ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "place", "message"),
    [
        (
            "        indicators:\n",
            "        indicator:\n",
            "focus_areas[1].goals[1].indicator",
            "okänd nyckel `indicator` — menade du `indicators`?",
        ),
        ("\ntargets:\n", "\ntarget:\n", "target", "okänd nyckel `target` — menade du `targets`?"),
        ("  valid_from: 2011\n", "  valid_form: 2011\n", "strategy.valid_form", "menade du `valid_from`?"),
        ("    label: Inte påbörjat\n", "    lable: Inte påbörjat\n", "maturity_scale[1].lable", "menade du `label`?"),
        (
            "            reported_by: school\n",
            "            reporter: school\n",
            "focus_areas[1].goals[1].indicators[1].reporter",
            "menade du `reported_by`?",
        ),
        ("    goals:\n", "    gaols:\n", "focus_areas[1].gaols", "menade du `goals`?"),
    ],
    ids=["indicator", "target", "valid_form", "lable", "reporter", "gaols"],
)
def test_a_misspelt_key_is_refused_naming_its_place_and_the_nearest_known_key(db, old, new, place, message):
    text = STOCKHOLM.read_text(encoding="utf-8")
    assert old in text
    problems = refused(text.replace(old, new, 1))
    assert place in messages(problems)
    assert message in messages(problems)[place]


def test_a_key_nothing_resembles_is_refused_with_the_keys_that_may_stand_there(db):
    text = STOCKHOLM.read_text(encoding="utf-8").replace("  city: Stockholms stad\n", "  kontakt: Anna\n", 1)
    problems = refused(text)
    assert messages(problems)["strategy.kontakt"] == (
        "okänd nyckel `kontakt`; under strategy finns nycklarna title, city, decided_by, decided_on, "
        "registry_number, valid_from, valid_to, status, introduction"
    )


def test_an_indicators_list_indented_one_level_too_shallow_is_refused_and_nothing_is_dropped(db):
    """The case found: the list moves up into the focus area and swallows the goals after it."""
    text = shallow_indicators(stockholm_lines(), "1.1", by=4)
    document = yaml.safe_load(text)
    assert len(document["focus_areas"][0]["goals"]) == 1  # what used to import "fine"
    problems = refused(text)
    assert problems[0].place == "focus_areas[1].indicators"
    assert problems[0].message == (
        "`indicators` hör inte hemma i ett fokusområde utan i ett mål: "
        "är raden indragen en nivå för lite eller för mycket?"
    )


def test_indicator_items_indented_one_level_too_shallow_are_refused_as_misplaced_keys(db):
    """The items move out of the goal and become goals of their own; the key is left empty."""
    lines = stockholm_lines()
    key = lines.index("        indicators:\n")
    end = key + 1
    while lines[end].startswith("          "):
        end += 1
    text = "".join(lines[: key + 1] + [line[4:] for line in lines[key + 1 : end]] + lines[end:])
    found = messages(refused(text))
    assert found["focus_areas[1].goals[1].indicators"] == (
        "tom: skriv listan under nyckeln, indragen en nivå till, eller ta bort nyckeln"
    )
    assert found["focus_areas[1].goals[2].code"].startswith("`code` hör inte hemma i ett mål utan i en indikator")


def test_an_indicators_key_indented_two_spaces_too_little_is_refused_with_its_line(db):
    lines = stockholm_lines()
    text = shallow_indicators(lines, "1.1", by=2)
    line = lines.index("        indicators:\n") + 1
    problems = refused(text)
    assert [problem.place for problem in problems] == [f"rad {line}"]
    assert problems[0].message.startswith("inte giltig YAML (se efter indragningen på den här raden och raden ovanför)")


@pytest.mark.parametrize("key", ["goals", "indicators", "targets"])
def test_a_list_key_left_empty_is_refused_rather_than_read_as_nothing(db, key):
    text = STOCKHOLM.read_text(encoding="utf-8")
    old = {"goals": "    goals:\n", "indicators": "        indicators:\n", "targets": "\ntargets:\n"}[key]
    new = old.replace(":\n", ":\n  # tom\n") if key == "targets" else old
    start = text.index(old)
    if key == "targets":
        text = text[:start] + "\ntargets:\n"
    else:
        # Keep the key, drop what was under it.
        rest = text[start + len(old) :].splitlines(keepends=True)
        indent = len(old) - len(old.lstrip())
        while rest and (rest[0].strip() == "" or len(rest[0]) - len(rest[0].lstrip()) > indent):
            rest.pop(0)
        text = text[:start] + new + "".join(rest)
    problems = refused(text)
    assert any(problem.message.startswith("tom: skriv") for problem in problems), problems


def test_a_key_given_twice_is_refused_instead_of_the_second_replacing_the_first(db):
    text = STOCKHOLM.read_text(encoding="utf-8")
    text = text.replace("    goals:\n", "    goals: []\n    goals:\n", 1)
    problems = refused(text)
    assert len(problems) == 1
    assert problems[0].place.startswith("rad ")
    assert problems[0].message == "nyckeln `goals` finns två gånger på samma ställe; den första skulle gå förlorad"


def test_every_key_the_format_documents_is_known(db):
    """The keys of the documented example in docs/strategy-format.md are exactly the schema's."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "strategy-format.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0].replace("…", "x")
    document = yaml.safe_load(example)
    assert set(document) == set(file_checks.KEYS["file"])
    assert set(document["strategy"]) == set(file_checks.KEYS["strategy"])
    assert set(document["maturity_scale"][0]) == set(file_checks.KEYS["maturity_level"])
    area = document["focus_areas"][0]
    assert set(area) == set(file_checks.KEYS["focus_area"])
    assert set(area["goals"][0]) == set(file_checks.KEYS["goal"])
    assert set().union(*area["goals"][0]["indicators"]) == set(file_checks.KEYS["indicator"])


def test_a_file_wrong_throughout_lists_the_first_hundred_problems(db):
    areas = "".join(f"  - {{number: {n}, title: Område {n}, indikator: 1}}\n" for n in range(1, 500))
    text = "format: strategiportalen/strategy/1\nstrategy: {title: T, valid_from: 2020}\n" + (
        "maturity_scale: [{level: 1, label: L, description: D}]\nfocus_areas:\n" + areas
    )
    problems = refused(text)
    assert len(problems) == file_checks.MAX_PROBLEMS + 1
    assert problems[-1].message == "fler problem än dessa 100; resten av filen är inte kontrollerad"


def test_a_long_value_is_shown_cut_short_in_its_message(db):
    text = STOCKHOLM.read_text(encoding="utf-8").replace("unit: percent", "unit: " + "x" * 100_000, 1)
    (problem,) = refused(text)
    assert len(problem.message) < 200
    assert "…" in problem.message


# --- YAML without surprises --------------------------------------------------------


def test_the_alias_bomb_is_refused_at_once_with_bounded_memory_in_the_browser(client, org, composed):
    assert len(ALIAS_BOMB) < 600
    before = counts()
    warmed_up(client, org)
    composed.clear()
    rss_before = peak_rss_kib()
    tracemalloc.start()
    response = upload(client, "bomb.yaml", ALIAS_BOMB.encode())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 200
    assert len(composed) <= 3  # the document, the mapping, the first anchored value
    assert peak < 20 * 1024 * 1024
    assert peak_rss_kib() - rss_before < 100 * 1024
    assert [(p.place, p.message) for p in response.context["problems"]] == [
        ("rad 1", "ankare och alias (& och *) är inte tillåtna; skriv ut värdet")
    ]
    assert len(response.content) < 100_000
    assert "lol" not in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("opening", ["[", "{"])
def test_a_hundred_thousand_brackets_are_refused_at_once_with_bounded_memory_in_the_browser(
    client, org, opening, composed
):
    warmed_up(client, org)
    composed.clear()
    tracemalloc.start()
    response = upload(client, "klammer.yaml", (opening * 100_000).encode())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 200
    assert len(composed) <= file_reading.MAX_DEPTH + 1  # libyaml's parser may refuse before a node is composed
    assert peak < 20 * 1024 * 1024
    (problem,) = response.context["problems"]
    assert problem.place == "rad 1"
    assert problem.message == "mer än 20 nivåer djupt; en strategifil har långt färre nivåer"
    assert "Mer än 20 nivåer djupt" in response.content.decode()


def test_deep_nesting_in_block_style_is_refused(db):
    text = "".join(" " * (2 * depth) + "- a:\n" for depth in range(200))
    (problem,) = refused(text)
    assert problem.message == "mer än 20 nivåer djupt; en strategifil har långt färre nivåer"


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!!str ord",
        "!egen text",
        "!<tag:example.se,2026:x> text",
    ],
    ids=["python-apply", "python-name", "binary", "str", "custom", "verbatim"],
)
def test_a_tag_is_refused_before_anything_is_built(db, tmp_path, value):
    marker = tmp_path / "ran"
    text = STOCKHOLM.read_text(encoding="utf-8").replace(
        "  city: Stockholms stad\n", f"  city: {value.format(marker=marker)}\n", 1
    )
    (problem,) = refused(text)
    assert problem.message == "taggar (!…) är inte tillåtna; skriv värdet som vanlig text"
    assert not marker.exists()


def test_an_anchor_without_an_alias_and_a_merge_key_are_refused(db):
    text = STOCKHOLM.read_text(encoding="utf-8")
    anchored = text.replace("  city: Stockholms stad\n", "  city: &stad Stockholms stad\n", 1)
    assert [p.message for p in refused(anchored)] == ["ankare och alias (& och *) är inte tillåtna; skriv ut värdet"]
    merged = text.replace("  city: Stockholms stad\n", "  <<: {city: Stockholms stad}\n", 1)
    assert [p.message for p in refused(merged)] == ["sammanslagning med << är inte tillåten; skriv ut nycklarna"]


def test_a_control_character_is_refused_with_its_line(db):
    text = STOCKHOLM.read_text(encoding="utf-8").replace("  city: Stockholms stad\n", "  city: Stock\x00holm\n", 1)
    line = text[: text.index("\x00")].count("\n") + 1
    (problem,) = refused(text)
    assert (problem.place, problem.message) == (f"rad {line}", "tecknet U+0000 får inte finnas i en YAML-fil")


# --- Encoding and size -------------------------------------------------------------


def test_a_file_saved_as_windows_1252_is_refused_asking_for_utf8_with_its_line(client, org):
    client.force_login(org.admin)
    before = counts()
    text = STOCKHOLM.read_text(encoding="utf-8")
    line = text[: text.index("ö")].count("\n") + 1
    response = upload(client, "ansi.yaml", text.encode("cp1252"))
    assert response.status_code == 200
    (problem,) = response.context["problems"]
    assert problem.place == f"rad {line}"
    assert "spara filen som UTF-8" in problem.message
    assert "spara filen som UTF-8" in response.content.decode()
    assert counts() == before


def test_a_file_saved_as_utf16_is_refused_asking_for_utf8(db):
    (problem,) = refused(STOCKHOLM.read_text(encoding="utf-8").encode("utf-16"))
    assert problem.message == "filen är sparad som UTF-16; spara filen som UTF-8"


def test_a_file_saved_as_utf8_with_a_byte_order_mark_imports(db):
    strategy = services.strategy_import(text=b"\xef\xbb\xbf" + STOCKHOLM.read_bytes())
    assert strategy.focus_areas.count() == 5


def test_an_upload_over_the_size_limit_is_refused_unread(client, org, settings):
    client.force_login(org.admin)
    before = counts()
    assert settings.STRATEGY_UPLOAD_MAX_BYTES == 1024 * 1024
    response = upload(client, "stor.yaml", b"#" * (1024 * 1024 + 1))
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Filen är större än 1,0\xa0MB, som är det största en strategifil får vara."
    ]
    settings.STRATEGY_UPLOAD_MAX_BYTES = 1000
    response = upload(client, "stockholm.yaml", STOCKHOLM.read_bytes())
    assert "file" in response.context["form"].errors
    assert counts() == before


def test_the_import_command_refuses_a_file_over_the_size_limit(db, tmp_path, settings):
    settings.STRATEGY_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(CommandError, match="större än"):
        call_command("import_strategy", str(STOCKHOLM), stdout=StringIO(), stderr=StringIO())
    assert Strategy.objects.count() == 0


def test_the_import_command_refuses_a_windows_1252_file_asking_for_utf8(db, tmp_path):
    path = tmp_path / "ansi.yaml"
    path.write_bytes(STOCKHOLM.read_text(encoding="utf-8").encode("cp1252"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_strategy", str(path), stdout=StringIO(), stderr=err)
    assert "spara filen som UTF-8" in err.getvalue()
    assert Strategy.objects.count() == 0


def test_the_import_command_refuses_the_alias_bomb_at_once(db, tmp_path, composed):
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_strategy", str(path), stdout=StringIO(), stderr=err)
    assert len(composed) <= 3
    assert "ankare och alias" in err.getvalue()
    assert os.path.getsize(path) < 600


# --- The shipped examples still travel both ways -----------------------------------


@pytest.mark.parametrize("name", ["stockholm-2011.yaml", "huddinge-2013-2016.yaml"])
def test_an_exported_example_passes_the_strict_reading_and_imports_again(db, name):
    strategy = services.strategy_import(text=(EXAMPLES / name).read_bytes())
    exported = services.strategy_export(strategy=strategy)
    Strategy.objects.all().delete()
    again = services.strategy_import(text=exported)
    assert services.strategy_export(strategy=again) == exported


@pytest.mark.parametrize("loader", ["_StrictPyLoader", "_StrictCLoader"])
def test_both_the_python_and_the_libyaml_reader_refuse_the_same_at_once(db, monkeypatch, loader, composed):
    """The portal reads with libyaml when PyYAML has it, with PyYAML's own reader otherwise."""
    monkeypatch.setattr(file_reading, "_StrictLoader", getattr(file_reading, loader))
    cases = {
        ALIAS_BOMB: "ankare och alias (& och *) är inte tillåtna; skriv ut värdet",
        "[" * 100_000: "mer än 20 nivåer djupt; en strategifil har långt färre nivåer",
        "city: !!python/name:os.system\n": "taggar (!…) är inte tillåtna; skriv värdet som vanlig text",
        "format: a\nformat: b\n": "nyckeln `format` finns två gånger på samma ställe; den första skulle gå förlorad",
        "strategy:\n  <<: {title: T}\n": "sammanslagning med << är inte tillåten; skriv ut nycklarna",
    }
    for text, message in cases.items():
        composed.clear()
        assert [p.message for p in refused(text)] == [message]
        assert len(composed) <= file_reading.MAX_DEPTH + 1
    assert services.strategy_import(text=STOCKHOLM.read_bytes()).focus_areas.count() == 5
