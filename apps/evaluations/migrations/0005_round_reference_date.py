from django.db import migrations, models
from django.db.models import F


def from_closing_date(apps, schema_editor):
    """Existing rounds keep computing eligibility on the day they close, as they did before the setting existed."""
    apps.get_model("evaluations", "Round").objects.update(reference_date=F("application_closes"))


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0004_round_complaint_bar_months"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="reference_date",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(from_closing_date, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="round",
            name="reference_date",
            field=models.DateField(
                blank=True,
                help_text="Ages and 12-month periods are computed on this day. Empty: the day applications close.",
                verbose_name="reference date",
            ),
        ),
    ]
