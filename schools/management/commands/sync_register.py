from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from schools import services
from schools.models import Committee
from schools.register_sync import RegisterUnavailable


class Command(BaseCommand):
    help = (
        "Read the city's school units from Skolverket's school-unit register (SKOLVERKET_REGISTER_URL) and show "
        "the new, changed and closed units. Nothing is written without --apply; with it, everything is written "
        "in one transaction or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Write the changes (the default shows them only).")
        parser.add_argument(
            "--municipality",
            default=settings.CITY_MUNICIPALITY_CODE,
            help="The municipality code, 4 digits (default: CITY_MUNICIPALITY_CODE).",
        )
        parser.add_argument("--committee", help="The code of the committee that new units go to.")
        parser.add_argument("--url", default=settings.SKOLVERKET_REGISTER_URL, help="The register's base URL.")

    def handle(self, *args, apply: bool, municipality: str, committee: str | None, url: str, **options):
        if not municipality or not (len(municipality) == 4 and municipality.isdigit()):
            raise CommandError("Give the city's municipality code, 4 digits: --municipality or CITY_MUNICIPALITY_CODE.")
        new_school_committee = None
        if committee:
            new_school_committee = Committee.objects.filter(code__iexact=committee).first()
            if new_school_committee is None:
                raise CommandError(f"No committee has the code {committee!r}.")
        try:
            plan, read, unlisted = services.organisation_register_sync(
                base_url=url,
                municipality_code=municipality,
                new_school_committee=new_school_committee,
                apply=apply,
            )
        except RegisterUnavailable as exc:
            raise CommandError(f"{exc} Nothing was written.") from None
        for unit in read.outside:
            self.stdout.write(f"skipped {unit.unit_code} {unit.name}: {unit.outside}")
        if not plan.is_valid:
            for error in plan.errors:
                self.stderr.write(f"unit {error.line}: {error.message}")
            raise CommandError(f"{len(plan.errors)} error(s); nothing was written.")
        for change in plan.changes:
            if change.action != "unchanged":
                detail = "; ".join(change.changes) if change.changes else ""
                self.stdout.write(f"{change.action:7} {change.key} {change.name} {detail}".rstrip())
        for school in unlisted:
            self.stdout.write(f"not in the register {school.unit_code} {school.name} (left as it is)")
        summary = ", ".join(f"{n} {a}" for a, n in plan.counts.items())
        self.stdout.write(
            self.style.SUCCESS(("Applied: " if apply else "Dry run, nothing written (use --apply): ") + summary)
        )
