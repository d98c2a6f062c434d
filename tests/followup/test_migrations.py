"""Self-assessments written before each recorded where its school stood get the
school's values as they are when the migration runs (the only record there is)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("followup", "0006_cycles_per_strategy_committees_and_forms")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_existing_assessments_record_their_schools_committee_forms_bands_and_status():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        # The schools app stays as it is: its tables are the current ones.
        from schools.models import Committee, School

        committee = Committee.objects.create(code="A", name="Nämnd A")
        school = School.objects.create(
            unit_code="11111111", name="Skola A", committee=committee, ses_band=3, pupil_count=250
        )
        school.set_forms({"grundskola", "fritidshem"})
        strategy = old.get_model("strategy", "Strategy").objects.create(
            title="It-strategi", valid_from=2025, valid_to=2028
        )
        cycle = old.get_model("followup", "Cycle").objects.create(
            strategy=strategy,
            year=2025,
            opens_on=datetime.date(2025, 10, 1),
            deadline=datetime.date(2025, 12, 1),
            locks_on=datetime.date(2025, 12, 31),
        )
        old.get_model("followup", "SelfAssessment").objects.create(cycle=cycle, school_id=school.pk)
    finally:
        migrate(leaves)

    from followup.models import SelfAssessment

    recorded = SelfAssessment.objects.get()
    assert (recorded.committee.code, recorded.school_forms, recorded.ses_band, recorded.pupil_count) == (
        "A",
        ["fritidshem", "grundskola"],
        3,
        250,
    )
    assert recorded.school_active is True
