from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from common.metrics import register_collector
        from issues import desk, progress
        from issues.signals import issue_corrected, issue_published
        from recommendations.signals import recommendation_accepted, recommendation_reviewed
        from webhooks import permissions, receivers, selectors  # noqa: F401 (registrations)
        from webhooks.metrics import WebhookCollector

        issue_published.connect(receivers.issue_published, dispatch_uid="webhooks.published")
        issue_corrected.connect(receivers.issue_corrected, dispatch_uid="webhooks.corrected")
        recommendation_accepted.connect(
            receivers.recommendation_accepted, dispatch_uid="webhooks.accepted"
        )
        recommendation_reviewed.connect(
            receivers.recommendation_reviewed, dispatch_uid="webhooks.reviewed"
        )
        progress.register(selectors.issue_webhook_progress)
        desk.register(selectors.desk_link)
        register_collector(WebhookCollector())
