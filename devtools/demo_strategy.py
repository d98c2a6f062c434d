"""The two example strategies, and a committee's own indicator beside them."""

from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from schools.models import Committee
from strategy import services
from strategy.file_reading import parse_strategy_file
from strategy.models import Direction, Goal, Indicator, IndicatorUnit, Reporter, Strategy, Target

EXAMPLES = Path(__file__).resolve().parent.parent / "strategy" / "examples"


def build() -> list[Strategy]:
    """Import the example strategies unless they are there; safe to run again."""
    strategies = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = parse_strategy_file(path.read_text())
        existing = Strategy.objects.filter(title=data["title"], valid_from=data["valid_from"]).first()
        strategies.append(existing or services.strategy_import(text=path.read_text()))
    stockholm = next(s for s in strategies if s.valid_from == 2011)
    norra = Committee.objects.get(code="SDN-NORR")
    goal = Goal.objects.get(focus_area__strategy=stockholm, number="2.1")
    indicator, _ = Indicator.objects.get_or_create(
        goal=goal,
        owner=norra,
        code="N2.1.1",
        defaults={
            "name": "Andel förskolepersonal som gått stadsdelens kurs i digitala verktyg",
            "definition": "Andel av tillsvidareanställd personal i förskolan som gått kursen under året.",
            "unit": IndicatorUnit.PERCENT,
            "direction": Direction.HIGHER,
            "reported_by": Reporter.SCHOOL,
        },
    )
    services.committee_indicator_save(
        indicator=indicator, committee=norra, targets={2025: Decimal(60), 2026: Decimal(75), 2027: Decimal(90)}
    )
    this_year = timezone.localdate().year
    carry_targets_forward(stockholm, range(this_year - 2, this_year + 2))
    return strategies


def carry_targets_forward(strategy: Strategy, years) -> None:
    """The 2011 strategy's targets end in 2015; the demo city keeps its last
    target for each year it follows up, so the dashboards have targets to show."""
    for indicator in Indicator.objects.filter(goal__focus_area__strategy=strategy, owner=None).prefetch_related(
        "targets"
    ):
        targets = sorted(indicator.targets.all(), key=lambda t: t.year)
        if not targets:
            continue
        for year in years:
            Target.objects.get_or_create(indicator=indicator, year=year, defaults={"value": targets[-1].value})
