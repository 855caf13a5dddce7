"""Template helpers of the review pages and the navigation link to them."""

from __future__ import annotations

from typing import Any

from django import template

from publications.permissions import is_reviewer_anywhere
from recommendations.enums import RecommendationAction, RecommendationStatus

register = template.Library()


@register.filter
def on_review_team(user: Any) -> bool:
    """``{% if user|on_review_team %}``: reviews or edits some publication (one query per
    request, cached on the user by ``publications.permissions``)."""
    return bool(is_reviewer_anywhere(user))


@register.filter
def action_label(action: str) -> str:
    """The readable name of an audit row's action (the raw value if it is not one we know)."""
    return RecommendationAction(action).label if action in RecommendationAction.values else action


@register.filter
def status_label(status: str) -> str:
    """The readable name of a recommendation status (the raw value if unknown, "" if empty)."""
    return RecommendationStatus(status).label if status in RecommendationStatus.values else status
