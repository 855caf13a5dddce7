"""The guarded transition helper of recommendations, and its shared checks.

Status changes are compare-and-set updates on the old status: when two requests race (a double
click, two reviewers at once), one wins and the other gets a ``Conflict`` instead of a silent
second transition.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext

from common.exceptions import Conflict, InvalidTransition
from recommendations.enums import (
    RECOMMENDATION_TRANSITIONS,
    RecommendationAction,
    RecommendationStatus,
)
from recommendations.models import Recommendation, Transition


def recommendation_changed() -> Conflict:
    """The refusal of a change to a recommendation that another request changed first."""
    return Conflict(
        gettext(
            "This recommendation was changed by someone else meanwhile. Reload it and try again."
        )
    )


def recommendation_allows(recommendation: Recommendation, action: str) -> bool:
    """Whether the transition table allows ``action`` from the recommendation's status."""
    allowed_from, _to_status = RECOMMENDATION_TRANSITIONS[action]
    return recommendation.status in allowed_from


def require_recommendation_state(recommendation: Recommendation, action: str) -> None:
    """Refuse ``action`` unless the transition table allows it from the recommendation's state."""
    if not recommendation_allows(recommendation, action):
        raise InvalidTransition(
            gettext("A recommendation that is %(status)s cannot be %(action)s.")
            % {
                "status": RecommendationStatus(recommendation.status).label.lower(),
                "action": RecommendationAction(action).label.lower(),
            },
            code=f"cannot_{action}",
        )


def move_recommendation(
    recommendation: Recommendation,
    *,
    action: str,
    actor: Any,
    note: str = "",
    extra: dict[str, Any] | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> Recommendation:
    """Apply ``action`` to ``recommendation`` if its state allows it, and record it.

    The capability has been checked by the caller; this checks the state, updates with a
    compare-and-set on the old status and writes the audit row (with ``changes``, the changed
    fields' old and new values, if given). Call inside a transaction.
    """
    require_recommendation_state(recommendation, action)
    _allowed_from, to_status = RECOMMENDATION_TRANSITIONS[action]
    from_status = recommendation.status
    fields = {"status": to_status or from_status, "updated_at": timezone.now(), **(extra or {})}
    changed = Recommendation.objects.filter(pk=recommendation.pk, status=from_status).update(
        **fields
    )
    if not changed:
        raise recommendation_changed()
    for name, value in fields.items():
        setattr(recommendation, name, value)
    computed = [name for name, value in fields.items() if hasattr(value, "resolve_expression")]
    if computed:
        recommendation.refresh_from_db(fields=computed)
    Transition.objects.create(
        recommendation=recommendation,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=fields["status"],
        note=note,
        changes=changes or [],
    )
    return recommendation


def lock_member(user: Any) -> None:
    """Lock the member's row until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    members = get_user_model().objects.select_for_update()
    list(members.filter(pk=user.pk).values_list("pk", flat=True))
