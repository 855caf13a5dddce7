"""Reading exports written by older code whose schema this code no longer has.

Migrations are append-only, so an export is normally imported by the code that wrote it, then
migrated. The one exception: when the editorial app was split into ``publications``,
``recommendations``, ``issues`` and ``notifications``, the migrations were rewritten from zero
(before any site was deployed), so no code migrates an older database. An export of such a site
is read here instead: each row is moved to the model that holds it now, and the one table that
was cut in two, the audit trail, goes row by row to a recommendation's or an issue's trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The migrations an export of the code before the split names (``data.schema()``).
BEFORE_SPLIT = {
    "admin": ["0003_logentry_add_action_flag_choices"],
    "auth": ["0012_alter_user_first_name_max_length"],
    "authtoken": ["0004_alter_tokenproxy_options"],
    "contributors": ["0002_user_mail_language"],
    "issues": ["0007_fill_paper_search_extra"],
    "newsletter": ["0002_fill_member_mail_language"],
    "papers": ["0009_paper_search_extra"],
}

#: Models that moved whole: old label -> new label.
_MOVED = {
    "issues.publication": "publications.publication",
    "issues.membership": "publications.membership",
    "issues.recommendation": "recommendations.recommendation",
    "issues.review": "recommendations.review",
    "issues.notification": "notifications.notification",
}

Row = dict[str, Any]
Upgrade = Callable[[str, Row], tuple[str, Row]]


def _split_transition(row: Row) -> tuple[str, Row]:
    """A row of the old shared audit trail, to the trail of what it moved."""
    fields = dict(row["fields"])
    if fields.get("recommendation") is not None:
        fields.pop("issue", None)
        return "recommendations.transition", _relabelled(row, "recommendations.transition", fields)
    fields.pop("recommendation", None)
    fields.pop("changes", None)  # only edits of recommendations recorded changes
    return "issues.issuetransition", _relabelled(row, "issues.issuetransition", fields)


def _relabelled(row: Row, label: str, fields: Row | None = None) -> Row:
    return {**row, "model": label, "fields": row["fields"] if fields is None else fields}


def _from_before_split(label: str, row: Row) -> tuple[str, Row]:
    if label == "issues.transition":
        return _split_transition(row)
    new = _MOVED.get(label, label)
    return new, (row if new == label else _relabelled(row, new))


def upgrade_for(schema: Any) -> Upgrade | None:
    """How to read the rows of an export with this schema, or None if no upgrade knows it."""
    if schema == BEFORE_SPLIT:
        return _from_before_split
    return None


def upgraded_label(upgrade: Upgrade, label: str) -> str:
    """The label rows of ``label`` move to (the audit trail's: that of recommendations)."""
    return upgrade(label, {"model": label, "pk": None, "fields": {"recommendation": 0}})[0]
