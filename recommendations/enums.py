"""Statuses, actions and the table of allowed transitions of a recommendation.

Every transition is named by an action; a service performs it after checking this table, so the
table is the one place that says what may follow what.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    REVISE = "revise", _("Edited by the team")
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
#: States of a recommendation that an issue holds: its entry exists exactly while it is in one.
IN_AN_ISSUE = frozenset({_R.SCHEDULED, _R.PUBLISHED})
#: States in which the publication's team may polish what the entry will show: from submission
#: until publication.
REVISABLE_STATES = frozenset({_R.SUBMITTED, _R.CHANGES_REQUESTED, _R.ACCEPTED, _R.SCHEDULED})
#: States from which nothing follows.
FINAL_STATES = frozenset({_R.PUBLISHED, _R.REJECTED, _R.WITHDRAWN})

#: action -> (states it may start from, state it leads to). ``edit`` keeps the state.
RECOMMENDATION_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    RecommendationAction.SUBMIT: (frozenset({_R.DRAFT, _R.CHANGES_REQUESTED}), _R.SUBMITTED),
    RecommendationAction.EDIT: (OPEN_STATES, None),
    RecommendationAction.REVISE: (REVISABLE_STATES, None),
    RecommendationAction.WITHDRAW: (OPEN_STATES, _R.WITHDRAWN),
    RecommendationAction.APPROVE: (frozenset({_R.SUBMITTED}), _R.ACCEPTED),
    RecommendationAction.REQUEST_CHANGES: (frozenset({_R.SUBMITTED}), _R.CHANGES_REQUESTED),
    RecommendationAction.REJECT: (frozenset({_R.SUBMITTED}), _R.REJECTED),
    RecommendationAction.ACCEPT: (frozenset({_R.SUBMITTED, _R.CHANGES_REQUESTED}), _R.ACCEPTED),
    RecommendationAction.SCHEDULE: (frozenset({_R.ACCEPTED}), _R.SCHEDULED),
    RecommendationAction.UNSCHEDULE: (frozenset({_R.SCHEDULED}), _R.ACCEPTED),
    RecommendationAction.PUBLISH: (frozenset({_R.SCHEDULED}), _R.PUBLISHED),
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

#: What the publication's team may change of the entry a recommendation makes: its texts, what it
#: shows of the paper (authors, institutions, links) and its subject. Such an edit polishes the
#: entry and starts no review round.
ENTRY_REVISABLE_FIELDS = (
    "summary",
    "title_zh",
    "shown_authors",
    "shown_institutions",
    "code_url",
    "paper_url",
    "subject_zh",
    "subject_en",
    "topic",
    "news_title",
    "news_url",
)
