# The recorded committee is required once every assessment has one (0007);
# a migration of its own, so the backfill's updates are committed first.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0007_school_where_it_stood_per_followup"),
    ]

    operations = [
        migrations.AlterField(
            model_name="selfassessment",
            name="committee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assessments",
                to="schools.committee",
                verbose_name="committee",
            ),
        ),
    ]
