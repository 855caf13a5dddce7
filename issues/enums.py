"""Statuses, roles and the tables of allowed transitions of the editorial workflow.

Every transition is named by an action; a service performs it after checking this table, so the
table is the one place that says what may follow what.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamRole(models.TextChoices):
    """A member's role within one publication. An editor has every right of a reviewer."""

    REVIEWER = "reviewer", _("Reviewer")
    EDITOR = "editor", _("Editor")


class RecommendationKind(models.TextChoices):
    PAPER = "paper", _("Paper")
    NEWS = "news", _("News item")


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RecommendationAction(models.TextChoices):
    CREATE = "create", _("Created")
    SUBMIT = "submit", _("Submitted")
    EDIT = "edit", _("Edited")
    WITHDRAW = "withdraw", _("Withdrawn")
    APPROVE = "approve", _("Approved")
    REQUEST_CHANGES = "request_changes", _("Changes requested")
    REJECT = "reject", _("Rejected")
    ACCEPT = "accept", _("Accepted")
    SCHEDULE = "schedule", _("Scheduled into an issue")
    UNSCHEDULE = "unschedule", _("Removed from an issue")
    PUBLISH = "publish", _("Published")


class Verdict(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    REJECT = "reject", _("Reject")


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")


class IssueAction(models.TextChoices):
    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    SCHEDULE = "schedule", _("Scheduled")
    UNSCHEDULE = "unschedule", _("Unscheduled")
    PUBLISH = "publish", _("Published")
    CORRECT = "correct", _("Corrected")


class Section(models.TextChoices):
    PAPERS = "papers", _("Paper recommendations")
    NEWS = "news", _("Research news")


_R = RecommendationStatus

#: Recommendation states in which the submitter may still edit or withdraw.
OPEN_STATES = frozenset({_R.DRAFT, _R.SUBMITTED, _R.CHANGES_REQUESTED})
#: States that count as "recommended" when warning about an earlier recommendation of a paper.
ACTIVE_STATES = frozenset(
    {_R.SUBMITTED, _R.CHANGES_REQUESTED, _R.ACCEPTED, _R.SCHEDULED, _R.PUBLISHED}
)
#: States in which a recommendation still stands (neither withdrawn nor rejected): its submitter
#: may fill in the paper's missing metadata, and its publication's editors may edit the paper's.
STANDING_STATES = frozenset(set(RecommendationStatus) - {_R.WITHDRAWN, _R.REJECTED})
#: States from which nothing follows.
FINAL_STATES = frozenset({_R.PUBLISHED, _R.REJECTED, _R.WITHDRAWN})

#: action -> (states it may start from, state it leads to). ``edit`` keeps the state.
RECOMMENDATION_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    RecommendationAction.SUBMIT: (frozenset({_R.DRAFT, _R.CHANGES_REQUESTED}), _R.SUBMITTED),
    RecommendationAction.EDIT: (OPEN_STATES, None),
    RecommendationAction.WITHDRAW: (OPEN_STATES, _R.WITHDRAWN),
    RecommendationAction.APPROVE: (frozenset({_R.SUBMITTED}), _R.ACCEPTED),
    RecommendationAction.REQUEST_CHANGES: (frozenset({_R.SUBMITTED}), _R.CHANGES_REQUESTED),
    RecommendationAction.REJECT: (frozenset({_R.SUBMITTED}), _R.REJECTED),
    RecommendationAction.ACCEPT: (frozenset({_R.SUBMITTED, _R.CHANGES_REQUESTED}), _R.ACCEPTED),
    RecommendationAction.SCHEDULE: (frozenset({_R.ACCEPTED}), _R.SCHEDULED),
    RecommendationAction.UNSCHEDULE: (frozenset({_R.SCHEDULED}), _R.ACCEPTED),
    RecommendationAction.PUBLISH: (frozenset({_R.SCHEDULED}), _R.PUBLISHED),
}

_I = IssueStatus

#: Issue states in which its content may still be changed freely.
EDITABLE_ISSUE_STATES = frozenset({_I.DRAFT, _I.SCHEDULED})

ISSUE_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    IssueAction.EDIT: (EDITABLE_ISSUE_STATES, None),
    IssueAction.SCHEDULE: (EDITABLE_ISSUE_STATES, _I.SCHEDULED),
    IssueAction.UNSCHEDULE: (frozenset({_I.SCHEDULED}), _I.DRAFT),
    IssueAction.PUBLISH: (EDITABLE_ISSUE_STATES, _I.PUBLISHED),
    IssueAction.CORRECT: (frozenset({_I.PUBLISHED}), None),
}


#: The fields of a recommendation its submitter may edit: what the reviewers judge, so that a
#: change to any of them starts a new review round.
RECOMMENDATION_EDITABLE_FIELDS = (
    "summary",
    "title_zh",
    "code_url",
    "topic",
    "news_title",
    "news_url",
)
