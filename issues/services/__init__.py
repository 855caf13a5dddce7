"""Every write and state change of the editorial workflow, one module per sub-domain.

Each service checks the actor's capability (``issues.permissions``) and the current state (the
transition tables in ``issues.enums``), owns its transaction, and records who did what in the
``Transition`` log. Failures raise ``common.exceptions`` errors with a message for the member.

- ``submission``: recommending, editing, submitting, withdrawing; the weekly quota.
- ``review``: reviews, an editor's acceptance, review rounds.
- ``assembly``: draft issues, their texts and entries.
- ``publishing``: publishing now, at a scheduled time, or when it is due.
- ``correction``: errata of published issues.
- ``metadata``: a paper's metadata fetched again or entered by hand.
- ``teams``: publications and their teams.
- ``notification``: telling members what became of their recommendations.
- ``_workflow``: the guarded transition helpers the others are built on.

The public services are re-exported here, so callers write ``services.publish_issue(...)``.
"""

from issues.services.assembly import (
    ISSUE_EDITABLE_FIELDS,
    assemble_issue,
    create_issue,
    reorder_issue_entries,
    schedule_recommendation,
    unschedule_recommendation,
    update_issue,
)
from issues.services.correction import ENTRY_CORRECTABLE_FIELDS, correct_issue
from issues.services.metadata import (
    check_paper_metadata_entry,
    enter_paper_metadata,
    refetch_paper_metadata,
)
from issues.services.notification import (
    member_language,
    notify_accepted,
    notify_published,
    notify_reviewed,
)
from issues.services.publishing import (
    publish_due_issues,
    publish_issue,
    schedule_issue,
    unschedule_issue,
)
from issues.services.review import (
    accept_recommendation,
    may_accept,
    may_review,
    review_recommendation,
    reviewed_this_round,
)
from issues.services.submission import (
    QUOTA_PERIOD,
    RECOMMENDATION_EDITABLE_FIELDS,
    create_recommendation,
    edit_recommendation,
    enforce_submission_quota,
    submit_recommendation,
    submitter_actions,
    withdraw_recommendation,
)
from issues.services.teams import CONTRIBUTOR, create_publication, grant_role

__all__ = [
    "CONTRIBUTOR",
    "ENTRY_CORRECTABLE_FIELDS",
    "ISSUE_EDITABLE_FIELDS",
    "QUOTA_PERIOD",
    "RECOMMENDATION_EDITABLE_FIELDS",
    "accept_recommendation",
    "assemble_issue",
    "check_paper_metadata_entry",
    "correct_issue",
    "create_issue",
    "create_publication",
    "create_recommendation",
    "edit_recommendation",
    "enforce_submission_quota",
    "enter_paper_metadata",
    "grant_role",
    "may_accept",
    "may_review",
    "member_language",
    "notify_accepted",
    "notify_published",
    "notify_reviewed",
    "publish_due_issues",
    "publish_issue",
    "refetch_paper_metadata",
    "reorder_issue_entries",
    "review_recommendation",
    "reviewed_this_round",
    "schedule_issue",
    "schedule_recommendation",
    "submit_recommendation",
    "submitter_actions",
    "unschedule_issue",
    "unschedule_recommendation",
    "update_issue",
    "withdraw_recommendation",
]
