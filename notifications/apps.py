from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Member notifications")

    def ready(self) -> None:
        from issues.signals import issue_published, recommendation_co_credited
        from notifications import receivers
        from recommendations.signals import (
            recommendation_accepted,
            recommendation_reviewed,
            recommendation_revised,
        )

        recommendation_reviewed.connect(
            receivers.notify_reviewed, dispatch_uid="notifications.notify_reviewed"
        )
        recommendation_accepted.connect(
            receivers.notify_accepted, dispatch_uid="notifications.notify_accepted"
        )
        recommendation_revised.connect(
            receivers.notify_revised, dispatch_uid="notifications.notify_revised"
        )
        recommendation_co_credited.connect(
            receivers.notify_co_credited, dispatch_uid="notifications.notify_co_credited"
        )
        issue_published.connect(
            receivers.notify_published, dispatch_uid="notifications.notify_published"
        )
