"""The messages sent to the model: the publication's instructions (its prompt template), its
glossary, topics and past entries, the answer's fixed form, and the paper's public metadata.

Only public metadata leaves the site: the title, the abstract, the authors' names and the
institutions (docs/SECURITY.md). The form of the answer is not the editors' to change: the
validation (``drafting.validation``) expects exactly these fields.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from drafting.examples import Example
from drafting.house_style import GlossaryEntry

#: The instructions of a publication that has written none: placeholders in braces are filled
#: in (``{publication}``, ``{glossary}``, ``{topics}``, ``{examples}``).
DEFAULT_INSTRUCTIONS = """\
You help the volunteers of {publication}, a weekly digest of research papers written in Chinese.
For the paper given, draft its entry in the digest's house style:
- title_zh: the paper's title translated into Chinese, faithful and concise;
- summary_zh: one paragraph in Chinese (简介) of 150 to 350 characters, beginning with 本文, saying
  what the paper does, how, and what it finds; plain text, full-width punctuation;
- summary_en: the same paragraph in English;
- subject_zh and subject_en: a short phrase (at most 12 Chinese characters, 6 English words)
  naming what the paper is about, e.g. 短语检索 / phrase retrieval;
- topic: the slug of the one topic below that fits best, or "" when none fits;
- institutions: for each institution of the paper not in the list of known short forms, its
  usual Chinese short form (e.g. 斯坦福).

Use the glossary's renderings; keep in English the terms it keeps in English.
Glossary:
{glossary}

Topics:
{topics}

Entries the digest published before, as examples of its style:
{examples}
"""

#: What the answer must be; appended to every publication's instructions.
ANSWER_FORM = """\
Answer with one JSON object and nothing else, no Markdown and no HTML, of this form:
{"title_zh": "...", "summary_zh": "...", "summary_en": "...", "subject_zh": "...",
 "subject_en": "...", "topic": "...", "institutions": [{"name": "...", "short_zh": "..."}]}"""

PLACEHOLDERS = ("publication", "glossary", "topics", "examples")


@dataclass(frozen=True)
class PaperInput:
    """The public metadata of one paper, as the prompt shows it."""

    title: str
    abstract: str = ""
    authors: Sequence[str] = ()
    institutions: Sequence[str] = ()
    #: Those of ``institutions`` whose Chinese short form the glossary does not know.
    unknown_institutions: Sequence[str] = ()


@dataclass(frozen=True)
class TopicChoice:
    slug: str
    name_en: str
    name_zh: str = ""


@dataclass(frozen=True)
class PromptContext:
    """What a publication's instructions are filled with."""

    publication: str
    glossary: Sequence[GlossaryEntry] = ()
    topics: Sequence[TopicChoice] = ()
    examples: Sequence[Example] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def fill(instructions: str, context: PromptContext) -> str:
    """The instructions with their placeholders filled; any other brace is left as written, so
    an editor's text can never make the site fail."""
    values = {
        "publication": context.publication,
        "glossary": _glossary(context.glossary),
        "topics": _topics(context.topics),
        "examples": _examples(context.examples),
    }
    for name, value in values.items():
        instructions = instructions.replace("{" + name + "}", value)
    return instructions


def build_messages(
    instructions: str, context: PromptContext, paper: PaperInput
) -> list[dict[str, str]]:
    """The chat messages for ``paper``: the system message, then the paper as JSON."""
    system = fill(instructions or DEFAULT_INSTRUCTIONS, context).rstrip() + "\n\n" + ANSWER_FORM
    user = json.dumps(
        {
            "title": paper.title,
            "abstract": paper.abstract,
            "authors": list(paper.authors),
            "institutions": list(paper.institutions),
            "institutions_without_short_form": list(paper.unknown_institutions),
        },
        ensure_ascii=False,
        indent=1,
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _glossary(entries: Sequence[GlossaryEntry]) -> str:
    if not entries:
        return "(none)"
    lines = []
    for entry in entries:
        if entry.kept_in_english:
            lines.append(f"- {entry.term}: keep in English")
        else:
            lines.append(f"- {entry.term} → {entry.translation}")
    return "\n".join(lines)


def _topics(topics: Sequence[TopicChoice]) -> str:
    if not topics:
        return "(none)"
    return "\n".join(
        f"- {t.slug}: {t.name_en}" + (f" / {t.name_zh}" if t.name_zh else "") for t in topics
    )


def _examples(examples: Sequence[Example]) -> str:
    if not examples:
        return "(none yet)"
    return "\n\n".join(
        f"Title: {e.title}\ntitle_zh: {e.title_zh}\nsummary_zh: {e.summary}" for e in examples
    )
