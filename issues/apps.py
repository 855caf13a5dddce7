from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Editorial work")

    def ready(self) -> None:
        # Registers the capabilities as object permissions.
        from issues import permissions  # noqa: F401 (imported for its registrations)
