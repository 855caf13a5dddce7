"""Reads of recommendations: what each role may see, with the prefetching pages need.

Each selector returns a queryset or a list built in a fixed number of queries, whatever the
number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext

from papers.models import Authorship, Paper, PaperInstitution
from publications import selectors as publication_selectors
from publications.models import Publication
from recommendations.enums import (
    RECOMMENDATION_EDITABLE_FIELDS,
    RecommendationAction,
    RecommendationStatus,
)
from recommendations.models import Recommendation, Transition
from recommendations.places import with_places

# --- recommendations ----------------------------------------------------------------------------


def _recommendations() -> QuerySet[Recommendation]:
    return Recommendation.objects.select_related("publication", "paper", "topic", "submitter")


def recommendations_of(user: Any) -> QuerySet[Recommendation]:
    """A member's own recommendations, newest first."""
    if not user.is_authenticated:
        return Recommendation.objects.none()
    return _recommendations().filter(submitter=user).order_by("-created_at", "-id")


def review_queue(
    user: Any, *, publication: Publication | None = None, topic: str | None = None
) -> QuerySet[Recommendation]:
    """Submitted recommendations ``user`` may review, oldest first, never their own; ``topic``
    is a slug, which names a topic in each publication that has one by it."""
    if not (user.is_authenticated and user.is_active):
        return Recommendation.objects.none()
    publication_ids = publication_selectors.reviewed_publication_ids(user)
    queue = _recommendations().filter(status=RecommendationStatus.SUBMITTED).exclude(submitter=user)
    if publication_ids is not None:
        queue = queue.filter(publication_id__in=publication_ids)
    if publication is not None:
        queue = queue.filter(publication=publication)
    if topic:
        queue = queue.filter(topic__slug=topic)
    return queue.order_by("submitted_at", "id")


def visible_recommendations(user: Any) -> QuerySet[Recommendation]:
    """Published ones for everybody; one's own; everything of the publications one reviews."""
    visible = Q(status=RecommendationStatus.PUBLISHED)
    if user.is_authenticated and user.is_active:
        visible |= Q(submitter=user)
        publication_ids = publication_selectors.reviewed_publication_ids(user)
        if publication_ids is None:
            return _recommendations()
        visible |= Q(publication_id__in=publication_ids)
    return _recommendations().filter(visible)


def accepted_recommendations(publication: Publication) -> QuerySet[Recommendation]:
    """Accepted recommendations not yet in an issue, oldest decision first."""
    return _accepted().filter(publication=publication)


def accepted_recommendations_by_publication(
    publications: list[Publication],
) -> list[tuple[Publication, list[Recommendation]]]:
    """Each of ``publications`` with its accepted recommendations (``accepted_recommendations``),
    all read in one query."""
    waiting: dict[int, list[Recommendation]] = {publication.pk: [] for publication in publications}
    for recommendation in _accepted().filter(publication__in=publications):
        waiting[recommendation.publication_id].append(recommendation)
    return [(publication, waiting[publication.pk]) for publication in publications]


def _accepted() -> QuerySet[Recommendation]:
    return (
        _recommendations().filter(status=RecommendationStatus.ACCEPTED).order_by("decided_at", "id")
    )


def earlier_recommendations_of_paper(
    paper: Paper, *, user: Any, exclude: Recommendation | None = None
) -> QuerySet[Recommendation]:
    """Who recommended ``paper`` before, and where it appeared, for the warning on the form and
    the review page: only what ``user`` may see (``visible_recommendations``, as the API), so
    another member's rejected or pending recommendation to another publication is not told,
    not even that it exists."""
    earlier = (
        visible_recommendations(user)
        .filter(paper=paper)
        .exclude(status__in=[RecommendationStatus.DRAFT, RecommendationStatus.WITHDRAWN])
        .order_by("created_at", "id")
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    return earlier


def with_paper_details(recommendations: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """``recommendations`` with their papers' authors and institutions, for the API's lists."""
    return recommendations.prefetch_related(
        Prefetch("paper__authorships", queryset=Authorship.objects.select_related("author")),
        Prefetch(
            "paper__paper_institutions",
            queryset=PaperInstitution.objects.select_related("institution"),
        ),
    )


def change_label(name: str) -> str:
    """A changed field of a recommendation as people know it (its label), e.g. "Summary"."""
    try:
        return str(capfirst(Recommendation._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def labelled_changes(transition: Transition) -> list[dict[str, Any]]:
    """The fields an audit row changed, each by its label with its value before and after."""
    return [
        {
            "label": change_label(change["field"]),
            "old": change["old"],
            "new": change["new"],
            "drafted": drafted_label(change),
        }
        for change in transition.changes
    ]


def drafted_label(change: dict[str, Any]) -> str:
    """What an audit entry says of a field taken from the model's draft, or ""."""
    how = change.get("drafted")
    if not how:
        return ""
    values = {"model": change.get("model") or "?", "version": change.get("prompt_version")}
    if how == "as_is":
        if values["version"]:
            return (
                gettext("Drafted by %(model)s (prompt version %(version)s), accepted as drafted.")
                % values
            )
        return gettext("Drafted by %(model)s, accepted as drafted.") % values
    if values["version"]:
        return gettext("Drafted by %(model)s (prompt version %(version)s), then edited.") % values
    return gettext("Drafted by %(model)s, then edited.") % values


def changes_since(history: Iterable[Transition], since: dt.datetime) -> list[dict[str, Any]]:
    """The fields the submitter's edits after ``since`` changed, read from the recommendation's
    audit ``history`` (its Transitions, oldest first): each with its label, its value before the
    first of those edits and after the last, in the order of the form; a field changed and
    changed back is left out."""
    changes: dict[str, dict[str, Any]] = {}
    for step in history:
        if step.action != RecommendationAction.EDIT or step.created_at <= since:
            continue
        for change in step.changes:
            name = change["field"]
            if name in changes:
                changes[name]["new"] = change["new"]
            else:
                changes[name] = {
                    "label": change_label(name),
                    "old": change["old"],
                    "new": change["new"],
                }
    return [
        changes[name]
        for name in RECOMMENDATION_EDITABLE_FIELDS
        if name in changes and changes[name]["old"] != changes[name]["new"]
    ]


def featured_recommendation(publication: Publication, paper: Paper) -> Recommendation | None:
    """The recommendation of ``paper`` that an issue of ``publication`` published, with its
    ``place``; a paper appears in at most one issue of a publication."""
    featured = (
        Recommendation.objects.filter(
            publication=publication, paper=paper, status=RecommendationStatus.PUBLISHED
        )
        .order_by("pk")
        .first()
    )
    if featured is not None:
        with_places([featured])
    return featured
