from django.db import migrations


class Migration(migrations.Migration):
    """The flag gives way to the filing round the previous migration linked."""

    dependencies = [
        ("evaluations", "0015_filing_rounds_for_flagged_rounds"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='round',
            name='creation_registration_closes',
        ),
        migrations.RemoveField(
            model_name='round',
            name='requires_creation_registration',
        ),
    ]
