from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = _("Candidate inbox")

    def ready(self) -> None:
        from inbox import permissions  # noqa: F401 (registers the capabilities)
