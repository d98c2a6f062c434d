import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followup import reminders


class Command(BaseCommand):
    help = (
        "Write the reminders due on a day to the outbox and queue them (what the daily schedule does). "
        "With --dry-run, show who would get what and write nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day, YYYY-MM-DD (default today).")
        parser.add_argument("--dry-run", action="store_true", help="Show who would get what; write and send nothing.")

    def handle(self, *args, date: str | None, dry_run: bool, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date: expected YYYY-MM-DD, got {date!r}") from None
        planned = reminders.plan_for_day(day)
        for r in planned:
            about = r.school.name if r.school_id else (str(r.period) if r.period_id else str(r.committee or ""))
            who = f"{r.recipient} <{r.recipient.email}>" if r.recipient else "–"
            note = f"  NOT SENT: {r.problem}" if r.problem else ""
            self.stdout.write(f"{r.get_kind_display():32} {r.occasion:12} {who:45} {about}{note}")
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"Dry run for {day}: {len(planned)} reminders would be written."))
            return
        created = reminders.reminders_plan(today=day)
        queued = reminders.dispatch_pending()
        self.stdout.write(self.style.SUCCESS(f"{day}: {created} new reminders written, {queued} queued for sending."))
