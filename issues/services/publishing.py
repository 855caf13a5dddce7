"""Publishing an issue: now, at a scheduled time, or when the time has come."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from common.exceptions import Conflict, InvalidInput, InvalidTransition
from issues import caching, selectors, signals
from issues.enums import IssueAction, IssueStatus
from issues.models import Issue, IssueEntry
from issues.services._workflow import (
    issue_changed,
    move_issue,
    require_issue_state,
)
from issues.services.correction import ENTRY_CORRECTABLE_FIELDS
from papers import selectors as catalogue
from papers import services as paper_services
from papers.institutions import freeze
from publications.models import Publication
from publications.permissions import require
from publications.selectors import style_of
from recommendations.enums import RecommendationAction
from recommendations.services._workflow import move_recommendation

logger = logging.getLogger(__name__)


def schedule_issue(issue: Issue, *, by: Any, publish_at: dt.datetime) -> Issue:
    """Have the issue published automatically at ``publish_at`` (or moved to another time).

    Side effects: status → scheduled; writes an audit row.
    """
    require(by, "issues.schedule_issue", issue)
    if timezone.is_naive(publish_at):
        raise InvalidInput(
            gettext("Give the publication time with its time zone."), field="publish_at"
        )
    if publish_at <= timezone.now():
        raise InvalidInput(
            gettext("The publication time must be in the future."), field="publish_at"
        )
    if not issue.entries.exists():
        raise InvalidInput(
            gettext("Add at least one entry before scheduling the issue."), code="empty"
        )
    with transaction.atomic():
        return move_issue(
            issue,
            action=IssueAction.SCHEDULE,
            actor=by,
            note=f"For {publish_at.isoformat()}",
            extra={"publish_at": publish_at},
        )


def unschedule_issue(issue: Issue, *, by: Any) -> Issue:
    """Turn a scheduled issue back into a draft.

    Side effects: status → draft; writes an audit row.
    """
    require(by, "issues.schedule_issue", issue)
    with transaction.atomic():
        return move_issue(
            issue, action=IssueAction.UNSCHEDULE, actor=by, extra={"publish_at": None}
        )


def publish_issue(issue: Issue, *, by: Any) -> Issue:
    """Publish the issue now: it takes the next number of its publication.

    One transaction: the issue, its entries (whose shown content is fixed from now on) and their
    recommendations change together or not at all. The publication row is locked while the
    number is chosen, so two editors publishing at once get consecutive numbers.

    Side effects: status → published with number and time; entries frozen; recommendations →
    published; a Paper without a Chinese title takes the recommendation's; audit rows; the cached
    published pages, exports, feeds and API copies retired (``caching``).
    """
    require(by, "issues.publish_issue", issue)
    return _publish(issue, actor=by)


def _publish(issue: Issue, *, actor: Any) -> Issue:
    try:
        with transaction.atomic():
            # The lock on the publication serialises numbering across processes (PostgreSQL);
            # SQLite serialises writers anyway. The unique constraint is the last line.
            Publication.objects.select_for_update().get(pk=issue.publication_id)
            fresh = Issue.objects.select_for_update().get(pk=issue.pk)
            if fresh.status != issue.status:
                raise issue_changed()
            require_issue_state(fresh, IssueAction.PUBLISH)
            entries = list(selectors.entries_for_publishing(fresh))
            if not entries:
                raise InvalidInput(
                    gettext("An issue needs at least one entry to be published."), code="empty"
                )
            _refuse_featured_twice(fresh, entries)
            last = Issue.objects.filter(publication_id=fresh.publication_id).aggregate(
                last=Max("number")
            )["last"]
            now = timezone.now()
            move_issue(
                fresh,
                action=IssueAction.PUBLISH,
                actor=actor,
                note="" if actor else "Published at its scheduled time",
                extra={"number": (last or 0) + 1, "published_at": now},
            )
            _freeze_entries(entries, style_of(fresh.publication).link_sources)
            for entry in entries:
                move_recommendation(
                    entry.recommendation,
                    action=RecommendationAction.PUBLISH,
                    actor=actor,
                    note=f"In issue #{fresh.number}",
                )
                for co in entry.co_recommendations.all():
                    move_recommendation(
                        co.recommendation,
                        action=RecommendationAction.PUBLISH,
                        actor=actor,
                        note=f"In issue #{fresh.number}, credited on entry {entry.pk}",
                    )
                if entry.paper is not None:
                    paper_services.fill_missing_title_zh(entry.paper, entry.recommendation.title_zh)
            caching.renew_published_version()
            # The apps built on this one (the newsletter, member notifications) hear of it within
            # the transaction, and defer what they send to its commit: never mail for a
            # rolled-back publication.
            signals.issue_published.send(sender=Issue, issue=fresh)
    except IntegrityError:
        raise Conflict(
            gettext(
                "Another issue of this publication was published at the same moment. Try again."
            )
        ) from None
    # The caller's object may predate other changes (a headline drafted again from the lead
    # items): it takes every field of the row as published, not only what publishing set.
    for field in Issue._meta.concrete_fields:
        setattr(issue, field.attname, getattr(fresh, field.attname))
    return issue


def _refuse_featured_twice(issue: Issue, entries: Iterable[IssueEntry]) -> None:
    paper_ids = [e.paper_id for e in entries if e.paper_id]
    featured = selectors.published_entries_of_papers(issue.publication, paper_ids)
    if featured:
        numbers = ", ".join(f"#{e.issue.number}" for e in featured)
        raise InvalidInput(
            gettext(
                "%(count)s of these papers already appeared in issue %(numbers)s; remove them "
                "first."
            )
            % {"count": len(featured), "numbers": numbers},
            code="already_featured",
        )


def _freeze_entries(entries: Sequence[IssueEntry], link_sources: Sequence[str]) -> None:
    """Copy what each entry shows into it. Institutions are frozen in both languages, one a line
    as ``中文 | English`` (``papers.institutions.freeze``), so that each reader's language reads
    the copy as published."""
    glossary = catalogue.glossary()
    for entry in entries:
        content = selectors.live_entry_content(entry, link_sources, glossary)
        entry.shown_title = content.title
        entry.shown_title_zh = content.title_zh
        entry.shown_authors = "\n".join(content.authors)
        entry.shown_institutions = freeze(content.institution_pairs)
        entry.shown_institutions_more = content.institutions_more
        entry.shown_summary = content.summary
        entry.shown_code_url = content.code_url
        entry.shown_url = content.url
    IssueEntry.objects.bulk_update(entries, [*ENTRY_CORRECTABLE_FIELDS, "shown_institutions_more"])


def publish_due_issues(*, now: dt.datetime | None = None) -> list[Issue]:
    """Publish every scheduled issue whose time has come; each once, each on its own.

    An issue that cannot be published (emptied meanwhile, say) is logged and left scheduled.

    Side effects: those of ``publish_issue``, with no actor.
    """
    now = now or timezone.now()
    published = []
    for issue in Issue.objects.filter(status=IssueStatus.SCHEDULED, publish_at__lte=now):
        try:
            published.append(_publish(issue, actor=None))
        except (InvalidInput, InvalidTransition, Conflict) as error:
            logger.warning("Scheduled issue %s was not published: %s", issue.pk, error)
    return published
