"""An issue's history in the words people know: "summary of entry 3", not "entry 11, shown_summary".

A correction stores its changes by field name and entry id (``Correction.changes``, which the API
returns as they are); the pages, the admin and the audit notes name each field as the forms do
and each entry by its place in the issue as readers see it (papers first, then news, from 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from issues.enums import Section
from issues.models import Correction, Issue, IssueEntry

#: The issue's own texts (``ISSUE_EDITABLE_FIELDS``), named as in a sentence.
ISSUE_FIELD_LABELS = {
    "title": _("title"),
    "intro_zh": _("introduction (Chinese)"),
    "intro_en": _("introduction (English)"),
    "credits": _("contributor credit line"),
}

#: What an entry shows (``ENTRY_CORRECTABLE_FIELDS``), named as in a sentence.
ENTRY_FIELD_LABELS = {
    "shown_title": _("title"),
    "shown_title_zh": _("Chinese title"),
    "shown_authors": _("authors"),
    "shown_institutions": _("institutions"),
    "shown_summary": _("summary"),
    "shown_code_url": _("code link"),
    "shown_url": _("paper link"),
}


@dataclass(frozen=True)
class ChangeLine:
    """One change of a correction, as people read it."""

    label: str
    old: str
    new: str
    #: The changed entry's id, for a link to it on the issue's page; None for the issue's texts.
    entry_id: int | None = None


@dataclass(frozen=True)
class DescribedCorrection:
    correction: Correction
    changes: list[ChangeLine]

    @property
    def summary(self) -> str:
        """What readers are told was corrected: "(corrected: title, summary of entry 3)"."""
        if not self.changes:
            return ""
        # Translators: separates the corrected fields, as in "title, summary of entry 3".
        labels = gettext(", ").join(change.label for change in self.changes)
        return gettext("(corrected: %(changes)s)") % {"changes": labels}


def entry_numbers(entries: Iterable[IssueEntry]) -> dict[int, int]:
    """Entry id → its number in the issue as readers see it: papers first, then news, each in
    their order, counted from 1."""
    ordered = sorted(entries, key=lambda e: (e.section != Section.PAPERS, e.position, e.pk))
    return {entry.pk: number for number, entry in enumerate(ordered, start=1)}


def describe_change(change: dict[str, Any], numbers: dict[int, int]) -> ChangeLine:
    """One stored change (``{"field", "old", "new"}``, with ``"entry"`` for an entry's field)."""
    field = str(change.get("field", ""))
    old, new = str(change.get("old", "")), str(change.get("new", ""))
    entry_id = change.get("entry")
    if entry_id is None:
        return ChangeLine(str(ISSUE_FIELD_LABELS.get(field, field)), old, new)
    name = str(ENTRY_FIELD_LABELS.get(field, field))
    number = numbers.get(entry_id)
    if number is None:  # not in the issue any more: only an administrator can have done that
        label = gettext("%(field)s of an entry no longer in the issue") % {"field": name}
        return ChangeLine(label, old, new)
    label = gettext("%(field)s of entry %(number)s") % {"field": name, "number": number}
    return ChangeLine(label, old, new, entry_id)


def describe_corrections(
    corrections: Iterable[Correction], entries: Iterable[IssueEntry]
) -> list[DescribedCorrection]:
    """Each correction with its changes told by ``describe_change``; no query of its own."""
    numbers = entry_numbers(entries)
    return [
        DescribedCorrection(
            correction, [describe_change(change, numbers) for change in correction.changes or []]
        )
        for correction in corrections
    ]


def issue_corrections(
    issue: Issue, entries: Sequence[IssueEntry] | None = None
) -> list[DescribedCorrection]:
    """The corrections of ``issue``, oldest first, described; ``entries`` when the caller has
    them already (one query less)."""
    if entries is None:
        entries = list(issue.entries.only("pk", "section", "position"))
    return describe_corrections(issue.corrections.select_related("author"), entries)


def changed_fields_note(names: Iterable[str]) -> str:
    """The note of an audit row that changed the issue's texts ``names``: in English, as every
    audit note is stored, whatever the language of the editor who made it."""
    order = list(ISSUE_FIELD_LABELS)
    ordered = sorted(names, key=lambda name: (order.index(name) if name in order else 99, name))
    with translation.override("en"):
        labels = [str(ISSUE_FIELD_LABELS.get(name, name)) for name in ordered]
    return "Changed: " + ", ".join(labels)
