from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        from issues.signals import issue_published
        from newsletter import receivers

        issue_published.connect(
            receivers.mail_published_issue, dispatch_uid="newsletter.mail_published_issue"
        )
