"""Planning reminders: who is reminded of what on which day, once."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from actionplans import services as actionplans
from followup import reminders
from followup.models import AssessmentStatus, Cycle, Reminder, ReminderKind, ReminderStatus
from outbox import services as outbox
from outbox.models import Mail, MailStatus
from tests.factories import member


@pytest.fixture
def dated(org, cycle_a):
    """The org's cycle with a fixed deadline, and a helper giving the day `n` days before it."""
    deadline = datetime.date(2026, 12, 15)
    Cycle.objects.filter(pk=org.cycle.pk).update(
        opens_on=datetime.date(2026, 10, 1), deadline=deadline, locks_on=datetime.date(2027, 1, 31)
    )
    org.cycle.refresh_from_db()
    return lambda n: deadline - datetime.timedelta(days=n)


def keys(day):
    return sorted((r.kind, r.occasion, r.recipient.email if r.recipient else None) for r in reminders.plan_for_day(day))


def test_principals_who_have_not_submitted_are_reminded_on_the_configured_days(org, dated):
    for days in (14, 7, 1):
        assert (ReminderKind.ASSESSMENT_DUE, f"d-{days}", org.principal_a.email) in keys(dated(days))
    assert not [k for k in keys(dated(10)) if k[0] == ReminderKind.ASSESSMENT_DUE]


def test_the_offsets_are_set_per_cycle(org, dated):
    Cycle.objects.filter(pk=org.cycle.pk).update(reminder_days="3")
    assert (ReminderKind.ASSESSMENT_DUE, "d-3", org.principal_a.email) in keys(dated(3))
    assert not [k for k in keys(dated(7)) if k[0] == ReminderKind.ASSESSMENT_DUE]


def test_a_school_that_has_handed_in_is_not_reminded(org, dated):
    org.assessment_a.status = AssessmentStatus.SUBMITTED
    org.assessment_a.save()
    emails = [k[2] for k in keys(dated(7)) if k[0] == ReminderKind.ASSESSMENT_DUE]
    assert org.principal_a.email not in emails
    assert org.principal_b.email in emails


def test_after_the_deadline_the_reminder_is_weekly_until_the_lock(org, dated):
    overdue = [d for d in range(1, 60) if any(k[0] == ReminderKind.ASSESSMENT_OVERDUE for k in keys(dated(-d)))]
    assert overdue == [7, 14, 21, 28, 35, 42]  # the cycle locks on 31 January, 47 days after the deadline


def test_the_committee_gets_a_summary_before_the_deadline_and_when_it_passes(org, dated):
    assert (ReminderKind.COMMITTEE_SUMMARY, "d-7", org.editor_a.email) in keys(dated(7))
    assert (ReminderKind.COMMITTEE_SUMMARY, "passed", org.editor_a.email) in keys(dated(-1))


def test_planning_the_same_day_twice_writes_nothing_new(org, dated):
    assert reminders.reminders_plan(today=dated(7)) > 0
    assert reminders.reminders_plan(today=dated(7)) == 0


def test_a_school_without_a_principal_is_recorded_with_the_reason(org, dated):
    org.principal_b.memberships.all().delete()
    reminders.reminders_plan(today=dated(7))
    row = Reminder.objects.get(kind=ReminderKind.ASSESSMENT_DUE, school=org.school_b)
    assert row.status == ReminderStatus.FAILED
    assert "ingen rektor" in row.reason


def test_a_reminder_says_what_is_due_when_how_far_and_links_to_the_form(org, dated, settings):
    settings.SITE_URL = "https://strategi.example.se"
    reminders.reminders_plan(today=dated(7))
    reminders.dispatch_pending()
    message = next(m for m in mail.outbox if m.to == [org.principal_a.email])
    assert "Skola A" in message.subject
    assert "2026-12-15" in message.body
    assert "0 av 1 fokusområden" in message.body
    assert f"https://strategi.example.se/assessments/{org.assessment_a.pk}/" in message.body
    html = message.alternatives[0][0]
    assert f'href="https://strategi.example.se/assessments/{org.assessment_a.pk}/"' in html
    assert (
        Reminder.objects.get(kind=ReminderKind.ASSESSMENT_DUE, recipient=org.principal_a).status == ReminderStatus.SENT
    )


def test_the_committee_summary_counts_and_lists_the_late_schools(org, dated):
    reminders.reminders_plan(today=dated(7))
    reminders.dispatch_pending()
    summary = next(m for m in mail.outbox if m.to == [org.editor_a.email])
    assert "0 av 1 enheter har lämnat in" in summary.body
    assert "- Skola A" in summary.body


def test_reminders_are_written_in_the_recipients_language(org, dated):
    org.principal_a.language = "en"
    org.principal_a.save()
    reminders.reminders_plan(today=dated(7))
    reminders.dispatch_pending()
    message = next(m for m in mail.outbox if m.to == [org.principal_a.email])
    assert "Reminder" in message.subject
    assert "is due on 2026-12-15" in message.body


def test_a_reminder_claimed_once_is_not_sent_again(org, dated):
    reminders.reminders_plan(today=dated(7))
    row = Mail.objects.filter(status=MailStatus.PENDING).first()
    assert outbox.mail_send(mail_id=row.pk) == "sent"
    assert outbox.mail_send(mail_id=row.pk) == "already taken"
    assert len([m for m in mail.outbox if m.extra_headers["X-Portal-Mail"] == row.key]) == 1


def test_period_reports_are_reminded_to_committees_that_have_not_handed_in(org, plan_a):
    day = org.period.deadline - datetime.timedelta(days=7)
    assert (ReminderKind.REPORT_DUE, "d-7", org.editor_a.email) in keys(day)
    actionplans.period_report_save(report=org.plan_a.reports.get(), rows={}, values={}, version=0, user=org.editor_a)
    assert (ReminderKind.REPORT_DUE, "d-7", org.editor_a.email) in keys(day)  # saved is not handed in
    actionplans.period_report_submit(report=org.plan_a.reports.get(), user=org.editor_a)
    assert not [k for k in keys(day) if k[0] == ReminderKind.REPORT_DUE]


def test_a_period_report_not_handed_in_is_reminded_every_week_after_the_deadline(org, plan_a):
    deadline = org.period.deadline
    late = [k for k in keys(deadline + datetime.timedelta(days=14)) if k[0] == ReminderKind.REPORT_DUE]
    assert late == [(ReminderKind.REPORT_DUE, "late-2w", org.editor_a.email)]
    assert not [k for k in keys(deadline + datetime.timedelta(days=10)) if k[0] == ReminderKind.REPORT_DUE]


def test_committee_staff_remind_their_late_schools_now_and_see_the_log(
    client, org, dated, django_capture_on_commit_callbacks
):
    client.force_login(org.editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("followup:remind_now", args=[org.cycle.pk]), follow=True)
    assert "1 påminnelser är på väg" in response.content.decode()
    assert [m.to for m in mail.outbox] == [[org.principal_a.email]]
    log = client.get(reverse("followup:reminder_log", args=[org.cycle.pk])).content.decode()
    assert org.principal_a.email in log
    assert org.principal_b.email not in log


def test_the_command_shows_who_would_get_what_without_writing(org, dated, capsys):
    head = member(Role.COMMITTEE_EDITOR, committee=org.committee_b, email="ny.redaktor@example.se")
    call_command("send_reminders", "--dry-run", "--date", dated(7).isoformat())
    output = capsys.readouterr().out
    assert org.principal_a.email in output
    assert head.email in output
    assert not Reminder.objects.exists()


def remind_now(client, cycle_pk, **data):
    return client.post(reverse("followup:remind_now", args=[cycle_pk]), data, follow=True)


def test_remind_now_leaves_out_schools_reminded_in_the_last_day_unless_asked_to_remind_again(
    client, org, cycle_a, django_capture_on_commit_callbacks
):
    # This morning's scheduled reminder went to school A's principal.
    days_left = (org.cycle.deadline - timezone.localdate()).days
    Cycle.objects.filter(pk=org.cycle.pk).update(reminder_days=str(days_left))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminders_plan(today=timezone.localdate()) > 0
    assert [m.to for m in mail.outbox if m.to == [org.principal_a.email]] == [[org.principal_a.email]]
    sent = len(mail.outbox)

    client.force_login(org.editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        page = remind_now(client, org.cycle.pk).content.decode()
    assert "0 påminnelser är på väg" in page
    assert "1 enheter har påmints det senaste dygnet och fick ingen ny påminnelse" in page
    assert len(mail.outbox) == sent

    with django_capture_on_commit_callbacks(execute=True):
        page = remind_now(client, org.cycle.pk, again="1").content.decode()
    assert "1 påminnelser är på väg" in page
    assert mail.outbox[-1].to == [org.principal_a.email]
    assert len(mail.outbox) == sent + 1

    # A day later the school is reminded again without asking.
    Reminder.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    Mail.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    for row in Reminder.objects.filter(kind=ReminderKind.MANUAL):  # as if written yesterday
        Mail.objects.filter(pk=row.mail_id).update(key=f"{row.key}-yesterday")
        Reminder.objects.filter(pk=row.pk).update(key=f"{row.key}-yesterday")
    with django_capture_on_commit_callbacks(execute=True):
        assert "1 påminnelser är på väg" in remind_now(client, org.cycle.pk).content.decode()
    assert len(mail.outbox) == sent + 2


def test_a_double_click_on_remind_now_sends_once(client, org, cycle_a, django_capture_on_commit_callbacks):
    client.force_login(org.editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        for _click in range(3):
            remind_now(client, org.cycle.pk, again="1")
    assert Reminder.objects.filter(kind=ReminderKind.MANUAL).count() == 1
    assert [m.to for m in mail.outbox] == [[org.principal_a.email]]


def test_the_follow_up_page_shows_when_each_late_school_was_last_reminded_and_by_whom(
    client, org, cycle_a, django_capture_on_commit_callbacks
):
    client.force_login(org.editor_a)
    page = client.get(reverse("followup:cycle_detail", args=[org.cycle.pk])).content.decode()
    assert "Senast påmind" in page
    assert "Inte påmind" in page
    with django_capture_on_commit_callbacks(execute=True):
        remind_now(client, org.cycle.pk)
    page = client.get(reverse("followup:cycle_detail", args=[org.cycle.pk])).content.decode()
    assert f"{timezone.localtime():%Y-%m-%d}" in page
    assert str(org.editor_a) in page
    assert "Inte påmind" not in page
    log = client.get(reverse("followup:reminder_log", args=[org.cycle.pk])).content.decode()
    assert str(org.editor_a) in log  # sent by
