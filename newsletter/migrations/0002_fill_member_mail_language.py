"""Give each member the language of the latest newsletter subscription of their address: where
the language of their notifications was looked up until members had a field of their own."""

from django.db import migrations


def fill_mail_language(apps, schema_editor):
    User = apps.get_model("contributors", "User")
    Subscriber = apps.get_model("newsletter", "Subscriber")
    for user in User.objects.exclude(email="").filter(mail_language="").iterator():
        language = (
            Subscriber.objects.filter(email__iexact=user.email)
            .order_by("-created_at", "-pk")
            .values_list("language", flat=True)
            .first()
        )
        if language:
            User.objects.filter(pk=user.pk).update(mail_language=language)


def clear_mail_language(apps, schema_editor):
    apps.get_model("contributors", "User").objects.update(mail_language="")


class Migration(migrations.Migration):
    dependencies = [
        ("contributors", "0002_user_mail_language"),
        ("newsletter", "0001_subscribers_and_deliveries"),
    ]

    operations = [migrations.RunPython(fill_mail_language, clear_mail_language)]
