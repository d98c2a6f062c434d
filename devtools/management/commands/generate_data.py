import dataclasses
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from devtools import scale as scales


class Command(BaseCommand):
    help = (
        "Fill an empty database with generated data: 'demo' is the demo city (as bin/demo loads it), "
        "'small' a few committees, 'national' 15,000 school units under 300 committees over ten years."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["demo", *scales.SCALES], default="demo")
        parser.add_argument("--committees", type=int, help="Instead of the scale's number of committees.")
        parser.add_argument("--schools-per-committee", type=int, help="Instead of the scale's units per committee.")
        parser.add_argument("--years", type=int, help="Instead of the scale's number of yearly follow-ups.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same data.")

    def handle(self, *args, scale: str, committees, schools_per_committee, years, seed, **options):
        if scale == "demo":
            call_command("load_demo", stdout=self.stdout)
            return
        size = scales.SCALES[scale]
        overrides = {"committees": committees, "schools_per_committee": schools_per_committee, "years": years}
        size = dataclasses.replace(size, **{k: v for k, v in overrides.items() if v is not None})
        if min(size.committees, size.schools_per_committee, size.years) < 1:
            raise CommandError("--committees, --schools-per-committee and --years must be at least 1.")
        started = time.monotonic()
        try:
            counts = scales.generate(size, seed=seed, say=self.stdout.write)
        except scales.ScaleError as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated in {time.monotonic() - started:.0f} s: {summary}."))
