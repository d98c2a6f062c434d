"""What the apps say happened, for the apps above them to act on.

An app low in the layers announces a change here instead of importing the app
that cares (the dashboards' summaries, reminders of other apps), so imports only
ever point down. Senders call these inside their transaction; receivers that
queue work do so with `transaction.on_commit`.
"""

from django.dispatch import Signal

# Self-assessments of `school_ids` in cycle `cycle_id` changed in a way the
# dashboards count (first answer, submission, return, approval, a new cycle).
assessments_changed = Signal()  # kwargs: cycle_id: int, school_ids: list[int]

# Schools whose committee, socio-economic band or school forms changed: counted
# again in every year they were followed up.
schools_changed = Signal()  # kwargs: school_ids: list[int]

# The daily reminder planning asks each app for its reminders due on a day;
# a receiver returns a list of unsaved outbox rows.
reminders_due = Signal()  # kwargs: today: datetime.date
