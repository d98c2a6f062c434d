from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from dashboards import summaries
from devtools import demo_accounts as accounts_demo
from devtools import demo_followup as followup_demo
from devtools import demo_schools as schools_demo
from devtools import demo_strategy as strategy_demo


class Command(BaseCommand):
    help = "Load (or bring up to date) the demo city: committees, schools, one user per role, strategies."

    def handle(self, *args, **options):
        # Demo texts are written as a Swedish user would see them.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            schools = schools_demo.build()
            users = accounts_demo.build()
            strategies = strategy_demo.build()
            cycles = followup_demo.build()
            plans = followup_demo.build_plans()
            followup_demo.build_quotes()
            for cycle in cycles:
                summaries.rebuild(cycle)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {len(schools_demo.COMMITTEES)} committees, {len(schools)} school units, "
                f"{len(strategies)} strategies, follow-ups for {', '.join(str(c.year) for c in cycles)}, "
                f"{len(plans)} action plans."
            )
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {accounts_demo.PASSWORD}):")
        width = max(len(email) for email, _ in users)
        for email, description in users:
            self.stdout.write(f"  {email.ljust(width)}  {description}")
