from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strategy import services
from strategy.file_checks import StrategyFileError
from strategy.file_reading import strategy_file_too_large


class Command(BaseCommand):
    help = "Import a strategy from a YAML file (docs/strategy-format.md). A file with any problem writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            too_large = strategy_file_too_large(file.stat().st_size)
            if too_large:
                raise CommandError(f"{file}: {too_large}")
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc}") from None
        try:
            strategy = services.strategy_import(text=data)
        except StrategyFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem.place}: {problem.message}")
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {strategy} (id {strategy.pk})."))
