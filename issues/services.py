"""Every write and state change of the editorial workflow.

Each service checks the actor's capability (``issues.permissions``) and the current state (the
transition tables in ``issues.enums``), owns its transaction, and records who did what in the
``Transition`` log. Failures raise ``common.exceptions`` errors with a message for the member.

Status changes are compare-and-set updates on the old status: when two requests race (a double
click, two reviewers at once), one wins and the other gets a ``Conflict`` instead of a silent
second transition.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from common.exceptions import Conflict, InvalidInput, InvalidTransition, QuotaExceeded
from common.queue import enqueue_after_commit
from issues import caching, drafting, notifications, selectors
from issues.enums import (
    ISSUE_TRANSITIONS,
    OPEN_STATES,
    RECOMMENDATION_TRANSITIONS,
    IssueAction,
    IssueStatus,
    RecommendationAction,
    RecommendationKind,
    RecommendationStatus,
    Section,
    TeamRole,
    Verdict,
)
from issues.models import (
    Correction,
    Issue,
    IssueEntry,
    Membership,
    Notification,
    Publication,
    Recommendation,
    Review,
    Transition,
)
from issues.permissions import can, is_member, require
from issues.validators import (
    TITLE_MAX_LENGTH,
    validate_http_url,
    validate_no_control_characters,
    validate_summary,
)
from newsletter import selectors as newsletter_selectors
from newsletter import services as newsletter_services
from papers import selectors as paper_selectors
from papers import services as paper_services
from papers.enums import MetadataStatus
from papers.identifiers import InvalidIdentifier, parse_identifier
from papers.models import Paper, Topic

logger = logging.getLogger(__name__)

RECOMMENDATION_EDITABLE_FIELDS = (
    "summary",
    "title_zh",
    "code_url",
    "topic",
    "news_title",
    "news_url",
)
ISSUE_EDITABLE_FIELDS = ("title", "intro_zh", "intro_en", "credits")
ENTRY_CORRECTABLE_FIELDS = (
    "shown_title",
    "shown_title_zh",
    "shown_authors",
    "shown_institutions",
    "shown_summary",
    "shown_code_url",
    "shown_url",
)


# --- validation ---------------------------------------------------------------------------------


def _check(field: str, value: str, *validators: Any) -> str:
    """Run the shared validators on ``value``; their error becomes ``InvalidInput`` on ``field``."""
    try:
        validate_no_control_characters(value)
        for validator in validators:
            validator(value)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field=field) from None
    return value


def _max_length(limit: int) -> Any:
    def validator(value: str) -> None:
        if len(value) > limit:
            raise ValidationError(
                gettext("At most %(limit)s characters, please.") % {"limit": limit}
            )

    return validator


def _clean_recommendation_fields(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Validate the member-supplied fields of a recommendation; returns them stripped."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "topic":
            if value is not None and not isinstance(value, Topic):
                raise InvalidInput(gettext("Choose a topic from the list."), field="topic")
            cleaned[name] = value
            continue
        value = (value or "").strip()
        if name == "summary":
            _check(name, value, validate_summary)
        elif name in ("code_url", "news_url") and value:
            _check(name, value, validate_http_url)
        elif name == "title_zh":
            _check(name, value, _max_length(500))
        elif name == "news_title":
            _check(name, value, _max_length(TITLE_MAX_LENGTH))
        cleaned[name] = value
    if kind == RecommendationKind.NEWS:
        if "news_title" in cleaned and not cleaned["news_title"]:
            raise InvalidInput(gettext("Give the news item a title."), field="news_title")
        if "news_url" in cleaned and not cleaned["news_url"]:
            raise InvalidInput(gettext("Give the news item's link."), field="news_url")
    return cleaned


# --- the guarded transition helpers -------------------------------------------------------------


def _move_recommendation(
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
    allowed_from, to_status = RECOMMENDATION_TRANSITIONS[action]
    from_status = recommendation.status
    if from_status not in allowed_from:
        raise InvalidTransition(
            gettext("A recommendation that is %(status)s cannot be %(action)s.")
            % {
                "status": RecommendationStatus(from_status).label.lower(),
                "action": RecommendationAction(action).label.lower(),
            },
            code=f"cannot_{action}",
        )
    fields = {"status": to_status or from_status, "updated_at": timezone.now(), **(extra or {})}
    changed = Recommendation.objects.filter(pk=recommendation.pk, status=from_status).update(
        **fields
    )
    if not changed:
        raise Conflict(
            gettext(
                "This recommendation was changed by someone else meanwhile. "
                "Reload it and try again."
            )
        )
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


def _require_issue_state(issue: Issue, action: str) -> None:
    allowed_from, _to_status = ISSUE_TRANSITIONS[action]
    if issue.status not in allowed_from:
        raise InvalidTransition(
            gettext("An issue that is %(status)s cannot be %(action)s.")
            % {
                "status": IssueStatus(issue.status).label.lower(),
                "action": IssueAction(action).label.lower(),
            },
            code=f"cannot_{action}",
        )


def _move_issue(
    issue: Issue,
    *,
    action: str,
    actor: Any,
    note: str = "",
    extra: dict[str, Any] | None = None,
) -> Issue:
    """The same as ``_move_recommendation``, for issues."""
    _require_issue_state(issue, action)
    _allowed_from, to_status = ISSUE_TRANSITIONS[action]
    from_status = issue.status
    fields = {"status": to_status or from_status, "updated_at": timezone.now(), **(extra or {})}
    changed = Issue.objects.filter(pk=issue.pk, status=from_status).update(**fields)
    if not changed:
        raise Conflict(
            gettext("This issue was changed by someone else meanwhile. Reload it and try again.")
        )
    for name, value in fields.items():
        setattr(issue, name, value)
    Transition.objects.create(
        issue=issue,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=fields["status"],
        note=note,
    )
    return issue


# --- recommendations ----------------------------------------------------------------------------


def create_recommendation(
    *,
    by: Any,
    publication: Publication,
    summary: str,
    identifier: str = "",
    kind: str = RecommendationKind.PAPER,
    title_zh: str = "",
    code_url: str = "",
    topic: Topic | None = None,
    news_title: str = "",
    news_url: str = "",
    draft: bool = False,
) -> Recommendation:
    """Recommend a paper (by any identifier form) or a news item to ``publication``.

    The paper is found or created in the catalogue (``pending`` metadata when new). The
    recommendation starts as a draft when ``draft`` is true, otherwise it is submitted for review.
    Refused with ``QuotaExceeded`` beyond the publication's weekly submission quota
    (``enforce_submission_quota``).

    Side effects: may insert a Paper; inserts a Recommendation and its audit rows.
    """
    require(by, "issues.submit_recommendation", publication)
    if kind not in RecommendationKind.values:
        raise InvalidInput(gettext("Choose whether this is a paper or a news item."), field="kind")
    fields = {"summary": summary, "title_zh": title_zh, "code_url": code_url, "topic": topic}
    if kind == RecommendationKind.NEWS:
        fields.update(news_title=news_title, news_url=news_url)
    cleaned = _clean_recommendation_fields(kind, fields)

    with transaction.atomic():
        # One member's submissions are decided one after the other: a double click on "submit"
        # of a known paper would otherwise pass the duplicate check twice, since neither request
        # sees the other's uncommitted recommendation.
        _lock_member(by)
        enforce_submission_quota(by, publication)
        paper = None
        if kind == RecommendationKind.PAPER:
            try:
                parsed = parse_identifier(identifier or "")
            except InvalidIdentifier as error:
                raise InvalidInput(
                    str(error), field="identifier", code="invalid_identifier"
                ) from None
            paper, _created = paper_services.get_or_create_paper(parsed)
            _refuse_duplicate(by, publication, paper)
            if paper.metadata_status == MetadataStatus.PENDING:
                paper_services.request_metadata_fetch([paper.pk])
        recommendation = Recommendation.objects.create(
            publication=publication,
            kind=kind,
            paper=paper,
            submitter=by,
            status=RecommendationStatus.DRAFT,
            **cleaned,
        )
        Transition.objects.create(
            recommendation=recommendation,
            actor=by,
            action=RecommendationAction.CREATE,
            from_status="",
            to_status=RecommendationStatus.DRAFT,
        )
        if not draft:
            _move_recommendation(
                recommendation,
                action=RecommendationAction.SUBMIT,
                actor=by,
                extra={"submitted_at": timezone.now()},
            )
    return recommendation


def _lock_member(user: Any) -> None:
    """Lock the member's row until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    members = get_user_model().objects.select_for_update()
    list(members.filter(pk=user.pk).values_list("pk", flat=True))


#: The rolling period of a publication's ``weekly_submission_quota``.
QUOTA_PERIOD = dt.timedelta(days=7)


def enforce_submission_quota(by: Any, publication: Publication) -> None:
    """Refuse (``QuotaExceeded``, HTTP 429) a recommendation beyond ``publication``'s quota.

    The quota counts every recommendation ``by`` created in the publication in the last 7 days
    (rolling), whatever became of it: drafts, withdrawn and rejected ones included, so that
    neither drafts nor withdrawing makes room for more. A quota that is empty or 0 is no limit;
    the publication's editors (and admins) are not limited. The message names the quota and when
    the next recommendation can be made.

    Call it inside the transaction that inserts the recommendation: it locks the member's row,
    so two submissions of one member at once (two tabs, a script) are counted one after the
    other and never both take the last place.
    """
    quota = publication.weekly_submission_quota
    if not quota or can(by, "issues.exceed_submission_quota", publication):
        return
    _lock_member(by)
    now = timezone.now()
    recent = list(
        Recommendation.objects.filter(
            publication=publication, submitter=by, created_at__gt=now - QUOTA_PERIOD
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recent) < quota:
        return
    # The place that frees first: when all but quota - 1 of them have left the period.
    frees_at = recent[len(recent) - quota] + QUOTA_PERIOD
    local = timezone.localtime(frees_at)
    raise QuotaExceeded(
        ngettext(
            "%(publication)s takes at most %(quota)d recommendation from one member in 7 days, "
            "and you have made %(made)d. You can recommend again after %(when)s.",
            "%(publication)s takes at most %(quota)d recommendations from one member in 7 days, "
            "and you have made %(made)d. You can recommend again after %(when)s.",
            quota,
        )
        % {
            "publication": publication.name,
            "quota": quota,
            "made": len(recent),
            "when": f"{local:%Y-%m-%d %H:%M} ({local.tzname()})",
        },
        retry_after=max(1, int((frees_at - now).total_seconds()) + 1),
    )


def _refuse_duplicate(by: Any, publication: Publication, paper: Any) -> None:
    """One active recommendation of a paper per member and publication; none once it is featured."""
    featured = selectors.published_entry_of_paper(publication, paper)
    if featured is not None:
        raise InvalidInput(
            gettext(
                "This paper was already featured in %(publication)s issue #%(number)s; a paper "
                "appears in at most one issue."
            )
            % {"publication": publication.name, "number": featured.issue.number},
            field="identifier",
            code="already_featured",
        )
    mine = Recommendation.objects.filter(
        publication=publication,
        paper=paper,
        submitter=by,
        status__in=OPEN_STATES | {RecommendationStatus.ACCEPTED, RecommendationStatus.SCHEDULED},
    ).exists()
    if mine:
        raise InvalidInput(
            gettext(
                "You have already recommended this paper to this publication; edit that "
                "recommendation instead."
            ),
            field="identifier",
            code="duplicate",
        )


def edit_recommendation(
    recommendation: Recommendation, *, by: Any, **changes: Any
) -> Recommendation:
    """Change the submitter's own fields while the recommendation is not yet accepted.

    Accepts any of ``summary``, ``title_zh``, ``code_url``, ``topic``, ``news_title``,
    ``news_url``: all of them are what the reviewers judge. The state stays; the audit row names
    the fields that changed and keeps their old and new values (``Transition.changes``).

    A change to a submitted recommendation starts the next review round: the approvals given so
    far judged another text, so they no longer count towards acceptance, and the audit row names
    them. A save that changes nothing keeps the round.

    Side effects: updates the Recommendation; may advance ``review_round``; writes an audit row.
    """
    require(by, "issues.edit_recommendation", recommendation)
    unknown = set(changes) - set(RECOMMENDATION_EDITABLE_FIELDS)
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
    cleaned = _clean_recommendation_fields(recommendation.kind, changes)
    changed = {k: v for k, v in cleaned.items() if getattr(recommendation, k) != v}
    note = "Changed: " + (", ".join(sorted(changed)) or "nothing")
    audit = [
        {"field": name, "old": _audited(getattr(recommendation, name)), "new": _audited(value)}
        for name, value in sorted(changed.items())
    ]
    extra: dict[str, Any] = dict(changed)
    with transaction.atomic():
        if changed and recommendation.status == RecommendationStatus.SUBMITTED:
            note += _start_review_round(recommendation)
            extra["review_round"] = F("review_round") + 1
        _move_recommendation(
            recommendation,
            action=RecommendationAction.EDIT,
            actor=by,
            note=note,
            extra=extra,
            changes=audit,
        )
    return recommendation


def _audited(value: Any) -> Any:
    """A field's value as the audit keeps it: a topic by its slug."""
    if isinstance(value, Topic):
        return value.slug
    return value


def _start_review_round(recommendation: Recommendation) -> str:
    """Lock the recommendation for the round that an edit ends; say which approvals lapse.

    The lock orders the edit with a review given at the same moment (``review_recommendation``
    takes it too): that review is either among the lapsed approvals named here, or it is given
    after the edit, in the next round. Call inside the edit's transaction.
    """
    current = (
        Recommendation.objects.select_for_update()
        .values_list("review_round", flat=True)
        .get(pk=recommendation.pk)
    )
    lapsed = list(
        recommendation.reviews.filter(round=current, verdict=Verdict.APPROVE)
        .order_by("created_at", "id")
        .values_list("reviewer__username", flat=True)
    )
    note = f". Review round {current + 1} begins"
    if len(lapsed) == 1:
        note += f"; the approval of round {current} by {lapsed[0]} no longer counts"
    elif lapsed:
        note += f"; the approvals of round {current} by {', '.join(lapsed)} no longer count"
    return note + "."


def submit_recommendation(
    recommendation: Recommendation, *, by: Any, note: str = ""
) -> Recommendation:
    """Send a draft, or a recommendation whose changes were requested, to the reviewers.

    A resubmission after requested changes starts the next review round: the reviews of the
    earlier version, approvals included, no longer count.

    Side effects: status → submitted; may advance ``review_round``; writes an audit row.
    """
    require(by, "issues.edit_recommendation", recommendation)
    extra: dict[str, Any] = {"submitted_at": timezone.now()}
    if recommendation.status == RecommendationStatus.CHANGES_REQUESTED:
        # Counted in the database, not from this copy: a copy read before a later round began
        # would otherwise bring back that round, and the approvals it had lost.
        extra["review_round"] = F("review_round") + 1
    with transaction.atomic():
        return _move_recommendation(
            recommendation,
            action=RecommendationAction.SUBMIT,
            actor=by,
            note=note,
            extra=extra,
        )


def withdraw_recommendation(
    recommendation: Recommendation, *, by: Any, note: str = ""
) -> Recommendation:
    """The submitter takes back a recommendation that is not yet accepted.

    Side effects: status → withdrawn; writes an audit row.
    """
    require(by, "issues.withdraw_recommendation", recommendation)
    with transaction.atomic():
        return _move_recommendation(
            recommendation,
            action=RecommendationAction.WITHDRAW,
            actor=by,
            note=note,
            extra={"decided_at": timezone.now()},
        )


def review_recommendation(
    recommendation: Recommendation,
    *,
    by: Any,
    verdict: str,
    comment: str = "",
    review_round: int | None = None,
) -> Review:
    """Record a reviewer's verdict on a submitted recommendation and act on it.

    ``review_round`` is the round of the version the reviewer read (the review page and the API
    pass it along); if the recommendation has been edited since, the review is refused with a
    ``Conflict`` and nothing is stored, so no verdict lands on a text its reviewer never saw.

    ``approve`` accepts the recommendation once the publication's required number of reviewers
    have approved it in this round (``Recommendation.review_round``: a review counts only in the
    round it was given in); ``request_changes`` sends it back to the submitter;
    ``reject`` rejects it. The last two need a comment, so the submitter learns why.

    Side effects: inserts a Review; may change the status and write an audit row.
    """
    require(by, "issues.review_recommendation", recommendation)
    if verdict not in Verdict.values:
        raise InvalidInput(
            gettext("The verdict must be approve, request_changes or reject."), field="verdict"
        )
    comment = _check("comment", (comment or "").strip(), _max_length(5000))
    if verdict != Verdict.APPROVE and not comment:
        raise InvalidInput(
            gettext("Say in a comment what should change, or why it is rejected."), field="comment"
        )
    with transaction.atomic():
        # Lock the recommendation and read its state afresh: two reviews at once (a double
        # click, two reviewers) are then decided one after the other, the second seeing the
        # first. Without it both pass the "already reviewed" check, and two approvals that are
        # each the other's second both count one and leave the recommendation waiting.
        current = (
            Recommendation.objects.select_for_update()
            .values("status", "submitted_at", "review_round")
            .get(pk=recommendation.pk)
        )
        if recommendation.status != RecommendationStatus.SUBMITTED:
            raise InvalidTransition(
                gettext("Only a submitted recommendation can be reviewed; this one is %(status)s.")
                % {"status": RecommendationStatus(recommendation.status).label.lower()},
                code="cannot_review",
            )
        if current["status"] != recommendation.status:
            raise Conflict(
                "This recommendation was changed by someone else meanwhile. Reload it and try "
                "again."
            )
        if review_round is not None and review_round != current["review_round"]:
            raise Conflict(
                gettext(
                    "The recommendation has changed since you opened it; it is now in review "
                    "round %(round)s. Read this version, then review it."
                )
                % {"round": current["review_round"]},
                code="changed_since_read",
            )
        recommendation.submitted_at = current["submitted_at"]
        recommendation.review_round = current["review_round"]
        this_round = recommendation.reviews.filter(round=recommendation.review_round)
        if this_round.filter(reviewer=by).exists():
            raise InvalidTransition(
                gettext("You have already reviewed this version of the recommendation."),
                code="already_reviewed",
            )
        review = Review.objects.create(
            recommendation=recommendation,
            reviewer=by,
            verdict=verdict,
            comment=comment,
            round=recommendation.review_round,
        )
        enqueue_after_commit(_tasks().task_notify_reviewed, review.pk)
        if verdict == Verdict.REQUEST_CHANGES:
            _move_recommendation(
                recommendation, action=RecommendationAction.REQUEST_CHANGES, actor=by, note=comment
            )
        elif verdict == Verdict.REJECT:
            _move_recommendation(
                recommendation,
                action=RecommendationAction.REJECT,
                actor=by,
                note=comment,
                extra={"decided_at": timezone.now()},
            )
        else:
            approvals = (
                this_round.filter(verdict=Verdict.APPROVE).values("reviewer").distinct().count()
            )
            if approvals >= recommendation.publication.approvals_required:
                _move_recommendation(
                    recommendation,
                    action=RecommendationAction.APPROVE,
                    actor=by,
                    note=comment,
                    extra={"decided_at": timezone.now()},
                )
    return review


def accept_recommendation(
    recommendation: Recommendation, *, by: Any, note: str = ""
) -> Recommendation:
    """An editor accepts a recommendation without waiting for further reviews.

    Side effects: status → accepted; writes an audit row.
    """
    require(by, "issues.accept_recommendation", recommendation)
    with transaction.atomic():
        accepted = _move_recommendation(
            recommendation,
            action=RecommendationAction.ACCEPT,
            actor=by,
            note=note,
            extra={"decided_at": timezone.now()},
        )
        enqueue_after_commit(_tasks().task_notify_accepted, recommendation.pk)
    return accepted


def schedule_recommendation(recommendation: Recommendation, *, issue: Issue, by: Any) -> IssueEntry:
    """Put an accepted recommendation into a draft or scheduled issue, at the end of its section.

    Side effects: status → scheduled; inserts an IssueEntry; writes an audit row.
    """
    require(by, "issues.schedule_recommendation", issue)
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
            featured = selectors.published_entry_of_paper(issue.publication, recommendation.paper)
            if featured is not None:
                raise InvalidInput(
                    gettext("This paper was already featured in issue #%(number)s.")
                    % {"number": featured.issue.number},
                    code="already_featured",
                )
        _move_recommendation(
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
    """Take an entry out of an unpublished issue; its recommendation is accepted again.

    Side effects: deletes the IssueEntry; status → accepted; writes an audit row.
    """
    issue = entry.issue
    require(by, "issues.schedule_recommendation", issue)
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
        _move_recommendation(
            recommendation,
            action=RecommendationAction.UNSCHEDULE,
            actor=by,
            note=note or f"Out of issue {issue.pk}",
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
        _move_issue(issue, action=IssueAction.EDIT, actor=by, note="Reordered entries")
        IssueEntry.objects.bulk_update(entries.values(), ["position"])


# --- issues -------------------------------------------------------------------------------------


def _clean_issue_fields(values: dict[str, Any]) -> dict[str, str]:
    unknown = set(values) - set(ISSUE_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            gettext("These fields cannot be edited: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    limits = {"title": TITLE_MAX_LENGTH, "credits": 1000, "intro_zh": 20_000, "intro_en": 20_000}
    return {
        name: _check(name, (value or "").strip(), _max_length(limits[name]))
        for name, value in values.items()
    }


def create_issue(publication: Publication, *, by: Any, **fields: str) -> Issue:
    """Start a draft issue of ``publication``. It gets its number only when published.

    Side effects: inserts an Issue and its audit row.
    """
    require(by, "issues.create_issue", publication)
    cleaned = _clean_issue_fields(fields)
    with transaction.atomic():
        issue = Issue.objects.create(publication=publication, created_by=by, **cleaned)
        Transition.objects.create(
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
    cleaned = _clean_issue_fields(fields)
    changed = {k: v for k, v in cleaned.items() if getattr(issue, k) != v}
    if not changed:
        _require_issue_state(issue, IssueAction.EDIT)
        return issue
    with transaction.atomic():
        return _move_issue(
            issue,
            action=IssueAction.EDIT,
            actor=by,
            note="Changed: " + ", ".join(sorted(changed)),
            extra=changed,
        )


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
        return _move_issue(
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
        return _move_issue(
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
    _require_issue_state(issue, IssueAction.EDIT)
    accepted = list(selectors.accepted_recommendations(issue.publication))
    featured = {
        e.paper_id
        for e in selectors.published_entries_of_papers(
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
    added = [schedule_recommendation(r, issue=issue, by=by) for r in papers + news]
    contents = selectors.issue_contents(issue)
    if not contents:
        return added  # nothing to write about yet
    texts = drafting.draft_texts(contents)
    empty = {
        name: getattr(texts, name)
        for name in ISSUE_EDITABLE_FIELDS
        if not getattr(issue, name) and getattr(texts, name)
    }
    if empty:
        update_issue(issue, by=by, **empty)
    return added


def _publish(issue: Issue, *, actor: Any) -> Issue:
    try:
        with transaction.atomic():
            # The lock on the publication serialises numbering across processes (PostgreSQL);
            # SQLite serialises writers anyway. The unique constraint is the last line.
            Publication.objects.select_for_update().get(pk=issue.publication_id)
            fresh = Issue.objects.select_for_update().get(pk=issue.pk)
            if fresh.status != issue.status:
                raise Conflict(
                    gettext(
                        "This issue was changed by someone else meanwhile. Reload it and try again."
                    )
                )
            _require_issue_state(fresh, IssueAction.PUBLISH)
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
            _move_issue(
                fresh,
                action=IssueAction.PUBLISH,
                actor=actor,
                note="" if actor else "Published at its scheduled time",
                extra={"number": (last or 0) + 1, "published_at": now},
            )
            _freeze_entries(entries)
            for entry in entries:
                _move_recommendation(
                    entry.recommendation,
                    action=RecommendationAction.PUBLISH,
                    actor=actor,
                    note=f"In issue #{fresh.number}",
                )
                if entry.paper is not None:
                    paper_services.fill_missing_title_zh(entry.paper, entry.recommendation.title_zh)
            caching.renew_published_version()
            # Mail goes out only once the publication is committed, never for a rolled-back one.
            newsletter_services.request_issue_newsletter(fresh)
            enqueue_after_commit(_tasks().task_notify_published, fresh.pk)
    except IntegrityError:
        raise Conflict(
            gettext(
                "Another issue of this publication was published at the same moment. Try again."
            )
        ) from None
    for name in ("status", "number", "published_at", "updated_at"):
        setattr(issue, name, getattr(fresh, name))
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


def _freeze_entries(entries: Sequence[IssueEntry]) -> None:
    for entry in entries:
        content = selectors.live_entry_content(entry)
        entry.shown_title = content.title
        entry.shown_title_zh = content.title_zh
        entry.shown_authors = "\n".join(content.authors)
        entry.shown_institutions = "\n".join(content.institutions)
        entry.shown_summary = content.summary
        entry.shown_code_url = content.code_url
        entry.shown_url = content.url
    IssueEntry.objects.bulk_update(entries, ENTRY_CORRECTABLE_FIELDS)


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


def correct_issue(
    issue: Issue,
    *,
    by: Any,
    note: str,
    fields: dict[str, str] | None = None,
    entries: dict[int, dict[str, str]] | None = None,
) -> Correction:
    """Correct a published issue; readers see the dated erratum ``note`` under it.

    ``fields`` may change the title, intros and credit line; ``entries`` maps an entry id to the
    ``shown_*`` fields to change.

    Side effects: updates the Issue and IssueEntry rows; inserts a Correction; writes an audit row;
    retires the cached published pages, exports, feeds and API copies (``caching``).
    """
    require(by, "issues.correct_issue", issue)
    note = _check("note", (note or "").strip(), _max_length(2000))
    if not note:
        raise InvalidInput(gettext("Describe the correction for readers."), field="note")
    issue_changes = _clean_issue_fields(fields or {})
    with transaction.atomic():
        changes: list[dict[str, Any]] = []
        for name, value in issue_changes.items():
            if getattr(issue, name) != value:
                changes.append({"field": name, "old": getattr(issue, name), "new": value})
                setattr(issue, name, value)
        own_entries = {e.pk: e for e in issue.entries.select_for_update()}
        touched = []
        for entry_id, values in (entries or {}).items():
            entry = own_entries.get(int(entry_id))
            if entry is None:
                raise InvalidInput(
                    gettext("Entry %(entry)s is not part of this issue.") % {"entry": entry_id},
                    field="entries",
                )
            unknown = set(values) - set(ENTRY_CORRECTABLE_FIELDS)
            if unknown:
                raise InvalidInput(
                    gettext("These entry fields cannot be corrected: %(fields)s.")
                    % {"fields": ", ".join(sorted(unknown))},
                    field="entries",
                )
            for name, value in values.items():
                value = _check(name, (value or "").strip())
                if name in ("shown_code_url", "shown_url") and value:
                    _check(name, value, validate_http_url)
                if getattr(entry, name) != value:
                    changes.append(
                        {
                            "entry": entry.pk,
                            "field": name,
                            "old": getattr(entry, name),
                            "new": value,
                        }
                    )
                    setattr(entry, name, value)
            touched.append(entry)
        if not changes:
            raise InvalidInput(gettext("Nothing was changed."), code="no_changes")
        _move_issue(
            issue,
            action=IssueAction.CORRECT,
            actor=by,
            note=note,
            extra=issue_changes,
        )
        if touched:
            IssueEntry.objects.bulk_update(touched, ENTRY_CORRECTABLE_FIELDS)
        caching.renew_published_version()
        return Correction.objects.create(issue=issue, author=by, note=note, changes=changes)


# --- the catalogue, for editors ----------------------------------------------------------------


def refetch_paper_metadata(paper: Paper, *, by: Any) -> Paper:
    """An editor's "fetch again": the paper's metadata is fetched anew by a worker, a hand entry
    included. Refused when it would change nothing: an editor kept the hand entry, or no source
    can be asked.

    Side effects: those of ``papers.services.refetch_metadata``.
    """
    require(by, "issues.refetch_paper_metadata", paper)
    if paper.metadata_kept:
        raise InvalidTransition(
            gettext(
                "An editor kept this paper's hand-entered metadata over the source's, so fetching "
                "it again would change nothing. To have it fetched, save the hand entry again "
                "without keeping it."
            )
        )
    unavailable = paper_selectors.source_unavailable(paper)
    if unavailable:
        raise InvalidTransition(unavailable)
    with transaction.atomic():
        paper_services.refetch_metadata(paper)
    return paper


def check_paper_metadata_entry(paper: Paper, *, by: Any) -> None:
    """Raise unless ``by`` may fill in ``paper``'s metadata by hand now.

    The paper's state first, so that a member is told why (its fetch is still under way, or the
    source gave it), then the capability.
    """
    if is_member(by):
        refused = paper_selectors.hand_entry_refusal(paper)
        if refused:
            raise InvalidTransition(refused)
    require(by, "issues.enter_paper_metadata", paper)


def enter_paper_metadata(
    paper: Paper,
    *,
    by: Any,
    title: str,
    authors: Sequence[str] = (),
    institutions: Sequence[str] = (),
    abstract: str = "",
    year: int | None = None,
    title_zh: str = "",
    keep: bool = False,
) -> Paper:
    """Fill in a paper's metadata by hand, when no source could (``source=manual``).

    Only once its fetch ended ``failed`` or ``not_found``, or when no source can be asked; by a
    member whose recommendation of it stands, or an editor of a publication where it is
    recommended, who may also correct a hand entry (``issues.enter_paper_metadata``). A later
    fetch from the source replaces the entry unless an editor ``keep``s it.

    Side effects: those of ``papers.services.enter_metadata_by_hand`` (rewrites the Paper's
    metadata, authors and institutions; records a MetadataEntry).
    """
    check_paper_metadata_entry(paper, by=by)
    if keep:
        require(by, "issues.keep_paper_metadata", paper)
    title = _check("title", (title or "").strip(), _max_length(1000))
    if not title:
        raise InvalidInput(gettext("Give the paper's title."), field="title")
    names = {"authors": list(authors), "institutions": list(institutions)}
    for field, values in names.items():
        cleaned = [_check(field, v.strip(), _max_length(300)) for v in values if v.strip()]
        if len(cleaned) > 500:
            raise InvalidInput(gettext("At most 500 names, please."), field=field)
        names[field] = cleaned
    abstract = _check("abstract", (abstract or "").strip(), _max_length(20_000))
    title_zh = _check("title_zh", (title_zh or "").strip(), _max_length(500))
    if year is not None and not 1900 <= year <= timezone.now().year + 1:
        raise InvalidInput(gettext("Give the year the paper appeared."), field="year")
    with transaction.atomic():
        # The row is locked and checked again: a worker may have fetched the paper meanwhile,
        # and a hand entry never replaces a source's metadata.
        paper = Paper.objects.select_for_update().get(pk=paper.pk)
        check_paper_metadata_entry(paper, by=by)
        return paper_services.enter_metadata_by_hand(
            paper,
            paper_services.PaperMetadata(
                title=title,
                title_zh=title_zh,
                abstract=abstract,
                authors=[paper_services.AuthorData(name) for name in names["authors"]],
                institutions=names["institutions"],
                year=year,
                # What the form does not show is kept as it is.
                published_on=paper.published_on,
                revised_on=paper.revised_on,
                arxiv_version=paper.arxiv_version,
                primary_category=paper.primary_category,
                categories=paper.categories,
                doi=paper.doi,
                journal_ref=paper.journal_ref,
                comment=paper.comment,
                code_url=paper.code_url,
                pdf_url=paper.pdf_url,
            ),
            by=by,
            keep=keep,
        )


# --- publications and teams ---------------------------------------------------------------------


def create_publication(
    *, slug: str, name: str, name_zh: str = "", description: str = ""
) -> Publication:
    """A new publication, with no team yet (operators only: ``create_publication``).

    Side effects: inserts a Publication.
    """
    publication = Publication(
        slug=slug, name=name.strip(), name_zh=name_zh.strip(), description=description.strip()
    )
    try:
        publication.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(f"{field}: {' '.join(messages)}", field=field) from None
    publication.save()
    return publication


CONTRIBUTOR = "contributor"


def grant_role(user: Any, *, role: str, publication: Publication | None, by: Any = None) -> str:
    """Make ``user`` a contributor, or a reviewer or editor of ``publication``.

    ``contributor`` is every active member's role: granting it (re)activates the account and,
    with a publication, removes the member's team role there. ``by`` is None for an operator at
    the command line, who is trusted; otherwise it must be an administrator.

    Side effects: may activate the user; inserts, updates or deletes a Membership. Returns a
    sentence describing what changed.
    """
    if by is not None:
        require(by, "issues.manage_team")
    if role not in (CONTRIBUTOR, *TeamRole.values):
        raise InvalidInput(
            f"Unknown role {role!r}: choose contributor, reviewer or editor.", field="role"
        )
    if role != CONTRIBUTOR and publication is None:
        raise InvalidInput("A reviewer or editor belongs to a publication.", field="publication")
    with transaction.atomic():
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        user.__dict__.pop("_weekly_roles", None)
        if role == CONTRIBUTOR:
            if publication is None:
                return f"{user.username} is a contributor."
            removed, _ = Membership.objects.filter(user=user, publication=publication).delete()
            suffix = " (team role removed)" if removed else ""
            return f"{user.username} is a contributor of {publication.slug}{suffix}."
        Membership.objects.update_or_create(
            user=user, publication=publication, defaults={"role": role}
        )
        return f"{user.username} is now {role} of {publication.slug}."


# --- telling members what became of their recommendations ---------------------------------------


def _tasks() -> Any:
    from issues import tasks  # the tasks call these services: import them when used

    return tasks


def _wants_mail(user: Any) -> bool:
    return bool(user.is_active and user.notify_by_email and user.email)


def member_language(user: Any) -> str:
    """The language to write to a member in.

    Members have no language setting of their own, so this is the language they chose for a
    newsletter at the same address (the latest), else the site's default.
    """
    return newsletter_selectors.language_of_address(user.email) or settings.LANGUAGE_CODE


def _notify_once(notification: Notification, message: Any) -> bool:
    """Record the notification, then send it; a second call for the same subject sends nothing.

    The record comes first, so a task run twice or retried never mails twice; a mail that fails
    removes its record again, so the retry sends it.
    """
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return False
    try:
        message.send()
    except Exception:
        notification.delete()
        raise
    return True


def notify_reviewed(review: Review) -> bool:
    """Tell the submitter of the review of their recommendation, unless they turned it off.

    Side effects: inserts a Notification and sends one e-mail. Returns whether it sent.
    """
    submitter = review.recommendation.submitter
    if not _wants_mail(submitter) or submitter.pk == review.reviewer_id:
        return False
    return _notify_once(
        Notification(user=submitter, kind=Notification.Kind.REVIEWED, review=review),
        notifications.reviewed_message(review, language=member_language(submitter)),
    )


def notify_accepted(recommendation: Recommendation) -> bool:
    """Tell the submitter an editor accepted their recommendation (reviews tell themselves).

    Side effects: inserts a Notification and sends one e-mail. Returns whether it sent.
    """
    submitter = recommendation.submitter
    if not _wants_mail(submitter) or recommendation.status != RecommendationStatus.ACCEPTED:
        return False
    return _notify_once(
        Notification(
            user=submitter, kind=Notification.Kind.ACCEPTED, recommendation=recommendation
        ),
        notifications.accepted_message(recommendation, language=member_language(submitter)),
    )


def notify_published(issue: Issue) -> int:
    """Tell each member whose recommendations are in the published issue, once, in one e-mail.

    Side effects: inserts a Notification and sends one e-mail per member. Returns how many.
    """
    if not issue.is_published:
        return 0
    titles: dict[Any, list[str]] = {}
    for content in selectors.issue_contents(issue):
        titles.setdefault(content.contributor, []).append(content.title)
    sent = 0
    for member, member_titles in titles.items():
        if _wants_mail(member):
            sent += _notify_once(
                Notification(user=member, kind=Notification.Kind.PUBLISHED, issue=issue),
                notifications.published_message(
                    member, issue, member_titles, language=member_language(member)
                ),
            )
    return sent
