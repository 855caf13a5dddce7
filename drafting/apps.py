from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftingConfig(AppConfig):
    name = "drafting"
    verbose_name = _("Drafting assistance")

    def ready(self) -> None:
        from drafting import permissions  # noqa: F401 (imported for its registrations)
        from drafting.receivers import on_metadata_arrived
        from papers.signals import paper_metadata_arrived

        paper_metadata_arrived.connect(on_metadata_arrived, dispatch_uid="drafting.metadata")
