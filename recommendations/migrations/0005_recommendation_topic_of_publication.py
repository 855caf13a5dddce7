# The catalogue's topic column goes; the publication's copy (filled by 0004) takes its name.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('recommendations', '0004_copy_topics_to_publications'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='recommendation',
            name='topic',
        ),
        migrations.RenameField(
            model_name='recommendation',
            old_name='publication_topic',
            new_name='topic',
        ),
    ]
