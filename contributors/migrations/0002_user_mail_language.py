from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contributors', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='mail_language',
            field=models.CharField(blank=True, choices=[('en', 'English'), ('zh-hans', 'Simplified Chinese')], db_default='', default='', help_text="The language the site writes to the member in; blank: the site's default.", max_length=8, verbose_name='language of e-mails'),
        ),
    ]
