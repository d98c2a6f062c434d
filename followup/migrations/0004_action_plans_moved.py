"""The action plans now live in their own app (actionplans.0001 moved their
tables): remove them from the follow-up's state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actionplans', '0001_initial'),
        ('followup', '0003_reminders'),
        ('schools', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='action',
                    name='goals',
                ),
                migrations.RemoveField(
                    model_name='action',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='historicalactionreport',
                    name='action',
                ),
                migrations.RemoveField(
                    model_name='historicalaction_goals',
                    name='action',
                ),
                migrations.RemoveField(
                    model_name='actionreport',
                    name='action',
                ),
                migrations.RemoveField(
                    model_name='actionplan',
                    name='committee',
                ),
                migrations.RemoveField(
                    model_name='actionplan',
                    name='strategy',
                ),
                migrations.RemoveField(
                    model_name='historicalperiodreport',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='historicalaction',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='periodreport',
                    name='plan',
                ),
                migrations.RemoveField(
                    model_name='actionreport',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='historicalaction',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalaction_goals',
                    name='history',
                ),
                migrations.RemoveField(
                    model_name='historicalaction_goals',
                    name='goal',
                ),
                migrations.RemoveField(
                    model_name='historicalactionplan',
                    name='committee',
                ),
                migrations.RemoveField(
                    model_name='historicalactionplan',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalactionplan',
                    name='strategy',
                ),
                migrations.RemoveField(
                    model_name='historicalactionreport',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalactionreport',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='historicalindicatorvalue',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalindicatorvalue',
                    name='indicator',
                ),
                migrations.RemoveField(
                    model_name='historicalindicatorvalue',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='historicalperiodreport',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalperiodreport',
                    name='period',
                ),
                migrations.RemoveField(
                    model_name='indicatorvalue',
                    name='indicator',
                ),
                migrations.RemoveField(
                    model_name='indicatorvalue',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='periodreport',
                    name='period',
                ),
                migrations.RemoveField(
                    model_name='periodreport',
                    name='updated_by',
                ),
                migrations.AlterField(
                    model_name='reminder',
                    name='period',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='actionplans.reportperiod'),
                ),
                migrations.DeleteModel(
                    name='Action',
                ),
                migrations.DeleteModel(
                    name='ActionPlan',
                ),
                migrations.DeleteModel(
                    name='ActionReport',
                ),
                migrations.DeleteModel(
                    name='HistoricalAction',
                ),
                migrations.DeleteModel(
                    name='HistoricalAction_goals',
                ),
                migrations.DeleteModel(
                    name='HistoricalActionPlan',
                ),
                migrations.DeleteModel(
                    name='HistoricalActionReport',
                ),
                migrations.DeleteModel(
                    name='HistoricalIndicatorValue',
                ),
                migrations.DeleteModel(
                    name='HistoricalPeriodReport',
                ),
                migrations.DeleteModel(
                    name='IndicatorValue',
                ),
                migrations.DeleteModel(
                    name='PeriodReport',
                ),
                migrations.DeleteModel(
                    name='ReportPeriod',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name='selfassessment',
            index=models.Index(fields=['cycle', 'status'], name='assessment_cycle_status'),
        ),
    ]
