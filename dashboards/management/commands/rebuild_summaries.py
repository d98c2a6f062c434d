from django.core.management.base import BaseCommand, CommandError

from dashboards import summaries
from followup.models import Cycle


class Command(BaseCommand):
    help = "Recompute the dashboards' summaries from the answers: every year, or one with --year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Only this year's follow-up.")

    def handle(self, *args, year: int | None, **options):
        cycles = Cycle.objects.order_by("year")
        if year is not None:
            cycles = cycles.filter(year=year)
            if not cycles.exists():
                raise CommandError(f"There is no follow-up for {year}.")
        for cycle in cycles:
            count = summaries.rebuild(cycle)
            self.stdout.write(f"{cycle.year}: {count} school units summarised.")
