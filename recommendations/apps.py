from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        from drafting import examples
        from recommendations import (
            drafting,
            permissions,  # noqa: F401 (imported for its registrations)
        )

        examples.register(drafting.past_entries)
        examples.register_writers(drafting.publications_writing)
        examples.register_writer_check(drafting.writes_up)
