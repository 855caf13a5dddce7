"""Correcting a published issue: the dated erratum readers see under it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from common.exceptions import InvalidInput
from common.validators import check_field, max_length, normalise_text, validate_http_url
from issues import caching, signals
from issues.enums import IssueAction
from issues.models import Correction, Issue, IssueEntry
from issues.services._workflow import move_issue
from issues.services.assembly import clean_issue_fields
from publications.permissions import require

ENTRY_CORRECTABLE_FIELDS = (
    "shown_title",
    "shown_title_zh",
    "shown_authors",
    "shown_institutions",
    "shown_summary",
    "shown_code_url",
    "shown_url",
)


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
    ``shown_*`` fields to change. Texts are compared and stored normalised
    (``common.validators.normalise_text``): a field sent back unchanged, whatever its line
    endings or trailing blanks, is no change, and a correction that changes no field is refused
    (``no_changes``), whatever its erratum says.

    Side effects: updates the Issue and IssueEntry rows; inserts a Correction; writes an audit row;
    retires the cached published pages, exports, feeds and API copies (``caching``); tells the
    apps built on this one (``signals.issue_corrected``).
    """
    require(by, "issues.correct_issue", issue)
    note = check_field("note", (note or "").strip(), max_length(2000))
    if not note:
        raise InvalidInput(gettext("Describe the correction for readers."), field="note")
    issue_changes = clean_issue_fields(fields or {})
    with transaction.atomic():
        changes: list[dict[str, Any]] = []
        changed_fields: dict[str, str] = {}
        for name, value in issue_changes.items():
            if _differs(getattr(issue, name), value):
                changes.append({"field": name, "old": getattr(issue, name), "new": value})
                changed_fields[name] = value
        own_entries = {e.pk: e for e in issue.entries.select_for_update()}
        touched: dict[int, IssueEntry] = {}
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
                value = check_field(name, normalise_text(value or ""))
                if name in ("shown_code_url", "shown_url") and value:
                    check_field(name, value, validate_http_url)
                if _differs(getattr(entry, name), value):
                    changes.append(
                        {
                            "entry": entry.pk,
                            "field": name,
                            "old": getattr(entry, name),
                            "new": value,
                        }
                    )
                    setattr(entry, name, value)
                    touched[entry.pk] = entry
        if not changes:
            raise InvalidInput(gettext("Nothing was changed."), code="no_changes")
        move_issue(
            issue,
            action=IssueAction.CORRECT,
            actor=by,
            note=note,
            extra=changed_fields,
        )
        if touched:
            IssueEntry.objects.bulk_update(touched.values(), ENTRY_CORRECTABLE_FIELDS)
        caching.renew_published_version()
        correction = Correction.objects.create(issue=issue, author=by, note=note, changes=changes)
        signals.issue_corrected.send(sender=Issue, issue=issue, correction=correction)
        return correction


def _differs(stored: str, new: str) -> bool:
    """Whether ``new`` (normalised) says something else than ``stored``: a text sent back as it
    was, with CRLF line breaks or blanks at the ends of lines, is no change."""
    return normalise_text(stored or "") != new
