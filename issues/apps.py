from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Issues")

    def ready(self) -> None:
        from issues import permissions, selectors  # noqa: F401 (imported for its registrations)
        from recommendations import places

        places.register(selectors.places_of_recommendations)
