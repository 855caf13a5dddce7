"""What a model's answer must be to become drafts: one JSON object with the expected fields,
each of the right length, language and script, and no markup. Anything else is refused with a
reason, and no field is filled."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# HTML or XML tags, Markdown emphasis, headings, links, code fences and lists: pages show the
# drafts as text, and a summary's Markdown is the member's to write.
_MARKUP = re.compile(
    r"</?[A-Za-z][^<>]{0,200}>|\*\*|__|```|^\s{0,3}#{1,6}\s|\[[^\]]{1,200}\]\([^)]{0,500}\)"
    r"|^\s{0,3}[-*+]\s",
    re.MULTILINE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: (shortest, longest) in characters, and the script the text is written in.
LIMITS = {
    "title_zh": (2, 200, "zh"),
    "summary_zh": (30, 1000, "zh"),
    "summary_en": (30, 2500, "en"),
    "subject_zh": (1, 60, "zh"),
    "subject_en": (1, 60, "en"),
}


class DraftRefused(Exception):
    """The answer cannot be used; ``str(error)`` says why."""


@dataclass(frozen=True)
class DraftFields:
    title_zh: str
    summary_zh: str
    summary_en: str
    subject_zh: str
    subject_en: str
    topic: str = ""
    #: (institution name, proposed Chinese short form), for an editor to accept or not.
    institutions: list[tuple[str, str]] = field(default_factory=list)


def validate_answer(
    content: str, *, topics: Collection[str], institutions: Collection[str]
) -> DraftFields:
    """The drafts in ``content``, the model's answer; raises ``DraftRefused`` with the reason.

    ``topics`` are the slugs the publication has (an unknown one is dropped, not refused: the
    contributor chooses); ``institutions`` the names asked about (short forms of any other are
    dropped)."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        raise DraftRefused(gettext("The model did not answer with valid JSON.")) from None
    if not isinstance(data, dict):
        raise DraftRefused(gettext("The model's answer is not a JSON object."))
    values = {name: _text(data, name, *limits) for name, limits in LIMITS.items()}
    topic = data.get("topic")
    topic = topic.strip() if isinstance(topic, str) and topic.strip() in topics else ""
    return DraftFields(
        **values, topic=topic, institutions=_short_forms(data.get("institutions"), institutions)
    )


def _text(data: dict[str, Any], name: str, shortest: int, longest: int, script: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise DraftRefused(gettext("The model's answer has no “%(field)s”.") % {"field": name})
    value = " ".join(value.split()) if name != "summary_zh" else value.strip()
    if _CONTROL.search(value):
        raise DraftRefused(
            gettext("The model's “%(field)s” holds control characters.") % {"field": name}
        )
    if _MARKUP.search(value):
        raise DraftRefused(
            gettext("The model's “%(field)s” holds markup (HTML or Markdown).") % {"field": name}
        )
    if not shortest <= len(value) <= longest:
        raise DraftRefused(
            gettext("The model's “%(field)s” has %(count)d characters, not %(min)d to %(max)d.")
            % {"field": name, "count": len(value), "min": shortest, "max": longest}
        )
    han, latin = len(_HAN.findall(value)), len(_LATIN.findall(value))
    if script == "zh" and han < max(1, (han + latin) // 3):
        raise DraftRefused(
            gettext("The model's “%(field)s” is not written in Chinese.") % {"field": name}
        )
    if script == "en" and (latin == 0 or han > latin // 20):
        raise DraftRefused(
            gettext("The model's “%(field)s” is not written in English.") % {"field": name}
        )
    return value


def _short_forms(value: Any, asked: Collection[str]) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        return []
    found = []
    for item in value[:50]:
        if not isinstance(item, dict):
            continue
        name, short = item.get("name"), item.get("short_zh")
        if not (isinstance(name, str) and isinstance(short, str)):
            continue
        name, short = name.strip(), " ".join(short.split())
        if (
            name in asked
            and 0 < len(short) <= 30
            and _HAN.search(short)
            and not _MARKUP.search(short)
        ):
            found.append((name, short))
    return found
