"""Reminders send their mail through the outbox: each reminder that could be
sent gets its outbox row (same key, state, attempts and sent time), then the
reminder keeps only what it is about and who sent it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_to_outbox(apps, schema_editor):
    Reminder = apps.get_model("followup", "Reminder")
    Mail = apps.get_model("outbox", "Mail")
    for reminder in Reminder.objects.exclude(email="").filter(recipient__isnull=False).iterator():
        mail = Mail.objects.create(
            key=reminder.key,
            kind="followup.reminder",
            recipient_id=reminder.recipient_id,
            email=reminder.email,
            params={"reminder": reminder.pk},
            # A reminder being sent when the site stopped is sent by the sweep.
            status="pending" if reminder.status == "sending" else reminder.status,
            reason=reminder.reason,
            attempts=reminder.attempts,
            sent_at=reminder.sent_at,
        )
        Mail.objects.filter(pk=mail.pk).update(created_at=reminder.created_at)
        Reminder.objects.filter(pk=reminder.pk).update(mail=mail, reason="")


def copy_back(apps, schema_editor):
    Reminder = apps.get_model("followup", "Reminder")
    for reminder in Reminder.objects.filter(mail__isnull=False).select_related("mail").iterator():
        mail = reminder.mail
        Reminder.objects.filter(pk=reminder.pk).update(
            email=mail.email,
            status=mail.status,
            reason=mail.reason,
            attempts=mail.attempts,
            sent_at=mail.sent_at,
        )
    Reminder.objects.filter(mail__isnull=True).update(status="failed")


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0004_action_plans_moved"),
        ("outbox", "0001_initial"),
        ("schools", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who sent it by hand; empty for the schedule's reminders.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reminder",
            name="mail",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="reminder",
                to="outbox.mail",
            ),
        ),
        migrations.RunPython(copy_to_outbox, copy_back),
        migrations.RemoveIndex(model_name="reminder", name="followup_re_status_bf809e_idx"),
        migrations.RenameField(model_name="reminder", old_name="reason", new_name="problem"),
        migrations.RemoveField(model_name="reminder", name="attempts"),
        migrations.RemoveField(model_name="reminder", name="claimed_at"),
        migrations.RemoveField(model_name="reminder", name="email"),
        migrations.RemoveField(model_name="reminder", name="sent_at"),
        migrations.RemoveField(model_name="reminder", name="status"),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(fields=["cycle", "school", "created_at"], name="followup_re_cycle_i_417bf0_idx"),
        ),
    ]
