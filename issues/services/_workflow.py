"""The guarded transition helper of issues, and its conflict message.

Status changes are compare-and-set updates on the old status: when two requests race (a double
click, two editors at once), one wins and the other gets a ``Conflict`` instead of a silent
second transition.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from common.exceptions import Conflict, InvalidTransition
from issues.enums import ISSUE_TRANSITIONS, IssueAction, IssueStatus
from issues.models import Issue, IssueTransition


def issue_changed() -> Conflict:
    """The refusal of a change to an issue that another request changed first."""
    return Conflict(
        gettext("This issue was changed by someone else meanwhile. Reload it and try again.")
    )


def require_issue_state(issue: Issue, action: str) -> None:
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


def move_issue(
    issue: Issue,
    *,
    action: str,
    actor: Any,
    note: str = "",
    extra: dict[str, Any] | None = None,
) -> Issue:
    """The same as ``move_recommendation``, for issues."""
    require_issue_state(issue, action)
    _allowed_from, to_status = ISSUE_TRANSITIONS[action]
    from_status = issue.status
    fields = {"status": to_status or from_status, "updated_at": timezone.now(), **(extra or {})}
    changed = Issue.objects.filter(pk=issue.pk, status=from_status).update(**fields)
    if not changed:
        raise issue_changed()
    for name, value in fields.items():
        setattr(issue, name, value)
    IssueTransition.objects.create(
        issue=issue,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=fields["status"],
        note=note,
    )
    return issue
