import secrets

from django.db import migrations


def fill(apps, schema_editor):
    """A key for every subscriber that has none. Links already mailed keep working: they are
    signed, and are read as before (newsletter.services.subscriber_from_unsubscribe_token)."""
    Subscriber = apps.get_model("newsletter", "Subscriber")
    for pk in Subscriber.objects.filter(unsubscribe_key__isnull=True).values_list("pk", flat=True):
        Subscriber.objects.filter(pk=pk).update(unsubscribe_key=secrets.token_urlsafe(24))


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0002_subscriber_unsubscribe_key"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
