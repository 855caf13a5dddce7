"""Every write and state change of issues, one module per sub-domain.

Each service checks the actor's capability (``issues.permissions``) and the current state (the
transition table in ``issues.enums``), owns its transaction, and records who did what in the
``IssueTransition`` log (and, for the recommendations it moves, in theirs). Failures raise
``common.exceptions`` errors with a message for the member.

- ``assembly``: draft issues, their texts and entries.
- ``publishing``: publishing now, at a scheduled time, or when it is due.
- ``correction``: errata of published issues.
- ``importing``: past issues brought in from their published text, and the names they credit.
- ``merging``: the issues' step when two catalogue rows are merged (``papers.merging``).
- ``_workflow``: the guarded transition helper the others are built on.

The public services are re-exported here, so callers write ``services.publish_issue(...)``.
"""

from issues.services.assembly import (
    ISSUE_EDITABLE_FIELDS,
    assemble_issue,
    choose_lead_items,
    create_issue,
    reorder_issue_entries,
    schedule_recommendation,
    unschedule_recommendation,
    update_issue,
)
from issues.services.correction import ENTRY_CORRECTABLE_FIELDS, correct_issue
from issues.services.importing import (
    claim_credited_name,
    confirm_credited_name,
    import_issue,
    import_issue_text,
    plan_import,
)
from issues.services.publishing import (
    publish_due_issues,
    publish_issue,
    schedule_issue,
    unschedule_issue,
)

__all__ = [
    "ENTRY_CORRECTABLE_FIELDS",
    "ISSUE_EDITABLE_FIELDS",
    "assemble_issue",
    "choose_lead_items",
    "claim_credited_name",
    "confirm_credited_name",
    "correct_issue",
    "create_issue",
    "import_issue",
    "import_issue_text",
    "plan_import",
    "publish_due_issues",
    "publish_issue",
    "reorder_issue_entries",
    "schedule_issue",
    "schedule_recommendation",
    "unschedule_issue",
    "unschedule_recommendation",
    "update_issue",
]
