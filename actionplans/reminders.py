"""Reminders for period reports not yet reported, written to the follow-up's
reminder outbox by the daily planning (which asks through `core.events`)."""

import datetime

from django.dispatch import receiver

from actionplans.models import ActionPlan, PeriodReport, ReportPeriod
from core import events
from followup.models import Reminder, ReminderKind
from followup.reminders import committee_editors, reminder_row

REPORT_OFFSETS = (14, 7, 1)  # days before a period's deadline


@receiver(events.reminders_due)
def period_reports_due(sender, *, today: datetime.date, **kwargs) -> list[Reminder]:
    """Every committee with a plan and no report yet, 14, 7 and 1 days before a period's deadline."""
    rows: list[Reminder] = []
    for period in ReportPeriod.objects.filter(deadline__gte=today):
        days_left = (period.deadline - today).days
        if days_left not in REPORT_OFFSETS:
            continue
        reported = set(
            PeriodReport.objects.filter(period=period, updated_at__isnull=False).values_list(
                "plan__committee_id", flat=True
            )
        )
        committees = set(ActionPlan.objects.values_list("committee_id", flat=True)) - reported
        editors = committee_editors(committees)
        for committee_id in sorted(committees):
            for user in editors.get(committee_id) or [None]:
                rows.append(
                    reminder_row(
                        ReminderKind.REPORT_DUE,
                        f"d-{days_left}",
                        f"period{period.pk}-committee{committee_id}",
                        user,
                        period=period,
                        committee_id=committee_id,
                    )
                )
    return rows
