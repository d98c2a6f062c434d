"""Reminders for period reports not yet handed in, written to the follow-up's
reminder outbox by the daily planning (which asks through `core.events`)."""

import datetime

from django.dispatch import receiver

from actionplans.models import REPORT_HANDED_IN_STATUSES, ActionPlan, PeriodReport, ReportPeriod
from core import events
from followup.models import Reminder, ReminderKind
from followup.reminders import committee_editors, reminder_row

REPORT_OFFSETS = (14, 7, 1)  # days before a period's deadline
LATE_WEEKS = 8  # after the deadline, a reminder every week for this many weeks


@receiver(events.reminders_due)
def period_reports_due(sender, *, today: datetime.date, **kwargs) -> list[Reminder]:
    """Every committee whose plan covers the period's year and whose report is
    not handed in: 14, 7 and 1 days before the deadline, then every week after
    it (for eight weeks)."""
    rows: list[Reminder] = []
    oldest = today - datetime.timedelta(weeks=LATE_WEEKS)
    for period in ReportPeriod.objects.filter(deadline__gte=oldest):
        days_left = (period.deadline - today).days
        if days_left in REPORT_OFFSETS:
            occasion = f"d-{days_left}"
        elif days_left < 0 and -days_left % 7 == 0:
            occasion = f"late-{-days_left // 7}w"
        else:
            continue
        handed_in = set(
            PeriodReport.objects.filter(period=period, status__in=REPORT_HANDED_IN_STATUSES).values_list(
                "plan__committee_id", flat=True
            )
        )
        # The committees' plans: the city office does not remind itself of its own.
        plans = ActionPlan.objects.of_committees().filter(starts_in__lte=period.year, ends_in__gte=period.year)
        committees = set(plans.values_list("committee_id", flat=True)) - handed_in
        editors = committee_editors(committees)
        for committee_id in sorted(committees):
            for user in editors.get(committee_id) or [None]:
                rows.append(
                    reminder_row(
                        ReminderKind.REPORT_DUE,
                        occasion,
                        f"period{period.pk}-committee{committee_id}",
                        user,
                        period=period,
                        committee_id=committee_id,
                    )
                )
    return rows
