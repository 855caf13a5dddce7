# Each catalogue topic becomes one topic per publication whose recommendations use it; a topic
# no recommendation uses is copied to every publication, so no editor loses one. Every
# recommendation then points at its own publication's copy.

from django.db import migrations


def copy_topics(apps, schema_editor):
    OldTopic = apps.get_model('papers', 'Topic')
    Topic = apps.get_model('publications', 'Topic')
    Publication = apps.get_model('publications', 'Publication')
    Recommendation = apps.get_model('recommendations', 'Recommendation')
    every = list(Publication.objects.order_by('pk').values_list('pk', flat=True))
    for old in OldTopic.objects.order_by('pk'):
        users = list(
            Recommendation.objects.filter(topic=old)
            .order_by('publication_id')
            .values_list('publication_id', flat=True)
            .distinct()
        )
        for publication_id in users or every:
            copy = Topic.objects.create(
                publication_id=publication_id,
                slug=old.slug,
                name_en=old.name_en,
                name_zh=old.name_zh,
                description=old.description,
                position=old.position,
            )
            Recommendation.objects.filter(topic=old, publication_id=publication_id).update(
                publication_topic=copy
            )


def uncopy_topics(apps, schema_editor):
    """Back to one catalogue topic per slug (the first publication's copy names it)."""
    OldTopic = apps.get_model('papers', 'Topic')
    Topic = apps.get_model('publications', 'Topic')
    Recommendation = apps.get_model('recommendations', 'Recommendation')
    for copy in Topic.objects.order_by('publication_id', 'pk'):
        old, _created = OldTopic.objects.get_or_create(
            slug=copy.slug,
            defaults={
                'name_en': copy.name_en,
                'name_zh': copy.name_zh,
                'description': copy.description,
                'position': copy.position,
            },
        )
        Recommendation.objects.filter(publication_topic=copy).update(topic=old)
    Topic.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('papers', '0004_paper_merge'),
        ('recommendations', '0003_recommendation_publication_topic'),
    ]

    operations = [
        migrations.RunPython(copy_topics, uncopy_topics),
    ]
