"""The publication's voice, kept by its editors: the house style, the glossary, the prompts.

Each change is recorded in the publication's audit trail (``publications.PublicationChange``).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext

from common.exceptions import InvalidInput
from common.validators import normalise_text
from drafting.enums import Spacing
from drafting.models import GlossaryTerm, HouseStyleSettings, PromptTemplate
from publications.models import Publication, PublicationChange
from publications.permissions import require
from publications.signals import publication_style_changed

ACTION_HOUSE_STYLE = "edit_house_style"
ACTION_GLOSSARY = "edit_glossary"
ACTION_PROMPT = "edit_prompt"

#: The longest a prompt's instructions may be: far beyond any useful prompt, short enough to
#: keep a request small.
INSTRUCTIONS_MAX_LENGTH = 8000
LENGTH_MAX = 100_000
EXAMPLES_MAX = 10


def _record(publication: Publication, by: Any, action: str, note: str) -> None:
    PublicationChange.objects.create(
        publication=publication, actor=by, action=action, to_status=action, note=note
    )


def set_house_style(
    publication: Publication,
    *,
    by: Any,
    spacing: str,
    summary_min_length: int = 0,
    summary_max_length: int = 0,
    title_max_length: int = 0,
    drafts_enabled: bool | None = None,
    show_draft_note: bool | None = None,
) -> HouseStyleSettings:
    """Set what the house-style check holds the publication's texts to, and whether drafts are
    asked of the site's language model and told to readers (None keeps what was set).

    Side effects: creates or updates the HouseStyleSettings row; writes an audit row; sends
    ``publications.signals.publication_style_changed`` once committed when whether readers are
    told of drafted entries changed (the issues app then retires the published pages cached).
    """
    require(by, "drafting.edit_voice", publication)
    if spacing not in Spacing.values:
        raise InvalidInput(
            gettext("Choose how Chinese and Latin text are spaced."), field="spacing"
        )
    lengths = {
        "summary_min_length": summary_min_length or 0,
        "summary_max_length": summary_max_length or 0,
        "title_max_length": title_max_length or 0,
    }
    for name, value in lengths.items():
        if not 0 <= value <= LENGTH_MAX:
            raise InvalidInput(
                gettext("A length is between 0 and %(max)d characters.") % {"max": LENGTH_MAX},
                field=name,
            )
    shortest, longest = lengths["summary_min_length"], lengths["summary_max_length"]
    if shortest and longest and shortest > longest:
        raise InvalidInput(
            gettext("The shortest summary cannot be longer than the longest."),
            field="summary_min_length",
        )
    switches = {
        name: bool(value)
        for name, value in (
            ("drafts_enabled", drafts_enabled),
            ("show_draft_note", show_draft_note),
        )
        if value is not None
    }
    with transaction.atomic():
        before = HouseStyleSettings.objects.select_for_update().filter(publication=publication)
        told_before = before.values_list("show_draft_note", flat=True).first() or False
        row, _created = HouseStyleSettings.objects.update_or_create(
            publication=publication, defaults={"spacing": spacing, **lengths, **switches}
        )
        if row.show_draft_note != told_before:
            # Published pages say which entries began as a model's draft only while readers
            # are told: the copies cached under the other choice are out of date.
            transaction.on_commit(
                lambda: publication_style_changed.send(sender=Publication, publication=publication)
            )
        _record(
            publication,
            by,
            ACTION_HOUSE_STYLE,
            f"Spacing {spacing}; summary {shortest}-{longest}; title up to "
            f"{lengths['title_max_length']}; drafts {'on' if row.drafts_enabled else 'off'}, "
            f"readers {'told' if row.show_draft_note else 'not told'}",
        )
    return row


def _clean_term(term: str, translation: str, avoid: str) -> dict[str, str]:
    term = normalise_text(term or "").strip()
    translation = normalise_text(translation or "").strip()
    if not term:
        raise InvalidInput(gettext("Give the term in English."), field="term")
    if len(term) > 100:
        raise InvalidInput(gettext("At most 100 characters, please."), field="term")
    if len(translation) > 100:
        raise InvalidInput(gettext("At most 100 characters, please."), field="translation")
    lines = [line.strip() for line in (avoid or "").replace("\r", "\n").split("\n")]
    lines = [line for line in dict.fromkeys(lines) if line]
    if len(lines) > 20 or any(len(line) > 100 for line in lines):
        raise InvalidInput(
            gettext("At most 20 renderings to avoid, of 100 characters each."), field="avoid"
        )
    if translation and translation in lines:
        raise InvalidInput(
            gettext("The rendering to use cannot also be one to avoid."), field="avoid"
        )
    return {"term": term, "translation": translation, "avoid": "\n".join(lines)}


def _save_term(term: GlossaryTerm) -> None:
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError:
        raise InvalidInput(
            gettext("The glossary already has “%(term)s”.") % {"term": term.term}, field="term"
        ) from None


def add_glossary_term(
    publication: Publication, *, by: Any, term: str, translation: str = "", avoid: str = ""
) -> GlossaryTerm:
    """Add a term to the publication's glossary.

    Side effects: inserts a GlossaryTerm; writes an audit row.
    """
    require(by, "drafting.edit_voice", publication)
    values = _clean_term(term, translation, avoid)
    row = GlossaryTerm(publication=publication, **values)
    with transaction.atomic():
        _save_term(row)
        _record(publication, by, ACTION_GLOSSARY, f"Added {row}")
    return row


def update_glossary_term(
    row: GlossaryTerm, *, by: Any, term: str, translation: str = "", avoid: str = ""
) -> GlossaryTerm:
    """Change a term of the glossary.

    Side effects: updates the GlossaryTerm; writes an audit row.
    """
    require(by, "drafting.edit_voice", row.publication)
    values = _clean_term(term, translation, avoid)
    before = str(row)
    for name, value in values.items():
        setattr(row, name, value)
    with transaction.atomic():
        _save_term(row)
        _record(row.publication, by, ACTION_GLOSSARY, f"Changed {before} to {row}")
    return row


def delete_glossary_term(row: GlossaryTerm, *, by: Any) -> None:
    """Remove a term from the glossary.

    Side effects: deletes the GlossaryTerm; writes an audit row.
    """
    require(by, "drafting.edit_voice", row.publication)
    with transaction.atomic():
        _record(row.publication, by, ACTION_GLOSSARY, f"Deleted {row}")
        row.delete()


def save_prompt_template(
    publication: Publication, *, by: Any, instructions: str, examples: int = 3
) -> PromptTemplate:
    """Save the publication's instructions to the model as its next version (the one in use).

    Side effects: inserts a PromptTemplate; writes an audit row.
    """
    require(by, "drafting.edit_voice", publication)
    instructions = (instructions or "").replace("\r\n", "\n").strip()
    if not instructions:
        raise InvalidInput(gettext("Write the instructions."), field="instructions")
    if len(instructions) > INSTRUCTIONS_MAX_LENGTH:
        raise InvalidInput(
            gettext("At most %(max)d characters, please.") % {"max": INSTRUCTIONS_MAX_LENGTH},
            field="instructions",
        )
    if not 0 <= (examples or 0) <= EXAMPLES_MAX:
        raise InvalidInput(
            gettext("Between 0 and %(max)d examples.") % {"max": EXAMPLES_MAX}, field="examples"
        )
    with transaction.atomic():
        # Versions are numbered per publication; two editors saving at once: one gets the
        # unique constraint's error and is asked to try again.
        latest = PromptTemplate.objects.filter(publication=publication).aggregate(
            latest=Max("version")
        )["latest"]
        template = PromptTemplate(
            publication=publication,
            version=(latest or 0) + 1,
            instructions=instructions,
            examples=examples or 0,
            created_by=by,
        )
        try:
            with transaction.atomic():
                template.save()
        except IntegrityError:
            raise InvalidInput(
                gettext("Another editor saved the prompt meanwhile. Reload it and try again."),
                field="instructions",
            ) from None
        _record(publication, by, ACTION_PROMPT, f"Prompt version {template.version}")
    return template
