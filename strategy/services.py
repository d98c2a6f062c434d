"""Import and export of strategies in the YAML format of docs/strategy-format.md.

A file is checked whole before anything is written: every problem is listed
with its place in the file, and a file with any problem writes nothing.
Export then import gives the same strategy.
"""

from __future__ import annotations

import codecs
import datetime
import difflib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import yaml
from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schools.models import Committee
from strategy.models import (
    Direction,
    FocusArea,
    Goal,
    Indicator,
    IndicatorUnit,
    MaturityLevel,
    OrganisationLevel,
    Reporter,
    Strategy,
    StrategyStatus,
    Target,
)

FORMAT = "strategiportalen/strategy/1"

# Every key the format knows, by the part of the file it stands in (docs/strategy-format.md).
# A key that is not here is refused: a typo must never drop data silently.
KEYS: dict[str, tuple[str, ...]] = {
    "file": ("format", "strategy", "maturity_scale", "focus_areas", "targets"),
    "strategy": (
        "title",
        "city",
        "decided_by",
        "decided_on",
        "registry_number",
        "valid_from",
        "valid_to",
        "status",
        "introduction",
    ),
    "maturity_level": ("level", "label", "description"),
    "focus_area": ("number", "title", "description", "goals"),
    "goal": ("number", "text", "level", "indicators"),
    "indicator": ("code", "name", "definition", "unit", "direction", "reported_by"),
}
# Where each part stands, as a problem names it.
PARTS = {
    "file": gettext_lazy("at the top of the file"),
    "strategy": gettext_lazy("under strategy"),
    "maturity_level": gettext_lazy("in a level of maturity_scale"),
    "focus_area": gettext_lazy("in a focus area"),
    "goal": gettext_lazy("in a goal"),
    "indicator": gettext_lazy("in an indicator"),
}
# A file with more problems than this lists these first ones; the rest is not checked.
MAX_PROBLEMS = 100
# The deepest a valid file nests is eight (file, focus_areas, area, goals, goal,
# indicators, indicator, value); anything much deeper is refused before it is built.
MAX_DEPTH = 20


@dataclass
class Problem:
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class StrategyFileError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Shown:
    """A value as a message shows it: its repr, cut short (a file may hold a megabyte in one value)."""

    def __init__(self, value):
        self.value = value

    @staticmethod
    def _cut(text: str) -> str:
        return text if len(text) <= 60 else text[:57] + "…"

    def __repr__(self) -> str:
        return self._cut(repr(self.value))

    def __str__(self) -> str:
        return self._cut(str(self.value))


def _key_problem(key, part: str) -> str:
    """What to say about a key the part does not know: the nearest known key, or where it belongs."""
    shown = str(key)[:60]
    known = KEYS[part]
    elsewhere = [other for other, keys in KEYS.items() if other != part and shown in keys]
    if elsewhere:
        return _(
            "`%(key)s` does not belong %(here)s but %(there)s: is it indented one level too little or too much?"
        ) % {
            "key": shown,
            "here": PARTS[part],
            "there": _(" or ").join(str(PARTS[other]) for other in elsewhere),
        }
    nearest = difflib.get_close_matches(shown, known, n=1, cutoff=0.6)
    if nearest:
        return _("unknown key `%(key)s` — did you mean `%(nearest)s`?") % {"key": shown, "nearest": nearest[0]}
    return _("unknown key `%(key)s`; %(here)s the keys are %(known)s") % {
        "key": shown,
        "here": PARTS[part],
        "known": ", ".join(known),
    }


class _Checker:
    """Walks the parsed file, collecting problems and the cleaned values."""

    def __init__(self):
        self.problems: list[Problem] = []

    def problem(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message))
        if len(self.problems) > MAX_PROBLEMS:
            raise _TooManyProblems

    def known_keys(self, data: dict, place: str, part: str) -> None:
        for key in data:
            if key not in KEYS[part]:
                self.problem(f"{place}.{str(key)[:60]}" if place else str(key)[:60], _key_problem(key, part))

    def optional_list(self, data: dict, key: str, place: str) -> list:
        """A list that may be left out; a key left empty is most often a list indented wrongly below it."""
        if key not in data:
            return []
        value = data[key]
        if value is None:
            self.problem(
                f"{place}.{key}",
                _("empty: write the list below it, indented one level further, or leave the key out"),
            )
            return []
        if not isinstance(value, list):
            self.problem(f"{place}.{key}", _("must be a list"))
            return []
        return value

    def text(self, data: dict, key: str, place: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"{place}.{key}", _("missing"))
            return ""
        if not isinstance(value, str | int | float):
            self.problem(f"{place}.{key}", _("must be text"))
            return ""
        value = str(value).strip()
        if max_length and len(value) > max_length:
            self.problem(f"{place}.{key}", _("longer than %(max)s characters") % {"max": max_length})
        return value

    def year(self, data: dict, key: str, place: str, *, required: bool = True) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{place}.{key}", _("missing"))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
            self.problem(f"{place}.{key}", _("must be a year such as 2026, not %(value)r") % {"value": _Shown(value)})
            return None
        return value

    def choice(self, data: dict, key: str, place: str, choices, *, required: bool = True, what: str) -> str:
        value = data.get(key)
        if value in (None, ""):
            if required:
                self.problem(f"{place}.{key}", _("missing"))
            return ""
        if value not in choices.values:
            self.problem(
                f"{place}.{key}",
                _("unknown %(what)s %(value)r; use one of %(allowed)s")
                % {"what": what, "value": _Shown(value), "allowed": ", ".join(choices.values)},
            )
            return ""
        return value

    def mapping(self, value, place: str) -> dict:
        if not isinstance(value, dict):
            self.problem(place, _("must be a mapping of keys and values"))
            return {}
        return value

    def sequence(self, data: dict, key: str, place: str = "") -> list:
        where = f"{place}.{key}" if place else key
        value = data.get(key)
        if value is None or value == []:
            self.problem(where, _("missing: at least one is needed"))
            return []
        if not isinstance(value, list):
            self.problem(where, _("must be a list"))
            return []
        return value


class _TooManyProblems(Exception):
    pass


def _check(document) -> dict:
    """The cleaned content of a parsed file, or StrategyFileError with every problem
    (the first MAX_PROBLEMS of them: a file that is wrong throughout is not checked to its end)."""
    c = _Checker()
    try:
        return _check_document(c, document)
    except _TooManyProblems:
        raise StrategyFileError(
            [
                *c.problems[:MAX_PROBLEMS],
                Problem(
                    _("the file"), _("more problems than these %(n)s; the rest is not checked") % {"n": MAX_PROBLEMS}
                ),
            ]
        ) from None


def _check_document(c: _Checker, document) -> dict:
    is_mapping = isinstance(document, dict)
    document = c.mapping(document, _("the file"))
    c.known_keys(document, "", "file")
    if is_mapping and document.get("format") != FORMAT:
        c.problem("format", _("must be %(format)s") % {"format": FORMAT})
    head = c.mapping(document.get("strategy"), "strategy") if is_mapping else {}
    c.known_keys(head, "strategy", "strategy")
    cleaned = {
        "title": c.text(head, "title", "strategy", max_length=300),
        "city": c.text(head, "city", "strategy", required=False, max_length=200),
        "decided_by": c.text(head, "decided_by", "strategy", required=False, max_length=200),
        "registry_number": c.text(head, "registry_number", "strategy", required=False, max_length=50),
        "valid_from": c.year(head, "valid_from", "strategy"),
        "valid_to": c.year(head, "valid_to", "strategy", required=False),
        "status": c.choice(head, "status", "strategy", StrategyStatus, required=False, what=_("status"))
        or StrategyStatus.DRAFT,
        "introduction": c.text(head, "introduction", "strategy", required=False),
        "decided_on": None,
    }
    decided_on = head.get("decided_on")
    if decided_on is not None:
        if isinstance(decided_on, datetime.date):
            cleaned["decided_on"] = decided_on
        else:
            c.problem("strategy.decided_on", _("must be a date such as 2011-05-02"))
    if cleaned["valid_from"] and cleaned["valid_to"] and cleaned["valid_to"] < cleaned["valid_from"]:
        c.problem("strategy.valid_to", _("is before valid_from"))

    cleaned["maturity_scale"] = levels = []
    for i, raw in enumerate(c.sequence(document, "maturity_scale") if is_mapping else [], start=1):
        place = f"maturity_scale[{i}]"
        raw = c.mapping(raw, place)
        c.known_keys(raw, place, "maturity_level")
        level = raw.get("level")
        if level != i:
            c.problem(f"{place}.level", _("the levels must be numbered 1, 2, 3 … in order; expected %(n)s") % {"n": i})
        levels.append(
            {
                "level": i,
                "label": c.text(raw, "label", place, max_length=100),
                "description": c.text(raw, "description", place),
            }
        )

    cleaned["focus_areas"] = areas = []
    area_numbers: dict[int, str] = {}
    goal_numbers: dict[str, str] = {}
    indicators: dict[str, dict] = {}
    for a, raw_area in enumerate(c.sequence(document, "focus_areas") if is_mapping else [], start=1):
        place = f"focus_areas[{a}]"
        raw_area = c.mapping(raw_area, place)
        c.known_keys(raw_area, place, "focus_area")
        number = raw_area.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            c.problem(f"{place}.number", _("must be a whole number from 1"))
        elif number in area_numbers:
            c.problem(
                f"{place}.number",
                _("duplicate number %(n)s, also %(other)s") % {"n": number, "other": area_numbers[number]},
            )
        else:
            area_numbers[number] = place
        area = {
            "number": number,
            "title": c.text(raw_area, "title", place, max_length=300),
            "description": c.text(raw_area, "description", place, required=False),
            "goals": [],
        }
        areas.append(area)
        for g, raw_goal in enumerate(c.optional_list(raw_area, "goals", place), start=1):
            gplace = f"{place}.goals[{g}]"
            raw_goal = c.mapping(raw_goal, gplace)
            c.known_keys(raw_goal, gplace, "goal")
            gnumber = c.text(raw_goal, "number", gplace, max_length=20)
            if gnumber in goal_numbers:
                c.problem(
                    f"{gplace}.number",
                    _("duplicate number %(n)s, also %(other)s")
                    % {"n": _Shown(gnumber), "other": goal_numbers[gnumber]},
                )
            elif gnumber:
                goal_numbers[gnumber] = gplace
            goal = {
                "number": gnumber,
                "position": g,
                "text": c.text(raw_goal, "text", gplace),
                "level": c.choice(raw_goal, "level", gplace, OrganisationLevel, required=False, what=_("level")),
                "indicators": [],
            }
            area["goals"].append(goal)
            for n, raw_ind in enumerate(c.optional_list(raw_goal, "indicators", gplace), start=1):
                iplace = f"{gplace}.indicators[{n}]"
                raw_ind = c.mapping(raw_ind, iplace)
                c.known_keys(raw_ind, iplace, "indicator")
                code = c.text(raw_ind, "code", iplace, max_length=20)
                if code in indicators:
                    c.problem(
                        f"{iplace}.code",
                        _("duplicate code %(n)s, also %(other)s")
                        % {"n": _Shown(code), "other": indicators[code]["place"]},
                    )
                indicator = {
                    "code": code,
                    "position": n,
                    "name": c.text(raw_ind, "name", iplace, max_length=300),
                    "definition": c.text(raw_ind, "definition", iplace, required=False),
                    "unit": c.choice(raw_ind, "unit", iplace, IndicatorUnit, what=_("unit")),
                    "direction": c.choice(raw_ind, "direction", iplace, Direction, required=False, what=_("direction"))
                    or Direction.HIGHER,
                    "reported_by": c.choice(raw_ind, "reported_by", iplace, Reporter, what=_("reporter")),
                    "targets": {},
                    "place": iplace,
                }
                goal["indicators"].append(indicator)
                if code and code not in indicators:
                    indicators[code] = indicator

    raw_targets = document.get("targets") if is_mapping else None
    if is_mapping and "targets" in document and raw_targets is None:
        c.problem("targets", _("empty: write the targets below it, indented one level further, or leave the key out"))
    for code, years in (c.mapping(raw_targets, "targets") if raw_targets is not None else {}).items():
        place = f"targets[{_Shown(code)}]"
        indicator = indicators.get(str(code))
        if indicator is None:
            c.problem(place, _("a target for an indicator that does not exist: %(code)r") % {"code": _Shown(code)})
            continue
        for year, value in c.mapping(years, place).items():
            if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
                c.problem(
                    f"{place}[{_Shown(year)}]",
                    _("must be a year such as 2026, not %(value)r") % {"value": _Shown(year)},
                )
                continue
            target = _target_value(c, f"{place}[{year}]", value, indicator["unit"])
            if target is not None:
                indicator["targets"][year] = target

    if c.problems:
        raise StrategyFileError(c.problems)
    return cleaned


def _target_value(c: _Checker, place: str, value, unit: str) -> Decimal | None:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value))
    except InvalidOperation:
        c.problem(place, _("must be a number, not %(value)r") % {"value": _Shown(value)})
        return None
    if not number.is_finite():
        c.problem(place, _("must be a number, not %(value)r") % {"value": _Shown(value)})
        return None
    # What Target.value holds: twelve digits, two of them decimals.
    if number != number.quantize(Decimal("0.01")):
        c.problem(place, _("at most two decimals, not %(value)s") % {"value": _Shown(value)})
        return None
    if abs(number) >= 10**10:
        c.problem(place, _("too large: %(value)s") % {"value": _Shown(value)})
        return None
    problem = IndicatorUnit(unit).problem_with(number) if unit else None
    if problem:
        c.problem(place, problem)
        return None
    return number


class _Refused(yaml.MarkedYAMLError):
    """Something the strategy format never needs, refused where it stands in the file."""

    def __init__(self, mark, message: str):
        super().__init__(problem=message, problem_mark=mark)
        self.message = message


def _nested_too_deep() -> str:
    return _("nested more than %(max)s levels deep; a strategy file nests far less") % {"max": MAX_DEPTH}


class _Strict:
    """PyYAML's safe loading, refusing while it reads, before anything is built:
    anchors and aliases (a few hundred bytes of nested aliases expand to
    gigabytes), tags (`!!python/…`, `!!binary`, custom ones), nesting deeper
    than MAX_DEPTH (`[` × 100,000), merge keys and duplicate keys (the second
    would silently replace the first)."""

    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise _Refused(event.start_mark, _("anchors and aliases (& and *) are not allowed; write the value out"))
        if event.tag is not None:
            raise _Refused(event.start_mark, _("tags (!…) are not allowed; write the value as plain text"))
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(event.start_mark, _nested_too_deep())
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(key_node.start_mark, _("merge keys (<<) are not allowed; write the keys out"))
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise _Refused(key_node.start_mark, _("a key must be text")) from None
            if duplicate:
                raise _Refused(
                    key_node.start_mark,
                    _("the key `%(key)s` is given twice in the same place; the first would be lost")
                    % {"key": _Shown(key)},
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _StrictPyLoader(_Strict, yaml.SafeLoader):
    """The strict loader on PyYAML's own reader and parser."""


if yaml.__with_libyaml__:

    class _StrictCLoader(
        _Strict,
        yaml.composer.Composer,
        yaml.cyaml.CParser,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        """The strict loader on libyaml's reader and parser: four times faster on a
        megabyte of strategy (0.2 s instead of 0.8); PyYAML's composer, which
        does the refusing, runs on its events."""

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _StrictLoader = _StrictCLoader
else:  # PyYAML built without libyaml
    _StrictLoader = _StrictPyLoader


def _line(mark) -> str:
    return _("line %(line)s") % {"line": mark.line + 1}


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise StrategyFileError([Problem(_("the file"), _("the file is UTF-16; save the file as UTF-8"))])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise StrategyFileError(
            [
                Problem(
                    _("line %(line)s") % {"line": line},
                    _(
                        "a character here is not UTF-8 (perhaps the file was saved as Windows-1252); "
                        "save the file as UTF-8"
                    ),
                )
            ]
        ) from None


def strategy_file_too_large(size: int) -> str | None:
    """Why a file of `size` bytes is refused unread, or None."""
    limit = settings.STRATEGY_UPLOAD_MAX_BYTES
    if size <= limit:
        return None
    return _("The file is larger than %(limit)s, the most a strategy file may be.") % {"limit": filesizeformat(limit)}


def parse_strategy_file(text: str | bytes) -> dict:
    """The cleaned content of a strategy file, or StrategyFileError naming every problem.

    The size limit, the encoding and the loader's refusals come before any work
    that grows with what the file describes."""
    too_large = strategy_file_too_large(len(text) if isinstance(text, bytes) else len(text.encode("utf-8")))
    if too_large:
        raise StrategyFileError([Problem(_("the file"), too_large)])
    text = _decode(text)
    # What YAML does not allow in a file (control characters), found here to name its line.
    unreadable = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if unreadable:
        line = text.count("\n", 0, unreadable.start()) + 1
        raise StrategyFileError(
            [
                Problem(
                    _("line %(line)s") % {"line": line},
                    _("the character %(code)s cannot stand in a YAML file")
                    % {"code": f"U+{ord(unreadable.group()[0]):04X}"},
                )
            ]
        )
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a safe loader that refuses more)
    except _Refused as exc:
        raise StrategyFileError([Problem(_line(exc.problem_mark), exc.message)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = _line(mark) if mark else _("the file")
        if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own limit, for [[[[ and {{{{
            raise StrategyFileError([Problem(place, _nested_too_deep())]) from None
        raise StrategyFileError(
            [
                Problem(
                    place,
                    _("not valid YAML (look at the indentation of this line and the one above): %(error)s")
                    % {"error": _Shown(getattr(exc, "problem", None) or exc)},
                )
            ]
        ) from None
    return _check(document)


@transaction.atomic
def strategy_import(*, text: str | bytes) -> Strategy:
    """Create a strategy from a file; nothing is written if the file has any problem."""
    data = parse_strategy_file(text)
    if Strategy.objects.filter(title=data["title"], valid_from=data["valid_from"]).exists():
        raise StrategyFileError(
            [
                Problem(
                    "strategy.title",
                    _("a strategy with this title from %(year)s already exists") % {"year": data["valid_from"]},
                )
            ]
        )
    strategy = Strategy.objects.create(
        **{
            k: data[k]
            for k in (
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
    )
    MaturityLevel.objects.bulk_create(MaturityLevel(strategy=strategy, **level) for level in data["maturity_scale"])
    for area_data in data["focus_areas"]:
        area = FocusArea.objects.create(
            strategy=strategy,
            number=area_data["number"],
            title=area_data["title"],
            description=area_data["description"],
        )
        for goal_data in area_data["goals"]:
            goal = Goal.objects.create(
                focus_area=area, **{k: goal_data[k] for k in ("number", "position", "text", "level")}
            )
            for ind in goal_data["indicators"]:
                indicator = Indicator.objects.create(
                    goal=goal,
                    **{
                        k: ind[k]
                        for k in ("code", "position", "name", "definition", "unit", "direction", "reported_by")
                    },
                )
                Target.objects.bulk_create(
                    Target(indicator=indicator, year=year, value=value)
                    for year, value in sorted(ind["targets"].items())
                )
    return strategy


# --- Export -----------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True  # the import refuses anchors and aliases, so the export never writes one


def _represent_str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_decimal(dumper, value: Decimal):
    number = int(value) if value == int(value) else float(value)
    return dumper.represent_data(number)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)


def _block(text: str) -> str:
    # Literal blocks keep paragraphs readable; they end with one newline.
    return text.strip() + "\n" if "\n" in text.strip() else text.strip()


def strategy_export(*, strategy: Strategy) -> str:
    """The strategy as a file in the import format (city-wide indicators only:
    committees' own indicators belong to the committees, not the strategy)."""
    head = {"title": strategy.title}
    for key in ("city", "decided_by", "decided_on", "registry_number", "valid_from", "valid_to", "status"):
        value = getattr(strategy, key)
        if value not in (None, ""):
            head[key] = value
    if strategy.introduction:
        head["introduction"] = _block(strategy.introduction)
    areas = []
    targets: dict[str, dict[int, Decimal]] = {}
    focus_areas = strategy.focus_areas.prefetch_related("goals__indicators__targets")
    for area in focus_areas:
        area_out = {"number": area.number, "title": area.title}
        if area.description:
            area_out["description"] = _block(area.description)
        goals = []
        for goal in area.goals.all():
            goal_out = {"number": goal.number, "text": _block(goal.text)}
            if goal.level:
                goal_out["level"] = goal.level
            indicators = []
            for ind in goal.indicators.all():
                if ind.owner_id is not None:
                    continue
                out = {"code": ind.code, "name": ind.name}
                if ind.definition:
                    out["definition"] = _block(ind.definition)
                out.update({"unit": ind.unit, "direction": ind.direction, "reported_by": ind.reported_by})
                indicators.append(out)
                if ind.targets.all():
                    targets[ind.code] = {t.year: t.value for t in ind.targets.all()}
            if indicators:
                goal_out["indicators"] = indicators
            goals.append(goal_out)
        if goals:
            area_out["goals"] = goals
        areas.append(area_out)
    document = {
        "format": FORMAT,
        "strategy": head,
        "maturity_scale": [
            {"level": m.level, "label": m.label, "description": _block(m.description)}
            for m in strategy.maturity_levels.all()
        ],
        "focus_areas": areas,
    }
    if targets:
        document["targets"] = targets
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def committee_indicator_save(*, indicator: Indicator, committee: Committee, targets: dict[int, Decimal]) -> Indicator:
    """Save a committee's own indicator with its targets: exactly `targets`."""
    with transaction.atomic():
        indicator.owner = committee
        indicator.save()
        indicator.targets.exclude(year__in=list(targets)).delete()
        for year, value in targets.items():
            Target.objects.update_or_create(indicator=indicator, year=year, defaults={"value": value})
    return indicator
