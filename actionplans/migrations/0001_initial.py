"""The action plans move here from the follow-up app, data and all.

The models were created by followup.0002; here they are created in this app's
state only, their tables renamed from followup_* to actionplans_*, and their
content types moved, so a database holding plans keeps every row and history
record. followup.0004 then removes them from the follow-up's state."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MODELS = [
    "actionplan", "action", "historicalaction", "historicalaction_goals", "historicalactionplan", "reportperiod",
    "periodreport", "historicalperiodreport", "actionreport", "historicalactionreport", "indicatorvalue",
    "historicalindicatorvalue",
]


def move_content_types(apps, schema_editor):
    """Permissions and admin log entries of the moved models keep pointing at them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="actionplans", model__in=MODELS).delete()
    ContentType.objects.filter(app_label="followup", model__in=MODELS).update(app_label="actionplans")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="followup", model__in=MODELS).delete()
    ContentType.objects.filter(app_label="actionplans", model__in=MODELS).update(app_label="followup")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('followup', '0003_reminders'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('schools', '0001_initial'),
        ('strategy', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ActionPlan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_in', models.PositiveSmallIntegerField(verbose_name='from year')),
                        ('ends_in', models.PositiveSmallIntegerField(verbose_name='to year')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('adopted', 'Adopted')], default='draft', max_length=10, verbose_name='status')),
                        ('decided_on', models.DateField(blank=True, null=True, verbose_name='decision date')),
                        ('registry_number', models.CharField(blank=True, max_length=50, verbose_name='registry number')),
                        ('version', models.PositiveIntegerField(default=0)),
                        ('committee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='action_plans', to='schools.committee', verbose_name='committee')),
                        ('strategy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='action_plans', to='strategy.strategy', verbose_name='strategy')),
                    ],
                    options={
                        'verbose_name': 'action plan',
                        'verbose_name_plural': 'action plans',
                        'ordering': ['committee__name', '-starts_in'],
                    },
                ),
                migrations.CreateModel(
                    name='Action',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('responsible', models.CharField(help_text='A role or a name.', max_length=200, verbose_name='responsible')),
                        ('starts_on', models.DateField(verbose_name='start')),
                        ('ends_on', models.DateField(verbose_name='end')),
                        ('success_criteria', models.TextField(blank=True, verbose_name='success criteria')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('ongoing', 'Ongoing'), ('done', 'Done'), ('postponed', 'Postponed'), ('cancelled', 'Cancelled')], default='planned', max_length=10, verbose_name='status')),
                        ('version', models.PositiveIntegerField(default=0)),
                        ('goals', models.ManyToManyField(related_name='actions', to='strategy.goal', verbose_name='goals')),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='actionplans.actionplan')),
                    ],
                    options={
                        'verbose_name': 'action',
                        'verbose_name_plural': 'actions',
                        'ordering': ['starts_on', 'title'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalAction',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('responsible', models.CharField(help_text='A role or a name.', max_length=200, verbose_name='responsible')),
                        ('starts_on', models.DateField(verbose_name='start')),
                        ('ends_on', models.DateField(verbose_name='end')),
                        ('success_criteria', models.TextField(blank=True, verbose_name='success criteria')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('ongoing', 'Ongoing'), ('done', 'Done'), ('postponed', 'Postponed'), ('cancelled', 'Cancelled')], default='planned', max_length=10, verbose_name='status')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actionplans.actionplan')),
                    ],
                    options={
                        'verbose_name': 'historical action',
                        'verbose_name_plural': 'historical actions',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalAction_goals',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('action', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actionplans.action')),
                        ('goal', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='strategy.goal')),
                        ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='actionplans.historicalaction')),
                    ],
                    options={
                        'verbose_name': 'HistoricalAction_goals',
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalActionPlan',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('starts_in', models.PositiveSmallIntegerField(verbose_name='from year')),
                        ('ends_in', models.PositiveSmallIntegerField(verbose_name='to year')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('adopted', 'Adopted')], default='draft', max_length=10, verbose_name='status')),
                        ('decided_on', models.DateField(blank=True, null=True, verbose_name='decision date')),
                        ('registry_number', models.CharField(blank=True, max_length=50, verbose_name='registry number')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('committee', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='schools.committee', verbose_name='committee')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('strategy', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='strategy.strategy', verbose_name='strategy')),
                    ],
                    options={
                        'verbose_name': 'historical action plan',
                        'verbose_name_plural': 'historical action plans',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='PeriodReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reopened', models.BooleanField(default=False, help_text='Lets the committee edit after the deadline.', verbose_name='reopened by the city office')),
                        ('version', models.PositiveIntegerField(default=0)),
                        ('updated_at', models.DateTimeField(blank=True, null=True)),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='actionplans.actionplan')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-period__year', '-period__kind'],
                    },
                ),
                migrations.CreateModel(
                    name='IndicatorValue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='value')),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='values', to='strategy.indicator')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicator_values', to='actionplans.periodreport')),
                    ],
                ),
                migrations.CreateModel(
                    name='HistoricalIndicatorValue',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('value', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='value')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('indicator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='strategy.indicator')),
                        ('report', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actionplans.periodreport')),
                    ],
                    options={
                        'verbose_name': 'historical indicator value',
                        'verbose_name_plural': 'historical indicator values',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalActionReport',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('ongoing', 'Ongoing'), ('done', 'Done'), ('postponed', 'Postponed'), ('cancelled', 'Cancelled')], max_length=10, verbose_name='status')),
                        ('light', models.CharField(blank=True, choices=[('green', 'Green – on track'), ('yellow', 'Yellow – at risk'), ('red', 'Red – off track')], max_length=10, verbose_name='traffic light')),
                        ('comment', models.TextField(blank=True, verbose_name='progress')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('action', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actionplans.action')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actionplans.periodreport')),
                    ],
                    options={
                        'verbose_name': 'historical action report',
                        'verbose_name_plural': 'historical action reports',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='ActionReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('ongoing', 'Ongoing'), ('done', 'Done'), ('postponed', 'Postponed'), ('cancelled', 'Cancelled')], max_length=10, verbose_name='status')),
                        ('light', models.CharField(blank=True, choices=[('green', 'Green – on track'), ('yellow', 'Yellow – at risk'), ('red', 'Red – off track')], max_length=10, verbose_name='traffic light')),
                        ('comment', models.TextField(blank=True, verbose_name='progress')),
                        ('action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='actionplans.action')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_reports', to='actionplans.periodreport')),
                    ],
                ),
                migrations.CreateModel(
                    name='ReportPeriod',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('kind', models.CharField(choices=[('t1', 'Period report 1 (January–April)'), ('t2', 'Period report 2 (January–August)'), ('annual', 'Annual report')], max_length=10, verbose_name='report')),
                        ('deadline', models.DateField(verbose_name='deadline')),
                    ],
                    options={
                        'verbose_name': 'report period',
                        'verbose_name_plural': 'report periods',
                        'ordering': ['-year', 'kind'],
                        'constraints': [models.UniqueConstraint(fields=('year', 'kind'), name='one_report_period_per_year_and_kind')],
                    },
                ),
                migrations.AddField(
                    model_name='periodreport',
                    name='period',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='actionplans.reportperiod'),
                ),
                migrations.CreateModel(
                    name='HistoricalPeriodReport',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('reopened', models.BooleanField(default=False, help_text='Lets the committee edit after the deadline.', verbose_name='reopened by the city office')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actionplans.actionplan')),
                        ('period', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actionplans.reportperiod')),
                    ],
                    options={
                        'verbose_name': 'historical period report',
                        'verbose_name_plural': 'historical period reports',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddConstraint(
                    model_name='actionplan',
                    constraint=models.UniqueConstraint(fields=('committee', 'strategy'), name='one_action_plan_per_committee_and_strategy'),
                ),
                migrations.AddConstraint(
                    model_name='actionplan',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_in__gte', models.F('starts_in'))), name='action_plan_ends_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='action',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='action_ends_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='indicatorvalue',
                    constraint=models.UniqueConstraint(fields=('report', 'indicator'), name='one_value_per_indicator_and_period'),
                ),
                migrations.AddConstraint(
                    model_name='actionreport',
                    constraint=models.UniqueConstraint(fields=('report', 'action'), name='one_report_per_action_and_period'),
                ),
                migrations.AddConstraint(
                    model_name='periodreport',
                    constraint=models.UniqueConstraint(fields=('plan', 'period'), name='one_report_per_plan_and_period'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE followup_actionplan RENAME TO actionplans_actionplan",
                    reverse_sql="ALTER TABLE actionplans_actionplan RENAME TO followup_actionplan",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_action RENAME TO actionplans_action",
                    reverse_sql="ALTER TABLE actionplans_action RENAME TO followup_action",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_action_goals RENAME TO actionplans_action_goals",
                    reverse_sql="ALTER TABLE actionplans_action_goals RENAME TO followup_action_goals",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_historicalaction RENAME TO actionplans_historicalaction",
                    reverse_sql="ALTER TABLE actionplans_historicalaction RENAME TO followup_historicalaction",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_historicalaction_goals RENAME TO actionplans_historicalaction_goals",
                    reverse_sql="ALTER TABLE actionplans_historicalaction_goals RENAME TO followup_historicalaction_goals",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_historicalactionplan RENAME TO actionplans_historicalactionplan",
                    reverse_sql="ALTER TABLE actionplans_historicalactionplan RENAME TO followup_historicalactionplan",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_reportperiod RENAME TO actionplans_reportperiod",
                    reverse_sql="ALTER TABLE actionplans_reportperiod RENAME TO followup_reportperiod",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_periodreport RENAME TO actionplans_periodreport",
                    reverse_sql="ALTER TABLE actionplans_periodreport RENAME TO followup_periodreport",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_historicalperiodreport RENAME TO actionplans_historicalperiodreport",
                    reverse_sql="ALTER TABLE actionplans_historicalperiodreport RENAME TO followup_historicalperiodreport",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_actionreport RENAME TO actionplans_actionreport",
                    reverse_sql="ALTER TABLE actionplans_actionreport RENAME TO followup_actionreport",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_historicalactionreport RENAME TO actionplans_historicalactionreport",
                    reverse_sql="ALTER TABLE actionplans_historicalactionreport RENAME TO followup_historicalactionreport",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_indicatorvalue RENAME TO actionplans_indicatorvalue",
                    reverse_sql="ALTER TABLE actionplans_indicatorvalue RENAME TO followup_indicatorvalue",
                ),
                migrations.RunSQL(
                    "ALTER TABLE followup_historicalindicatorvalue RENAME TO actionplans_historicalindicatorvalue",
                    reverse_sql="ALTER TABLE actionplans_historicalindicatorvalue RENAME TO followup_historicalindicatorvalue",
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
