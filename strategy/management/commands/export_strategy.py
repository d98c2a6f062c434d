from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strategy import services
from strategy.models import Strategy


class Command(BaseCommand):
    help = "Export a strategy as YAML (docs/strategy-format.md); without an id, list the strategies."

    def add_arguments(self, parser):
        parser.add_argument("id", nargs="?", type=int, help="The strategy's id.")
        parser.add_argument("-o", "--output", type=Path, help="Write to this file instead of standard output.")

    def handle(self, *args, id: int | None, output: Path | None, **options):
        if id is None:
            for strategy in Strategy.objects.all():
                self.stdout.write(f"{strategy.pk:4}  {strategy}  [{strategy.status}]")
            return
        strategy = Strategy.objects.filter(pk=id).first()
        if strategy is None:
            raise CommandError(f"No strategy with id {id}.")
        text = services.strategy_export(strategy=strategy)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
        else:
            self.stdout.write(text, ending="")
