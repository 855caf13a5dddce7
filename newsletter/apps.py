from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        from anymail.signals import tracking

        from common.metrics import register_collector
        from issues import progress
        from issues.signals import issue_published
        from newsletter import receivers, selectors
        from newsletter.metrics import DeliveryCollector

        progress.register(selectors.issue_mailing_progress)

        issue_published.connect(
            receivers.mail_published_issue, dispatch_uid="newsletter.mail_published_issue"
        )
        tracking.connect(
            receivers.suppress_bounced_address, dispatch_uid="newsletter.suppress_bounced_address"
        )
        post_save.connect(
            receivers.adopt_subscription_language,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="newsletter.adopt_subscription_language",
        )
        register_collector(DeliveryCollector())
