from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("Candidate inbox")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from inbox import permissions, receivers  # noqa: F401 (registers the capabilities)

        pre_delete.connect(
            receivers.release_claims_of_removed_member,
            sender=get_user_model(),
            dispatch_uid="inbox.release_claims_of_removed_member",
        )
