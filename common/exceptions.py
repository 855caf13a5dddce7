"""Domain errors: an action that cannot be done, with a reason a member can read.

Services of every app raise these with a message meant for the member; views and the API turn them
into a form error, a flash message or an HTTP status (``http_status``, read by
``common.api.errors``) without rewording them. An app that needs an error of its own subclasses one
of these, so that the API still answers it in its one error shape.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class: an action that cannot be done, with a reason a member can read."""

    code = "workflow_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotAllowed(WorkflowError):
    """The actor lacks the capability."""

    code = "not_allowed"
    http_status = 403

    def __init__(self, message: str, *, capability: str | None = None) -> None:
        super().__init__(message)
        self.capability = capability


class InvalidTransition(WorkflowError):
    """The object's current state does not allow the action."""

    code = "invalid_transition"
    http_status = 409


class Conflict(WorkflowError):
    """Someone else changed the object meanwhile; reload and try again."""

    code = "conflict"
    http_status = 409


class InvalidInput(WorkflowError):
    """The values given cannot be used (the field at fault is named when known)."""

    code = "invalid"
    http_status = 400


class QuotaExceeded(WorkflowError):
    """The member has used up a limit; ``retry_after`` seconds until the next try can succeed."""

    code = "quota_exceeded"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
