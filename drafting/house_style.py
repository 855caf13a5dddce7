"""The house-style check of a title or a summary: rules that need no language model.

One pure function, ``check_text``, over the text and the publication's ``HouseStyle``; it reads
no database and never refuses anything. Each ``Finding`` is a warning a person reads beside the
field while writing and in review, and decides about.

The rules:

- ``glossary``: a variant the glossary says to avoid (预先训练 where the publication writes
  预训练), or a term of the English source that the text renders otherwise;
- ``punctuation``: a half-width comma, period, colon, semicolon, question or exclamation mark, or
  bracket touching Chinese text (，。：；？！（） there);
- ``unbalanced``: an opening bracket or quotation mark without its closing one, or the reverse;
- ``spacing``: Chinese and Latin letters or digits side by side, with or without a space between
  them, against the publication's preference;
- ``numbers``: a long number without grouping (1000000), or digits run into a word (10times);
- ``length``: the text shorter or longer than the publication's range for the field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

#: How a publication spaces Chinese and Latin text.
SPACING_SPACE = "space"  # 使用 BERT 模型
SPACING_NONE = "none"  # 使用BERT模型
SPACING_ANY = "any"  # not checked

#: The fields checked, each with its rules of length.
FIELD_TITLE = "title"
FIELD_SUMMARY = "summary"
FIELD_SUBJECT = "subject"

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{_CJK}]")
_LATIN = r"A-Za-z0-9"
#: Spans the punctuation and spacing rules leave alone: links and inline code.
_VERBATIM = re.compile(r"https?://[^\s<>()（）]+|`[^`\n]*`")

_FULL_WIDTH = {
    ",": "，",
    ".": "。",
    ":": "：",
    ";": "；",
    "?": "？",
    "!": "！",
    "(": "（",
    ")": "）",
}
# A half-width mark right after a Chinese character, or a bracket right before one. A period
# between digits (3.5) or in a name (e.g.) never touches a Chinese character on its left.
_HALF_AFTER_HAN = re.compile(f"(?<=[{_CJK}])[,.:;?!()]")
_OPEN_BEFORE_HAN = re.compile(f"\\((?=[{_CJK}])|(?<=[{_CJK}])\\)")

_PAIRS = {
    "（": "）",
    "(": ")",
    "【": "】",
    "[": "]",
    "《": "》",
    "“": "”",
    "‘": "’",
    "「": "」",
    "『": "』",
}
_CLOSERS = {closer: opener for opener, closer in _PAIRS.items()}

_JOINED = re.compile(f"[{_CJK}][{_LATIN}]|[{_LATIN}][{_CJK}]")
_SPACED = re.compile(f"[{_CJK}] +[{_LATIN}]|[{_LATIN}] +[{_CJK}]")
# Five digits or more, not part of a decimal, an identifier (2109.08133) or a longer token.
_LONG_NUMBER = re.compile(r"(?<![\d.,/\-A-Za-z_])\d{5,}(?![\d.,/\-A-Za-z_])")
_YEARS = re.compile(r"(?:19|20)\d\d")
# Digits run into a word: "10times", "3layers" (not 7B, 10x, 2nd, 5ms, 3D, v2).
_NUMBER_WORD = re.compile(r"(?<![A-Za-z\d.])\d+(?!st\b|nd\b|rd\b|th\b|ms\b|px\b)[a-z]{3,}")


@dataclass(frozen=True)
class GlossaryEntry:
    """A term of the publication's glossary: its Chinese rendering (empty: kept in English),
    and the renderings to avoid."""

    term: str
    translation: str = ""
    avoid: tuple[str, ...] = ()

    @property
    def kept_in_english(self) -> bool:
        return not self.translation


@dataclass(frozen=True)
class HouseStyle:
    """What the check needs of a publication: its glossary, its spacing, its lengths."""

    glossary: Sequence[GlossaryEntry] = ()
    spacing: str = SPACING_ANY
    #: (shortest, longest) in characters, 0 for no bound.
    summary_length: tuple[int, int] = (0, 0)
    title_length: tuple[int, int] = (0, 0)
    subject_length: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Finding:
    """One warning: its rule, the sentence a person reads, and the words it is about."""

    rule: str
    message: str
    excerpt: str = ""
    position: int = field(default=0, compare=False)


def check_text(
    text: str, *, style: HouseStyle, kind: str = FIELD_SUMMARY, source: str = ""
) -> list[Finding]:
    """The house-style findings on ``text``, a title, summary or subject written in Chinese (or
    in English: the Chinese rules then find nothing), in the order of the text, rule by rule.

    ``source`` is the English the text renders (the paper's title or abstract), if known: a
    glossary term it names should then appear as the glossary renders it.
    """
    text = text or ""
    findings: list[Finding] = []
    findings += _glossary(text, style.glossary, source)
    if _HAN.search(text):
        prose = _VERBATIM.sub(lambda m: "\0" * len(m.group()), text)
        findings += _punctuation(prose)
        findings += _spacing(prose, style.spacing)
    findings += _unbalanced(text)
    findings += _numbers(text)
    findings += _length(text, kind, style)
    return findings


def _excerpt(text: str, start: int, end: int, around: int = 6) -> str:
    return text[max(0, start - around) : end + around].replace("\0", "").strip()


def _glossary(text: str, glossary: Sequence[GlossaryEntry], source: str) -> list[Finding]:
    findings = []
    lowered = text.lower()
    source_lowered = source.lower()
    for entry in glossary:
        preferred = entry.translation or entry.term
        for variant in entry.avoid:
            at = lowered.find(variant.lower()) if variant else -1
            if at >= 0:
                findings.append(
                    Finding(
                        "glossary",
                        gettext(
                            "“%(variant)s”: this publication writes “%(preferred)s” (%(term)s)."
                        )
                        % {"variant": variant, "preferred": preferred, "term": entry.term},
                        _excerpt(text, at, at + len(variant)),
                        at,
                    )
                )
        if not source_lowered or not _names(source_lowered, entry.term.lower()):
            continue
        if preferred.lower() in lowered or (not _HAN.search(text)):
            continue
        findings.append(
            Finding(
                "glossary",
                gettext(
                    "The paper speaks of “%(term)s”, which this publication writes "
                    "“%(preferred)s”; the text does not use it."
                )
                % {"term": entry.term, "preferred": preferred},
                entry.term,
                len(text),
            )
        )
    return findings


def _names(text: str, term: str) -> bool:
    """Whether lower-case ``text`` names lower-case ``term`` as a word (or words)."""
    return bool(term) and re.search(rf"(?<![a-z]){re.escape(term)}(?![a-z])", text) is not None


def _punctuation(prose: str) -> list[Finding]:
    findings = []
    seen: set[int] = set()
    for match in [*_HALF_AFTER_HAN.finditer(prose), *_OPEN_BEFORE_HAN.finditer(prose)]:
        at = match.start()
        if at in seen:
            continue
        seen.add(at)
        mark = match.group()
        findings.append(
            Finding(
                "punctuation",
                gettext("A half-width “%(mark)s” in Chinese text: write “%(full)s”.")
                % {"mark": mark, "full": _FULL_WIDTH[mark]},
                _excerpt(prose, at, at + 1),
                at,
            )
        )
    return sorted(findings, key=lambda f: f.position)


def _unbalanced(text: str) -> list[Finding]:
    findings = []
    stack: list[tuple[str, int]] = []
    for at, char in enumerate(text):
        if char in _PAIRS:
            stack.append((char, at))
        elif char in _CLOSERS:
            if stack and stack[-1][0] == _CLOSERS[char]:
                stack.pop()
            else:
                findings.append(
                    Finding(
                        "unbalanced",
                        gettext("“%(mark)s” closes nothing that was opened.") % {"mark": char},
                        _excerpt(text, at, at + 1),
                        at,
                    )
                )
    for char, at in stack:
        findings.append(
            Finding(
                "unbalanced",
                gettext("“%(mark)s” is opened and never closed.") % {"mark": char},
                _excerpt(text, at, at + 1),
                at,
            )
        )
    if text.count('"') % 2:
        at = text.rfind('"')
        findings.append(
            Finding(
                "unbalanced",
                gettext('An odd number of straight quotation marks ("): one is not closed.'),
                _excerpt(text, at, at + 1),
                at,
            )
        )
    return sorted(findings, key=lambda f: f.position)


def _spacing(prose: str, spacing: str) -> list[Finding]:
    if spacing == SPACING_SPACE:
        pattern = _JOINED
        message = gettext("Put a space between Chinese and Latin text: “%(excerpt)s”.")
    elif spacing == SPACING_NONE:
        pattern = _SPACED
        message = gettext("No space between Chinese and Latin text here: “%(excerpt)s”.")
    else:
        return []
    findings = []
    for match in pattern.finditer(prose):
        excerpt = _excerpt(prose, match.start(), match.end(), around=4)
        findings.append(Finding("spacing", message % {"excerpt": excerpt}, excerpt, match.start()))
    return findings


def _numbers(text: str) -> list[Finding]:
    findings = []
    for match in _LONG_NUMBER.finditer(text):
        if len(match.group()) == 8 and _YEARS.match(match.group()):
            continue  # a date such as 20210915
        findings.append(
            Finding(
                "numbers",
                gettext(
                    "“%(number)s” is hard to read: group its digits (1,000,000) or write 万/亿."
                )
                % {"number": match.group()},
                match.group(),
                match.start(),
            )
        )
    for match in _NUMBER_WORD.finditer(text):
        findings.append(
            Finding(
                "numbers",
                gettext("A number runs into a word: “%(words)s”.") % {"words": match.group()},
                match.group(),
                match.start(),
            )
        )
    return sorted(findings, key=lambda f: f.position)


def _length(text: str, kind: str, style: HouseStyle) -> list[Finding]:
    shortest, longest = {
        FIELD_TITLE: style.title_length,
        FIELD_SUBJECT: style.subject_length,
    }.get(kind, style.summary_length)
    count = len("".join(text.split()))
    if not count:
        return []
    if shortest and count < shortest:
        return [
            Finding(
                "length",
                ngettext(
                    "%(count)d character: this publication writes at least %(shortest)d.",
                    "%(count)d characters: this publication writes at least %(shortest)d.",
                    count,
                )
                % {"count": count, "shortest": shortest},
            )
        ]
    if longest and count > longest:
        return [
            Finding(
                "length",
                ngettext(
                    "%(count)d character: this publication writes at most %(longest)d.",
                    "%(count)d characters: this publication writes at most %(longest)d.",
                    count,
                )
                % {"count": count, "longest": longest},
            )
        ]
    return []
