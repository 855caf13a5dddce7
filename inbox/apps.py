from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("Candidate inbox")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from inbox import navigation, permissions, receivers  # noqa: F401 (registrations)
        from issues import desk, member_links

        pre_delete.connect(
            receivers.release_claims_of_removed_member,
            sender=get_user_model(),
            dispatch_uid="inbox.release_claims_of_removed_member",
        )
        desk.register(navigation.inbox_link)
        desk.register(navigation.watches_link)
        member_links.register(navigation.inbox_link)
