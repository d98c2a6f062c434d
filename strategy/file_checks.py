"""The checking of a strategy file's content against the format of
docs/strategy-format.md: every key known, every value of the right kind, numbers
and codes unique, targets for indicators that exist.

Every problem is listed with its place in the file (up to MAX_PROBLEMS), so a
file with any problem is refused whole and writes nothing.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from strategy.models import (
    SOURCE_UNITS,
    Direction,
    Formula,
    IndicatorUnit,
    OrganisationLevel,
    Reporter,
    StrategyStatus,
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
    "indicator": ("code", "name", "definition", "unit", "direction", "reported_by", "formula", "source"),
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


class Shown:
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
            self.problem(f"{place}.{key}", _("must be a year such as 2026, not %(value)r") % {"value": Shown(value)})
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
                % {"what": what, "value": Shown(value), "allowed": ", ".join(choices.values)},
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


def check_strategy_document(document) -> dict:
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
                    _("duplicate number %(n)s, also %(other)s") % {"n": Shown(gnumber), "other": goal_numbers[gnumber]},
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
                        % {"n": Shown(code), "other": indicators[code]["place"]},
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
                indicator.update(_formula(c, raw_ind, iplace, indicator["reported_by"], indicator["unit"]))
                goal["indicators"].append(indicator)
                if code and code not in indicators:
                    indicators[code] = indicator

    for indicator in indicators.values():
        _check_source(c, indicator, indicators)

    raw_targets = document.get("targets") if is_mapping else None
    if is_mapping and "targets" in document and raw_targets is None:
        c.problem("targets", _("empty: write the targets below it, indented one level further, or leave the key out"))
    for code, years in (c.mapping(raw_targets, "targets") if raw_targets is not None else {}).items():
        place = f"targets[{Shown(code)}]"
        indicator = indicators.get(str(code))
        if indicator is None:
            c.problem(place, _("a target for an indicator that does not exist: %(code)r") % {"code": Shown(code)})
            continue
        for year, value in c.mapping(years, place).items():
            if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
                c.problem(
                    f"{place}[{Shown(year)}]",
                    _("must be a year such as 2026, not %(value)r") % {"value": Shown(year)},
                )
                continue
            target = _target_value(c, f"{place}[{year}]", value, indicator["unit"])
            if target is not None:
                indicator["targets"][year] = target

    if c.problems:
        raise StrategyFileError(c.problems)
    return cleaned


def _formula(c: _Checker, raw: dict, place: str, reported_by: str, unit: str) -> dict:
    """A computed indicator's formula and source (`reported_by: portal`); a typed one has neither."""
    if reported_by != Reporter.PORTAL:
        for key in ("formula", "source"):
            if key in raw:
                c.problem(
                    f"{place}.{key}",
                    _("only an indicator the portal computes (reported_by: portal) has a %(key)s") % {"key": key},
                )
        return {"formula": "", "source": ""}
    formula = c.choice(raw, "formula", place, Formula, what=_("formula"))
    source = c.text(raw, "source", place, required=False, max_length=20)
    if formula and unit and unit != Formula(formula).unit:
        c.problem(
            f"{place}.unit",
            _("the formula %(formula)s gives a value in %(unit)s: write unit: %(unit)s")
            % {"formula": formula, "unit": Formula(formula).unit},
        )
    if formula and Formula(formula).needs_source and not source:
        c.problem(
            f"{place}.source",
            _("missing: the formula %(formula)s needs the code of a count the schools report") % {"formula": formula},
        )
    if formula and not Formula(formula).needs_source and source:
        c.problem(f"{place}.source", _("the formula %(formula)s reads no source: leave it out") % {"formula": formula})
    return {"formula": formula, "source": source if formula and Formula(formula).needs_source else ""}


def _check_source(c: _Checker, indicator: dict, indicators: dict[str, dict]) -> None:
    """A source names an indicator of the file that the schools report as a count."""
    code = indicator.get("source")
    if not code:
        return
    place = f"{indicator['place']}.source"
    source = indicators.get(code)
    if source is None:
        c.problem(place, _("no indicator in the file has the code %(code)r") % {"code": Shown(code)})
    elif source["reported_by"] != Reporter.SCHOOL or source["unit"] not in SOURCE_UNITS:
        c.problem(
            place,
            _("%(code)s is not a count the schools report (reported_by: school, unit: count), see %(other)s")
            % {"code": code, "other": source["place"]},
        )


def _target_value(c: _Checker, place: str, value, unit: str) -> Decimal | None:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value))
    except InvalidOperation:
        c.problem(place, _("must be a number, not %(value)r") % {"value": Shown(value)})
        return None
    if not number.is_finite():
        c.problem(place, _("must be a number, not %(value)r") % {"value": Shown(value)})
        return None
    # What Target.value holds: twelve digits, two of them decimals.
    if number != number.quantize(Decimal("0.01")):
        c.problem(place, _("at most two decimals, not %(value)s") % {"value": Shown(value)})
        return None
    if abs(number) >= 10**10:
        c.problem(place, _("too large: %(value)s") % {"value": Shown(value)})
        return None
    problem = IndicatorUnit(unit).problem_with(number) if unit else None
    if problem:
        c.problem(place, problem)
        return None
    return number
