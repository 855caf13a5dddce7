from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """The shared kernel is installed for its template tags and system checks; it has no
    models."""

    name = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from common import checks  # noqa: F401 (registers the checks)
