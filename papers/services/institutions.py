"""Institutions stored once however they are written, and the glossary of their short forms.

``institutions_for_names`` turns the names a source or a member gave (``Stanford Univ.``,
斯坦福, ``Stanford University``) into catalogue rows, finding the row that exists before making
one: by the exact name, else through the glossary (its names, aliases and short forms, and the
entry's ROR id), else by the normalised name (``papers.institutions.normalise_name``) of the rows
whose names share a word with it. ``name_institution`` and ``save_glossary_entry`` write the
glossary, each change with its audit row. Who may change the glossary is the editorial apps'
business: these services check no capability, the issues app's do (``issues.services.glossary``).

``merge_into_ror_row`` and ``merge_with_ror_row`` make one row of an institution written in two
ways that only ROR's names tie together: 清华大学 (from AMiner, without a ROR id) and Tsinghua
University (with its ROR id, whose record has the ``zh`` label 清华大学). The row without a ROR id
goes; its papers' links move to the ROR row, and its Chinese name becomes the ROR row's
``name_zh`` when that has none. Each merge is logged (``papers.services``: "Merged institution").
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext

from common.exceptions import InvalidInput
from common.validators import check_field, max_length
from papers import selectors
from papers.institutions import (
    Glossary,
    GlossaryTerm,
    is_chinese,
    normalise_name,
    ror_name_values,
)
from papers.models import (
    Institution,
    InstitutionGlossaryChange,
    InstitutionGlossaryEntry,
    PaperInstitution,
)

logger = logging.getLogger("papers.services")

NAME_MAX_LENGTH = 300
SHORT_FORM_MAX_LENGTH = 60
ALIASES_MAX = 50
_ROR_ID = re.compile(r"0[a-z0-9]{6}[0-9]{2}")
#: Rows read at most to match one batch of names by their normalised form.
_CANDIDATES_MAX = 2000
_CHUNK = 100

# --- rows for names -----------------------------------------------------------------------------


def institutions_for_names(names: Sequence[str]) -> list[Institution]:
    """The catalogue rows of ``names``, in their order, each institution once, creating those
    that are new (the glossary's full name and ROR id when the glossary knows it, else the name
    as given). A few queries whatever the number of names.

    Side effects: may insert Institution rows.
    """
    rows: dict[int, Institution] = {}
    for row in institutions_by_name(names).values():
        rows.setdefault(row.pk, row)
    return list(rows.values())


def institutions_by_name(names: Sequence[str]) -> dict[str, Institution]:
    """As ``institutions_for_names``, each name (stripped, cut to the column) with its row.

    Side effects: may insert Institution rows.
    """
    names = list(dict.fromkeys(n.strip()[:NAME_MAX_LENGTH] for n in names if n.strip()))
    if not names:
        return {}
    known = selectors.glossary()
    terms = {name: known.by_name(name) for name in names}
    candidates = _candidates(names, [t for t in terms.values() if t is not None])
    found: dict[str, Institution] = {}
    to_create: dict[str, Institution] = {}
    for name in names:
        row = _match(name, terms[name], candidates, known)
        if row is not None:
            found[name] = row
            continue
        term = terms[name]
        new = Institution(name=term.name, ror_id=term.ror_id) if term else Institution(name=name)
        to_create.setdefault(new.name, new)
        found[name] = to_create[new.name]
    created = _create(list(to_create.values())) if to_create else {}
    for name, row in list(created.items()):
        # A new row named in Chinese may be a ROR row's other name (清华大学 of Tsinghua).
        if not row.ror_id and is_chinese(row.name):
            created[name] = merge_with_ror_row(row) or row
    return {name: created[row.name] if row.pk is None else row for name, row in found.items()}


def _candidates(names: list[str], terms: list[GlossaryTerm]) -> list[Institution]:
    """The rows any of ``names`` may be: named so exactly or but for case, holding an entry's
    ROR id or name, or sharing a name's longest word (to compare normalised names). One query
    per hundred names (SQLite bounds the depth of a condition)."""
    rors = {t.ror_id for t in terms if t.ror_id}
    term_names = {n for t in terms for n in t.names}
    query = Q(ror_id__in=rors) | Q(name__in=term_names)
    rows: dict[int, Institution] = {}
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        query = (query if start == 0 else Q(pk__in=[])) | Q(name__in=chunk) | Q(name_zh__in=chunk)
        for name in chunk:
            query |= Q(name__iexact=name)
            word = _longest_word(name)
            if word:
                query |= Q(name__icontains=word)
        for row in Institution.objects.filter(query).order_by("pk")[:_CANDIDATES_MAX]:
            rows.setdefault(row.pk, row)
    return list(rows.values())


def _longest_word(name: str) -> str:
    words = [w for w in re.split(r"[\W_]+", name) if len(w) >= 3]
    return max(words, key=len) if words else ""


def _match(
    name: str, term: GlossaryTerm | None, candidates: list[Institution], known: Glossary
) -> Institution | None:
    for row in candidates:
        if row.name == name:
            return row
    if term is not None:
        keys = {normalise_name(n) for n in term.names}
        for row in candidates:
            if term.ror_id and row.ror_id == term.ror_id:
                return row
        for row in candidates:
            if normalise_name(row.name) in keys or known.term_for(row) == term:
                return row
        return None
    key = normalise_name(name)
    for row in candidates:
        if key in {normalise_name(n) for n in (row.name, row.name_zh, *ror_name_values(row.names))}:
            return row
    return None


def _create(rows: list[Institution]) -> dict[str, Institution]:
    """Insert ``rows`` and return them by name as stored: a row another worker inserted
    meanwhile (the same name, or the same ROR id under another name) is read instead."""
    Institution.objects.bulk_create(rows, ignore_conflicts=True)
    stored = {i.name: i for i in Institution.objects.filter(name__in=[r.name for r in rows])}
    for row in rows:
        if row.name not in stored and row.ror_id:
            holder = Institution.objects.filter(ror_id=row.ror_id).first()
            stored[row.name] = holder or Institution.objects.create(name=row.name)
    return stored


# --- one row of an institution ROR's names tie together -----------------------------------------

#: Of an institution's names, how many are looked for among the rows without a ROR id.
_MERGE_NAMES_MAX = 60


def _names_of(row: Institution) -> list[str]:
    """Every name ``row`` is known by: its own, its Chinese one, and ROR's in any language."""
    values = [row.name, row.name_zh, *ror_name_values(row.names)]
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def merge_into_ror_row(ror_row: Institution) -> list[int]:
    """Merge into ``ror_row`` (a row with a ROR id) every row without one whose normalised name
    equals one of ``ror_row``'s names (its name, Chinese name, ROR label, alias or acronym in any
    language); the ids of the rows merged. Run when ROR's names arrive.

    Side effects: see ``merge_institution``.
    """
    if not ror_row.ror_id:
        return []
    names = _names_of(ror_row)[:_MERGE_NAMES_MAX]
    keys = {normalise_name(n) for n in names} - {""}
    query = Q(name__in=names)
    for name in names:
        word = _longest_word(name) or name
        query |= Q(name__icontains=word)
    candidates = (
        Institution.objects.filter(query, ror_id__isnull=True)
        .exclude(pk=ror_row.pk)
        .order_by("pk")[:_CANDIDATES_MAX]
    )
    merged = []
    for row in candidates:
        if normalise_name(row.name) not in keys:
            continue
        others = [o.name for o in _ror_owners(row) if o.pk != ror_row.pk]
        if others:
            # An acronym or alias two institutions share (NTU): an editor decides.
            logger.info("Institution %s %r left apart: also a name of %s", row.pk, row.name, others)
            continue
        merge_institution(row, into=ror_row)
        merged.append(row.pk)
    return merged


def merge_with_ror_row(row: Institution) -> Institution | None:
    """Merge ``row`` (without a ROR id) into the row with a ROR id one of whose names is
    ``row``'s name, normalised; that row, or ``None`` when there is none (or more than one, which
    leaves the choice to an editor). Run when a row named in Chinese is created.

    Side effects: see ``merge_institution``.
    """
    if row.ror_id:
        return None
    owners = _ror_owners(row)
    if len(owners) != 1:
        return None
    merge_institution(row, into=owners[0])
    return owners[0]


def _ror_owners(row: Institution) -> list[Institution]:
    """The rows with a ROR id one of whose names is ``row``'s name, normalised."""
    key = normalise_name(row.name)
    if not key:
        return []
    # ROR's names are JSON; a Chinese name is stored escaped by some databases (SQLite), as
    # written by others (PostgreSQL): both spellings are looked for, then compared normalised.
    escaped = json.dumps(row.name)[1:-1]
    query = Q(name__iexact=row.name) | Q(name_zh__iexact=row.name) | Q(names__icontains=row.name)
    if escaped != row.name:
        query |= Q(names__icontains=escaped)
    return [
        candidate
        for candidate in Institution.objects.filter(query, ror_id__isnull=False)
        .exclude(pk=row.pk)
        .order_by("pk")[:_CANDIDATES_MAX]
        if key in {normalise_name(n) for n in _names_of(candidate)}
    ]


@transaction.atomic
def merge_institution(other: Institution, *, into: Institution) -> Institution:
    """Make ``other`` and ``into`` one row, ``into``: ``other``'s papers link ``into`` instead
    (a paper linking both keeps its link to ``into``, in its place), ``into`` takes the Chinese
    name (``other``'s name when Chinese, else its ``name_zh``), the country and the type it
    lacks, and ``other`` is deleted. Logged with both rows and the links moved.

    Raises ValueError when ``other`` has a ROR id of its own or is ``into``.

    Side effects: updates PaperInstitution rows and ``into``; deletes ``other``; logs.
    """
    if other.pk == into.pk:
        raise ValueError("An institution cannot be merged into itself.")
    rows = {
        row.pk: row
        for row in Institution.objects.select_for_update()
        .filter(pk__in=[other.pk, into.pk])
        .order_by("pk")
    }
    if other.pk not in rows or into.pk not in rows:
        return rows.get(into.pk, into)  # merged meanwhile
    other, fresh = rows[other.pk], rows[into.pk]
    if other.ror_id:
        raise ValueError(f"{other.name} has a ROR id of its own: it is another institution.")
    links = PaperInstitution.objects.filter(institution=other)
    both = set(
        PaperInstitution.objects.filter(
            institution=fresh, paper_id__in=links.values("paper_id")
        ).values_list("paper_id", flat=True)
    )
    duplicates = links.filter(paper_id__in=both).delete()[0]
    moved = links.exclude(paper_id__in=both).update(institution=fresh)
    changed: dict[str, Any] = {}
    name_zh = other.name if is_chinese(other.name) else other.name_zh.strip()
    if name_zh and not fresh.name_zh:
        changed["name_zh"] = name_zh[:NAME_MAX_LENGTH]
    for field in ("country_code", "kind"):
        if getattr(other, field) and not getattr(fresh, field):
            changed[field] = getattr(other, field)
    other.delete()
    if changed:
        Institution.objects.filter(pk=fresh.pk).update(**changed)
        for field, value in changed.items():
            setattr(fresh, field, value)
            setattr(into, field, value)
    logger.info(
        "Merged institution %s %r into %s %r (ROR %s): %s paper links moved, %s already there",
        other.pk,
        other.name,
        fresh.pk,
        fresh.name,
        fresh.ror_id or "-",
        moved,
        duplicates,
    )
    return fresh


# --- the glossary -------------------------------------------------------------------------------

GLOSSARY_FIELDS = ("name", "ror_id", "short_zh", "short_en", "aliases")


def _clean_short_form(field: str, value: str) -> str:
    value = " ".join((value or "").split())
    check_field(field, value, max_length(SHORT_FORM_MAX_LENGTH))
    if "|" in value:
        raise InvalidInput(gettext("A short form cannot contain “|”."), field=field)
    return value


def clean_glossary_values(values: dict[str, Any]) -> dict[str, Any]:
    """The glossary fields of ``values`` as stored: one line each, bounded, plain text; a ROR id
    of nine characters (a ror.org link is read too); at most ``ALIASES_MAX`` other names.

    Raises InvalidInput naming the field."""
    cleaned: dict[str, Any] = {}
    if "name" in values:
        name = " ".join((values["name"] or "").split())
        check_field("name", name, max_length(NAME_MAX_LENGTH))
        if not name:
            raise InvalidInput(gettext("An entry needs the institution's name."), field="name")
        cleaned["name"] = name
    if "ror_id" in values:
        ror_id = (values["ror_id"] or "").strip().lower().removeprefix("https://ror.org/")
        if ror_id and not _ROR_ID.fullmatch(ror_id):
            raise InvalidInput(
                gettext("A ROR id is nine characters, as in https://ror.org/00f54p054."),
                field="ror_id",
            )
        cleaned["ror_id"] = ror_id or None
    for field in ("short_zh", "short_en"):
        if field in values:
            cleaned[field] = _clean_short_form(field, values[field])
    if "aliases" in values:
        aliases = values["aliases"] or []
        if isinstance(aliases, str):
            aliases = aliases.splitlines()
        aliases = list(dict.fromkeys(" ".join(str(a).split()) for a in aliases if str(a).strip()))
        if len(aliases) > ALIASES_MAX:
            raise InvalidInput(
                gettext("At most %(limit)s other names, please.") % {"limit": ALIASES_MAX},
                field="aliases",
            )
        for alias in aliases:
            check_field("aliases", alias, max_length(NAME_MAX_LENGTH))
        cleaned["aliases"] = aliases
    return cleaned


def _snapshot(entry: InstitutionGlossaryEntry) -> dict[str, Any]:
    return {field: getattr(entry, field) for field in GLOSSARY_FIELDS}


def _conflict(cleaned: dict[str, Any], entry: InstitutionGlossaryEntry | None) -> InvalidInput:
    """Which of the unique values another entry holds, said plainly."""
    others = InstitutionGlossaryEntry.objects.exclude(pk=entry.pk if entry else None)
    for field, message in (
        ("short_zh", gettext("“%(value)s” is the Chinese short form of %(other)s already.")),
        ("name", gettext("The glossary has an entry named “%(value)s” already.")),
        ("ror_id", gettext("The ROR id %(value)s is %(other)s's already.")),
    ):
        value = cleaned.get(field)
        if value:
            other = others.filter(**{field: value}).first()
            if other is not None:
                return InvalidInput(message % {"value": value, "other": other.name}, field=field)
    return InvalidInput(gettext("Another entry holds one of these values already."))


def _save(
    entry: InstitutionGlossaryEntry | None, cleaned: dict[str, Any], *, by: Any, note: str
) -> InstitutionGlossaryEntry:
    before = _snapshot(entry) if entry is not None else {}
    if entry is None:
        entry = InstitutionGlossaryEntry(**cleaned)
    else:
        for field, value in cleaned.items():
            setattr(entry, field, value)
    after = _snapshot(entry)
    if before == after:
        return entry
    entry.updated_by = by if getattr(by, "pk", None) else None
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise _conflict(cleaned, entry if entry.pk else None) from None
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    InstitutionGlossaryChange.objects.create(
        entry=entry,
        changed_by=entry.updated_by,
        before={k: before.get(k) for k in changed} if before else {},
        after=changed,
        note=note[:300],
    )
    return entry


@transaction.atomic
def save_glossary_entry(
    entry: InstitutionGlossaryEntry | None, *, by: Any, **values: Any
) -> InstitutionGlossaryEntry:
    """Create an entry (``entry`` None) or change any of ``GLOSSARY_FIELDS`` of one. A save that
    changes nothing writes nothing.

    Raises InvalidInput when a value is refused or another entry holds it (the name, the ROR id,
    the Chinese short form).

    Side effects: inserts or updates an InstitutionGlossaryEntry; writes an
    InstitutionGlossaryChange with the fields changed, before and after.
    """
    cleaned = clean_glossary_values(values)
    if entry is None and "name" not in cleaned:
        raise InvalidInput(gettext("An entry needs the institution's name."), field="name")
    note = "Created" if entry is None else "Changed " + ", ".join(sorted(cleaned))
    return _save(entry, cleaned, by=by, note=note)


@transaction.atomic
def name_institution(
    institution: Institution, *, by: Any, short_zh: str, short_en: str = "", note: str = ""
) -> InstitutionGlossaryEntry:
    """Give ``institution`` a Chinese short form (and an English one if given), in one click.
    ``note`` adds to the audit row's note (where the short form came from).

    The glossary's entry of the institution (by its ROR id or its names) takes it. Else, when an
    entry has that Chinese short form already, the institution is that entry's institution
    written another way: its name becomes one of the entry's other names. Else a new entry is
    made with the institution's name and ROR id.

    Raises InvalidInput when the short form is empty or refused.

    Side effects: inserts or updates an InstitutionGlossaryEntry; writes an
    InstitutionGlossaryChange.
    """
    cleaned = clean_glossary_values({"short_zh": short_zh, "short_en": short_en})
    if not cleaned["short_zh"]:
        raise InvalidInput(gettext("Give the institution's Chinese short form."), field="short_zh")
    if not cleaned["short_en"]:
        del cleaned["short_en"]
    known = selectors.glossary()
    term = known.term_for(institution)
    if term is not None:
        entry = InstitutionGlossaryEntry.objects.select_for_update().get(pk=term.pk)
        return _save(entry, cleaned, by=by, note=_naming_note(institution, note))
    holder = (
        InstitutionGlossaryEntry.objects.select_for_update()
        .filter(short_zh=cleaned["short_zh"])
        .first()
    )
    if holder is not None:
        aliases = list(holder.aliases or [])
        if institution.name not in aliases:
            aliases.append(institution.name)
        return _save(
            holder,
            clean_glossary_values({"aliases": aliases[-ALIASES_MAX:]}),
            by=by,
            note=_naming_note(institution, "(another name)", note),
        )
    ror_taken = (
        institution.ror_id
        and InstitutionGlossaryEntry.objects.filter(ror_id=institution.ror_id).exists()
    )
    values = {
        "name": institution.name,
        "ror_id": None if ror_taken else institution.ror_id,
        "short_en": "",
        **cleaned,
    }
    return _save(None, values, by=by, note=_naming_note(institution, note))


def _naming_note(institution: Institution, *notes: str) -> str:
    return " ".join([f"Named {institution.name}", *(n for n in notes if n)])
