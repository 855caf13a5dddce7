"""Statuses, actions and the table of allowed transitions of an issue, and its sections."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    IMPORT = "import", _("Imported")


class Section(models.TextChoices):
    PAPERS = "papers", _("Paper recommendations")
    NEWS = "news", _("Research news")


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
