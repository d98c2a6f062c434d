"""The goals a cycle copied get their level from the strategy's goals, so the
principal's form can show the goals for the school apart in follow-ups opened
before the level was copied."""

from django.db import migrations


def copy_levels(apps, schema_editor):
    CycleArea = apps.get_model("followup", "CycleArea")
    Goal = apps.get_model("strategy", "Goal")
    for area in CycleArea.objects.exclude(focus_area=None).iterator():
        levels = dict(Goal.objects.filter(focus_area_id=area.focus_area_id).values_list("number", "level"))
        goals = [{**goal, "level": levels.get(goal.get("number"), "")} for goal in area.goals]
        if goals != area.goals:
            area.goals = goals
            area.save(update_fields=["goals"])


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0008_assessment_committee_required"),
        ("strategy", "0003_indicator_computed"),
    ]

    operations = [migrations.RunPython(copy_levels, migrations.RunPython.noop)]
