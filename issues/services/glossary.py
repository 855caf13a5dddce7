"""The institution glossary, kept by editors from the editor's pages.

The glossary is the catalogue's (``papers.services.institutions``); these services add the
editorial rule: any publication's editor may change it (``issues.edit_glossary``), since the
short forms are the community's and every publication shows them.
"""

from __future__ import annotations

from typing import Any

from papers.models import Institution, InstitutionGlossaryEntry
from papers.services import institutions as catalogue
from publications.permissions import require


def name_institution(
    institution: Institution, *, by: Any, short_zh: str, short_en: str = "", note: str = ""
) -> InstitutionGlossaryEntry:
    """Give ``institution`` its Chinese short form (and English one), in one click; ``note``
    adds to the audit row's note.

    Side effects: those of ``papers.services.institutions.name_institution`` (the entry and its
    audit row).
    """
    require(by, "issues.edit_glossary")
    return catalogue.name_institution(
        institution, by=by, short_zh=short_zh, short_en=short_en, note=note
    )


def save_glossary_entry(
    entry: InstitutionGlossaryEntry | None, *, by: Any, **values: Any
) -> InstitutionGlossaryEntry:
    """Create a glossary entry (``entry`` None) or change one.

    Side effects: those of ``papers.services.institutions.save_glossary_entry``.
    """
    require(by, "issues.edit_glossary")
    return catalogue.save_glossary_entry(entry, by=by, **values)
