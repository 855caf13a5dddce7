"""Every write and state change of recommendations, one module per sub-domain.

Each service checks the actor's capability (``recommendations.permissions``) and the current
state (the transition table in ``recommendations.enums``), owns its transaction, and records who
did what in the ``Transition`` log. Failures raise ``common.exceptions`` errors with a message for
the member.

- ``submission``: recommending, editing, submitting, withdrawing; the weekly quota.
- ``review``: reviews, an editor's acceptance, review rounds.
- ``revision``: the team's edits of what an entry will show, before it is published.
- ``metadata``: a recommended paper's metadata fetched again or entered by hand.
- ``merging``: two catalogue rows that are one paper merged by an editor.
- ``_workflow``: the guarded transition helper the others are built on; ``move_recommendation``
  is also how the issues app schedules, unschedules and publishes a recommendation.

The public services are re-exported here, so callers write ``services.review_recommendation(...)``.
"""

from recommendations.services._workflow import move_recommendation
from recommendations.services.merging import merge_papers
from recommendations.services.metadata import (
    check_paper_metadata_entry,
    enter_paper_metadata,
    refetch_paper_metadata,
)
from recommendations.services.review import (
    accept_recommendation,
    may_accept,
    may_review,
    review_recommendation,
    reviewed_this_round,
)
from recommendations.services.revision import may_revise, revise_recommendation
from recommendations.services.submission import (
    QUOTA_PERIOD,
    RECOMMENDATION_EDITABLE_FIELDS,
    create_recommendation,
    edit_recommendation,
    enforce_submission_quota,
    submit_recommendation,
    submitter_actions,
    withdraw_recommendation,
)

__all__ = [
    "QUOTA_PERIOD",
    "RECOMMENDATION_EDITABLE_FIELDS",
    "accept_recommendation",
    "check_paper_metadata_entry",
    "create_recommendation",
    "edit_recommendation",
    "enforce_submission_quota",
    "enter_paper_metadata",
    "may_accept",
    "may_review",
    "may_revise",
    "merge_papers",
    "move_recommendation",
    "refetch_paper_metadata",
    "review_recommendation",
    "reviewed_this_round",
    "revise_recommendation",
    "submit_recommendation",
    "submitter_actions",
    "withdraw_recommendation",
]
