"""Assembling an issue: drafts, their texts, and the entries scheduled into them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext

from common.exceptions import InvalidInput, InvalidTransition
from common.validators import TITLE_MAX_LENGTH, check_field, max_length, normalise_text
from issues import drafting
from issues.enums import IssueAction, IssueStatus, Section
from issues.history import changed_fields_note
from issues.models import CoRecommendation, Issue, IssueEntry, IssueTransition
from issues.selectors import issue_contents, published_entries_of_papers, published_entry_of_paper
from issues.services._workflow import move_issue, require_issue_state
from issues.signals import recommendation_co_credited
from publications.models import Publication
from publications.permissions import require
from publications.selectors import style_of
from recommendations.enums import RecommendationAction
from recommendations.models import Recommendation
from recommendations.selectors import accepted_recommendations
from recommendations.services._workflow import move_recommendation

ISSUE_EDITABLE_FIELDS = ("title", "intro_zh", "intro_en", "credits")


def clean_issue_fields(values: dict[str, Any]) -> dict[str, str]:
    unknown = set(values) - set(ISSUE_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            gettext("These fields cannot be edited: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    limits = {"title": TITLE_MAX_LENGTH, "credits": 1000, "intro_zh": 20_000, "intro_en": 20_000}
    return {
        name: check_field(name, normalise_text(value or ""), max_length(limits[name]))
        for name, value in values.items()
    }


def create_issue(publication: Publication, *, by: Any, **fields: str) -> Issue:
    """Start a draft issue of ``publication``. It gets its number only when published.

    Side effects: inserts an Issue and its audit row.
    """
    require(by, "issues.create_issue", publication)
    cleaned = clean_issue_fields(fields)
    with transaction.atomic():
        issue = Issue.objects.create(publication=publication, created_by=by, **cleaned)
        IssueTransition.objects.create(
            issue=issue,
            actor=by,
            action=IssueAction.CREATE,
            from_status="",
            to_status=IssueStatus.DRAFT,
        )
    return issue


def update_issue(issue: Issue, *, by: Any, **fields: str) -> Issue:
    """Change the title, the intros or the credit line of an unpublished issue.

    Side effects: updates the Issue; writes an audit row naming the changed fields.
    """
    require(by, "issues.edit_issue", issue)
    cleaned = clean_issue_fields(fields)
    changed = {k: v for k, v in cleaned.items() if normalise_text(getattr(issue, k)) != v}
    if not changed:
        require_issue_state(issue, IssueAction.EDIT)
        return issue
    with transaction.atomic():
        return move_issue(
            issue,
            action=IssueAction.EDIT,
            actor=by,
            note=changed_fields_note(changed),
            extra=changed,
        )


def choose_lead_items(issue: Issue, *, by: Any, entry_ids: Sequence[int]) -> Issue:
    """Make the entries ``entry_ids`` the issue's lead items, which its headline names (none:
    the first of each section). A headline that was the draft, or empty, is drafted again from
    the new pick; one the editor wrote stays.

    Side effects: updates the entries' ``is_lead``; may update the title; writes an audit row.
    """
    require(by, "issues.edit_issue", issue)
    wanted = {int(pk) for pk in entry_ids}
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        require_issue_state(locked, IssueAction.EDIT)
        entries = {entry.pk: entry for entry in locked.entries.all()}
        strangers = wanted - set(entries)
        if strangers:
            raise InvalidInput(
                gettext("These entries are not in this issue: %(ids)s.")
                % {"ids": ", ".join(str(pk) for pk in sorted(strangers))},
                field="entries",
            )
        before = drafting.draft_texts(issue_contents(locked), style_of(locked.publication)).title
        for entry in entries.values():
            entry.is_lead = entry.pk in wanted
        IssueEntry.objects.bulk_update(list(entries.values()), ["is_lead"])
        extra: dict[str, Any] = {}
        if locked.title in ("", before):
            extra["title"] = drafting.draft_texts(
                issue_contents(locked), style_of(locked.publication)
            ).title
        leads = sorted(wanted)
        return move_issue(
            locked,
            action=IssueAction.EDIT,
            actor=by,
            note="Lead items: " + (", ".join(f"entry {pk}" for pk in leads) or "the defaults"),
            extra=extra,
        )


def schedule_recommendation(recommendation: Recommendation, *, issue: Issue, by: Any) -> IssueEntry:
    """Put an accepted recommendation into a draft or scheduled issue, at the end of its section.

    A paper the issue already holds (another member recommended it too) is not shown twice: the
    recommendation joins that entry as its co-recommendation, credited there, and its member is
    told (``issues.signals.recommendation_co_credited``). Returns the entry.

    Side effects: status → scheduled; inserts an IssueEntry or a CoRecommendation; writes an
    audit row; may send ``recommendation_co_credited``.
    """
    require(by, "recommendations.schedule_recommendation", issue)
    if recommendation.publication_id != issue.publication_id:
        raise InvalidInput(gettext("This recommendation was made to another publication."))
    if issue.status not in (IssueStatus.DRAFT, IssueStatus.SCHEDULED):
        raise InvalidTransition(
            gettext("Entries can only be added to an issue that is not yet published."),
            code="issue_published",
        )
    section = Section.NEWS if recommendation.is_news else Section.PAPERS
    with transaction.atomic():
        _lock_unpublished(issue)
        if recommendation.paper_id:
            featured = published_entry_of_paper(issue.publication, recommendation.paper)
            if featured is not None:
                raise InvalidInput(
                    gettext("This paper was already featured in issue #%(number)s.")
                    % {"number": featured.issue.number},
                    code="already_featured",
                )
            shared = issue.entries.filter(paper_id=recommendation.paper_id).first()
            if shared is not None:
                return _join_entry(recommendation, entry=shared, by=by)
        move_recommendation(
            recommendation,
            action=RecommendationAction.SCHEDULE,
            actor=by,
            note=f"Into issue {issue.pk}",
        )
        last = issue.entries.filter(section=section).aggregate(last=Max("position"))["last"]
        try:
            with transaction.atomic():
                entry = IssueEntry.objects.create(
                    issue=issue,
                    recommendation=recommendation,
                    paper_id=recommendation.paper_id,
                    section=section,
                    position=(last or 0) + 1,
                )
        except IntegrityError:
            raise InvalidInput(
                gettext("This paper is already in this issue."), code="already_in_issue"
            ) from None
    return entry


def _join_entry(recommendation: Recommendation, *, entry: IssueEntry, by: Any) -> IssueEntry:
    """Credit ``recommendation`` on ``entry``, which shows the same paper: it is scheduled with
    the entry, and its member is told once the transaction commits."""
    move_recommendation(
        recommendation,
        action=RecommendationAction.SCHEDULE,
        actor=by,
        note=f"Into issue {entry.issue_id}, credited on entry {entry.pk}",
    )
    CoRecommendation.objects.create(entry=entry, recommendation=recommendation)
    recommendation_co_credited.send(
        sender=CoRecommendation, transition=recommendation.transitions.order_by("-pk").first()
    )
    return entry


def _lock_unpublished(issue: Issue) -> None:
    """Lock the issue's row and make sure it is still unpublished.

    Publishing takes the same lock, so an entry is never added to or taken from an issue while
    it is being published.
    """
    status = Issue.objects.select_for_update().values_list("status", flat=True).get(pk=issue.pk)
    if status == IssueStatus.PUBLISHED:
        raise InvalidTransition(
            gettext("This issue has just been published; its entries can no longer change."),
            code="issue_published",
        )


def unschedule_recommendation(entry: IssueEntry, *, by: Any, note: str = "") -> Recommendation:
    """Take an entry out of an unpublished issue; its recommendation, and those credited on it,
    are accepted again.

    Side effects: deletes the IssueEntry and its CoRecommendations; status → accepted; writes
    the audit rows.
    """
    issue = entry.issue
    require(by, "recommendations.schedule_recommendation", issue)
    if issue.status not in (IssueStatus.DRAFT, IssueStatus.SCHEDULED):
        raise InvalidTransition(
            gettext(
                "Entries of a published issue cannot be removed; publish a correction instead."
            ),
            code="issue_published",
        )
    recommendation = entry.recommendation
    with transaction.atomic():
        _lock_unpublished(issue)
        move_recommendation(
            recommendation,
            action=RecommendationAction.UNSCHEDULE,
            actor=by,
            note=note or f"Out of issue {issue.pk}",
        )
        for co in entry.co_recommendations.select_related("recommendation"):
            move_recommendation(
                co.recommendation,
                action=RecommendationAction.UNSCHEDULE,
                actor=by,
                note=note or f"Out of issue {issue.pk}, with entry {entry.pk}",
            )
        entry.delete()
    return recommendation


def reorder_issue_entries(issue: Issue, *, by: Any, entry_ids: Sequence[int]) -> None:
    """Set the order of an unpublished issue's entries within each section.

    ``entry_ids`` lists every entry of the issue exactly once, in the new order.

    Side effects: updates IssueEntry positions; writes an audit row.
    """
    require(by, "issues.edit_issue", issue)
    with transaction.atomic():
        entries = {e.pk: e for e in issue.entries.select_for_update()}
        if sorted(entry_ids) != sorted(entries) or len(set(entry_ids)) != len(entry_ids):
            raise InvalidInput(
                gettext("List every entry of the issue exactly once."),
                field="entries",
                code="bad_order",
            )
        counters: dict[str, int] = {}
        for entry_id in entry_ids:
            entry = entries[entry_id]
            counters[entry.section] = counters.get(entry.section, 0) + 1
            entry.position = counters[entry.section]
        move_issue(issue, action=IssueAction.EDIT, actor=by, note="Reordered entries")
        IssueEntry.objects.bulk_update(entries.values(), ["position"])


def assemble_issue(issue: Issue, *, by: Any) -> list[IssueEntry]:
    """Fill an unpublished issue with the publication's accepted recommendations.

    Papers come grouped by topic in the topics' order (those without a topic last), oldest
    decision first within a topic; news items go to their own section. A recommendation of a
    paper already featured in this publication is left out (it stays accepted). The title, the
    intros and the credit line are drafted when they are empty; editors change them afterwards.
    Accepted recommendations that arrive later wait for the next assembly.

    Side effects: those of ``schedule_recommendation`` for each entry; may update the issue's
    texts (with an audit row).
    """
    require(by, "issues.edit_issue", issue)
    require_issue_state(issue, IssueAction.EDIT)
    accepted = list(accepted_recommendations(issue.publication))
    featured = {
        e.paper_id
        for e in published_entries_of_papers(
            issue.publication, [r.paper_id for r in accepted if r.paper_id]
        )
    }
    papers = sorted(
        (r for r in accepted if not r.is_news and r.paper_id not in featured),
        key=lambda r: (
            r.topic is None,
            r.topic.position if r.topic else 0,
            r.topic.name_en if r.topic else "",
            r.decided_at or r.created_at,
            r.pk,
        ),
    )
    news = [r for r in accepted if r.is_news]
    # Several members' recommendations of one paper make one entry, crediting them all.
    added = list(
        dict.fromkeys(schedule_recommendation(r, issue=issue, by=by) for r in papers + news)
    )
    contents = issue_contents(issue)
    if not contents:
        return added  # nothing to write about yet
    texts = drafting.draft_texts(contents, style_of(issue.publication))
    empty = {
        name: getattr(texts, name)
        for name in ISSUE_EDITABLE_FIELDS
        if not getattr(issue, name) and getattr(texts, name)
    }
    if empty:
        update_issue(issue, by=by, **empty)
    return added
