"""Import and export of strategies in the YAML format of docs/strategy-format.md.

A file is checked whole before anything is written (strategy/file_reading.py,
strategy/file_checks.py): every problem is listed with its place in the file,
and a file with any problem writes nothing. Export then import gives the same
strategy.
"""

from __future__ import annotations

from decimal import Decimal

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from schools.models import Committee
from strategy.file_checks import FORMAT, Problem, StrategyFileError
from strategy.file_reading import parse_strategy_file
from strategy.models import (
    FocusArea,
    Goal,
    Indicator,
    MaturityLevel,
    Strategy,
    Target,
)


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
                        for k in (
                            "code",
                            "position",
                            "name",
                            "definition",
                            "unit",
                            "direction",
                            "reported_by",
                            "formula",
                            "source",
                        )
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
                if ind.formula:
                    out["formula"] = ind.formula
                if ind.source:
                    out["source"] = ind.source
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
