# Topics belong to publications now (publications.Topic); the recommendations moved to their
# publication's copies in recommendations 0004.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('papers', '0004_paper_merge'),
        ('recommendations', '0005_recommendation_topic_of_publication'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Topic',
        ),
    ]
