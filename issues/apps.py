import os
import sys

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Issues")

    def ready(self) -> None:
        from issues import permissions, selectors  # noqa: F401 (imported for its registrations)
        from recommendations import places

        places.register(selectors.places_of_recommendations)

        from issues.services import merging as issue_merging
        from papers import merging

        merging.register("issues", issue_merging.move_entries)

        from issues import caching
        from publications.signals import publication_style_changed

        # Published pages and exports are written in their publication's style: a new style
        # retires the copies rendered in the old one.
        publication_style_changed.connect(
            caching.retire_for_new_style, dispatch_uid="issues.style_changed"
        )

        from issues import scheduler

        # Under `manage.py runserver` on the embedded defaults, no beat publishes scheduled
        # issues: the serving process does (issues/scheduler.py says why a thread).
        scheduler.start_for_runserver(sys.argv, os.environ)
