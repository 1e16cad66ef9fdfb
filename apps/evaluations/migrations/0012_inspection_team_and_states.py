"""On-site inspections get a team, a lead, states, a score and the committee's conclusion. Inspections recorded
before (findings written in one go by a committee member) become concluded ones led by whoever recorded them."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def conclude_earlier_inspections(apps, schema_editor):
    Inspection = apps.get_model("evaluations", "Inspection")
    for inspection in Inspection.objects.filter(lead__isnull=True).iterator(chunk_size=2000):
        inspection.status, inspection.lead_id, inspection.planned_on = "concluded", inspection.recorded_by_id, inspection.inspected_on
        inspection.save(update_fields=["status", "lead", "planned_on"])
        inspection.team.add(inspection.recorded_by_id)


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0011_round_rule_settings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(name='inspection', options={'ordering': ['planned_on', 'pk']}),
        migrations.AddField(
            model_name='inspection',
            name='status',
            field=models.CharField(choices=[('planned', 'Planned'), ('visited', 'Findings recorded'), ('concluded', 'Concluded'), ('cancelled', 'Cancelled')], default='planned', max_length=12, verbose_name='status'),
        ),
        migrations.AddField(model_name='inspection', name='planned_on', field=models.DateField(null=True, verbose_name='planned for')),
        migrations.AddField(
            model_name='inspection',
            name='lead',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='team lead'),
        ),
        migrations.AddField(
            model_name='inspection',
            name='team',
            field=models.ManyToManyField(related_name='inspections', to=settings.AUTH_USER_MODEL, verbose_name='inspection team'),
        ),
        migrations.AddField(
            model_name='inspection',
            name='score',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Out of 100.', null=True, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='score'),
        ),
        migrations.AddField(model_name='inspection', name='conclusion', field=models.TextField(blank=True, verbose_name='conclusion')),
        migrations.AddField(
            model_name='inspection', name='rectification_needed', field=models.BooleanField(default=False, verbose_name='rectification needed')
        ),
        migrations.AlterField(model_name='inspection', name='findings', field=models.TextField(blank=True, verbose_name='findings')),
        migrations.AlterField(model_name='inspection', name='inspected_on', field=models.DateField(blank=True, null=True, verbose_name='inspected on')),
        migrations.AlterField(
            model_name='inspection',
            name='recorded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='planned by'),
        ),
        migrations.RunPython(conclude_earlier_inspections, migrations.RunPython.noop),
    ]
