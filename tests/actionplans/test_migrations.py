"""A database holding action plans from the time they lived in the follow-up app
keeps every row, link and history record when they move to their own app."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("followup", "0003_reminders"), ("actionplans", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_plans_written_in_the_old_layout_are_there_after_the_move():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        committee = old.get_model("schools", "Committee").objects.create(code="A", name="Nämnd A")
        strategy = old.get_model("strategy", "Strategy").objects.create(
            title="It-strategi", valid_from=2025, valid_to=2028
        )
        area = old.get_model("strategy", "FocusArea").objects.create(strategy=strategy, number=1, title="Infrastruktur")
        goal = old.get_model("strategy", "Goal").objects.create(
            focus_area=area, number="1.1", text="Nät i alla skolor."
        )
        plan = old.get_model("followup", "ActionPlan").objects.create(
            committee=committee, strategy=strategy, starts_in=2025, ends_in=2028, registry_number="KS 2025/1"
        )
        action = old.get_model("followup", "Action").objects.create(
            plan=plan,
            title="Trådlöst nät",
            responsible="IT-samordnare",
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2025, 12, 31),
        )
        action.goals.add(goal)
        period = old.get_model("followup", "ReportPeriod").objects.create(
            year=2025, kind="t1", deadline=datetime.date(2025, 5, 15)
        )
        report = old.get_model("followup", "PeriodReport").objects.create(plan=plan, period=period, version=2)
        old.get_model("followup", "ActionReport").objects.create(
            report=report, action=action, status="ongoing", light="green", comment="Halvvägs."
        )
        old.get_model("followup", "HistoricalActionPlan").objects.create(
            id=plan.pk,
            committee=committee,
            strategy=strategy,
            starts_in=2025,
            ends_in=2028,
            status="draft",
            registry_number="KS 2025/1",
            history_date=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
            history_type="+",
        )
    finally:
        migrate(leaves)

    from actionplans.models import ActionPlan, ActionReport

    moved = ActionPlan.objects.get()
    assert (moved.committee.code, moved.registry_number) == ("A", "KS 2025/1")
    assert [(a.title, [g.number for g in a.goals.all()]) for a in moved.actions.all()] == [("Trådlöst nät", ["1.1"])]
    assert list(ActionReport.objects.values_list("report__period__kind", "status", "light", "comment")) == [
        ("t1", "ongoing", "green", "Halvvägs.")
    ]
    assert moved.reports.get().version == 2
    assert [h.registry_number for h in moved.history.all()] == ["KS 2025/1"]
    tables = connection.introspection.table_names()
    assert "actionplans_actionplan" in tables
    assert not [t for t in tables if t.startswith("followup_") and "plan" in t]
