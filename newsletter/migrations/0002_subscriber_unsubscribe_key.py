import newsletter.models
from django.db import migrations, models


class Migration(migrations.Migration):
    """Each subscriber's own unsubscribe key. The column is added without a default, so that the
    rows already there are left empty rather than all given the one value a default would compute
    once (which the unique constraint refuses); 0003 fills them, and new rows get theirs from the
    model's default."""

    dependencies = [
        ("newsletter", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="unsubscribe_key",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="unsubscribe key",
            ),
        ),
        migrations.AlterField(
            model_name="subscriber",
            name="unsubscribe_key",
            field=models.CharField(
                blank=True,
                default=newsletter.models.new_unsubscribe_key,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="unsubscribe key",
            ),
        ),
    ]
