"""The team's edits of an entry: reviewers and editors polish what a recommendation will show,
from its submission until its issue is published."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from common.exceptions import InvalidInput
from publications.permissions import can, require
from recommendations import signals
from recommendations.enums import (
    ENTRY_REVISABLE_FIELDS,
    REVISABLE_STATES,
    RecommendationAction,
)
from recommendations.models import Recommendation, Transition
from recommendations.services._workflow import (
    move_recommendation,
    require_recommendation_state,
)
from recommendations.services.submission import (
    audited,
    clean_recommendation_fields,
    mark_drafted,
)


def may_revise(recommendation: Recommendation, *, by: Any) -> bool:
    """Whether ``by`` may edit the entry now, to offer the form (the service checks again)."""
    return recommendation.status in REVISABLE_STATES and can(
        by, "recommendations.revise_recommendation", recommendation
    )


def revise_recommendation(
    recommendation: Recommendation,
    *,
    by: Any,
    drafted: Mapping[str, str] | None = None,
    **changes: Any,
) -> Recommendation:
    """Change what the entry of ``recommendation`` will show, as a reviewer or editor of its
    publication, from its submission until it is published.

    Accepts any of ``ENTRY_REVISABLE_FIELDS``: the summary, the Chinese title, the authors and
    institutions as shown (one a line; empty: the paper's), the code and paper links, the subject
    in each language, the topic, and a news item's title and link. The state and the review round
    stay: the team polishes, it does not send the text back to review. A save that changes
    nothing writes nothing.

    Side effects: updates the Recommendation; writes an audit row naming each changed field with
    its old and new value; tells the submitter (``signals.recommendation_revised``), unless they
    edited it themselves as a member of the team.
    """
    require(by, "recommendations.revise_recommendation", recommendation)
    require_recommendation_state(recommendation, RecommendationAction.REVISE)
    unknown = set(changes) - set(ENTRY_REVISABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            gettext("These fields cannot be edited: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    if not recommendation.is_news:
        for name in ("news_title", "news_url"):
            if changes.get(name):
                raise InvalidInput(
                    gettext("A paper recommendation has no news fields."), field=name
                )
            changes.pop(name, None)
    else:
        for name in ("shown_authors", "shown_institutions", "paper_url"):
            if changes.get(name):
                raise InvalidInput(gettext("A news item shows no paper."), field=name)
            changes.pop(name, None)
    cleaned = clean_recommendation_fields(
        recommendation.kind, changes, publication=recommendation.publication
    )
    changed = {k: v for k, v in cleaned.items() if getattr(recommendation, k) != v}
    if not changed:
        return recommendation
    audit = [
        {"field": name, "old": audited(getattr(recommendation, name)), "new": audited(value)}
        for name, value in sorted(changed.items())
    ]
    with transaction.atomic():
        # The fields taken from the model's draft, as ``edit_recommendation`` marks them.
        mark_drafted(recommendation, audit, drafted, by=by)
        move_recommendation(
            recommendation,
            action=RecommendationAction.REVISE,
            actor=by,
            note="Changed: " + ", ".join(sorted(changed)),
            extra=dict(changed),
            changes=audit,
        )
        transition = recommendation.transitions.order_by("-id").first()
        if recommendation.submitter_id != by.pk:
            signals.recommendation_revised.send(sender=Transition, transition=transition)
    return recommendation
