# Topics move from the catalogue to the publications: a recommendation points at its
# publication's copy of its topic. The new column is filled by 0004, then takes the old one's name
# in 0005.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publications', '0003_topic'),
        ('recommendations', '0002_entry_revisions'),
    ]

    operations = [
        migrations.AddField(
            model_name='recommendation',
            name='publication_topic',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='recommendations', to='publications.topic'),
        ),
    ]
