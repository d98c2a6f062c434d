from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schools import org_files, services


class Command(BaseCommand):
    help = (
        "Import or update committees or school units from a CSV or Excel file (columns in the README). "
        "The whole file is checked first; with any error nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change, write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            plan = services.organisation_import_plan(filename=file.name, content=content)
        except org_files.ImportFileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        if not plan.is_valid:
            for error in plan.errors:
                self.stderr.write(f"{file}:{error.line}: {error.message}")
            raise CommandError(f"{len(plan.errors)} error(s); nothing was imported.")
        for change in plan.changes:
            if change.action != "unchanged":
                detail = "; ".join(change.changes) if change.changes else ""
                self.stdout.write(f"{change.action:7} {change.key} {change.name} {detail}".rstrip())
        if not dry_run:
            plan = services.organisation_import_apply(raw_rows=plan.raw_rows)
            if not plan.is_valid:
                raise CommandError("The organisation changed while importing; nothing was imported.")
        summary = ", ".join(f"{n} {a}" for a, n in plan.counts.items())
        self.stdout.write(self.style.SUCCESS(("Dry run, nothing written: " if dry_run else "Imported: ") + summary))
