"""Every inspection now has its planned date and its lead (filled in for the earlier ones by 0012); kept apart from
0012 so PostgreSQL alters the table in a transaction of its own, after the rows are updated."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0012_inspection_team_and_states'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(model_name='inspection', name='planned_on', field=models.DateField(verbose_name='planned for')),
        migrations.AlterField(
            model_name='inspection',
            name='lead',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='team lead'),
        ),
    ]
