import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0017_application_registering_node'),
    ]

    operations = [
        migrations.AlterField(
            model_name='application',
            name='registering_node',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.node'),
        ),
    ]
