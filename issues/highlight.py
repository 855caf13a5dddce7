"""A search's words marked in the titles and teasers of its results, safely.

The text is plain (a title, a summary made plain by ``plain_text``): it is cut at the matches,
each piece is escaped, and only the matched pieces are wrapped in ``<mark>``. So nothing a member
or an outside API wrote becomes markup, and no mark lands inside an entity or a tag: the marks
are the only markup in what comes out.

Which words are marked follows what the search matched (``papers/search.py``):

- a word outside the CJK runs, case-insensitively, where a word starts, with the rest of that
  word ("model" marks "Models", as the stemmed search finds it; it does not mark "remodel");
  words of one character, ``or`` and ``-excluded`` words are not marked;
- a CJK run (Chinese, kana, Hangul: written without spaces) wherever it occurs, as the search
  finds it.

The work is bounded whatever the query: at most ``SEARCH_MAX_LENGTH`` characters of it are read,
at most ``SEARCH_MAX_WORDS`` words and as many CJK runs become literal alternatives of one
expression (each escaped; no metacharacter of the query reaches it), compiled once per query,
and only the first ``MARKED_TEXT_LENGTH`` characters of a text are searched.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from papers import search
from papers.selectors import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS

#: Text beyond this many characters is shown without marks (titles and teasers are shorter).
MARKED_TEXT_LENGTH = 5000
#: Characters of a result's teaser.
TEASER_LENGTH = 280

#: A letter or digit outside the CJK runs: what continues a word.
_LETTER = rf"[^\W_{search.CJK}]"
_WORD = re.compile(r"[^\W_]+")
#: Operators of the search's syntax (``websearch_to_tsquery``), not words to mark.
_OPERATORS = frozenset({"or"})


def query_terms(query: str) -> tuple[list[str], list[str]]:
    """The words (outside the CJK runs) and the CJK runs of ``query`` to mark, each once."""
    latin, runs = search.split_query(query[:SEARCH_MAX_LENGTH])
    words: dict[str, str] = {}
    for chunk in latin.split():
        if chunk.startswith("-"):  # excluded: never what was found
            continue
        for word in _WORD.findall(chunk):
            if len(word) > 1 and word.casefold() not in _OPERATORS:
                words.setdefault(word.casefold(), word)
    return list(words.values())[:SEARCH_MAX_WORDS], list(dict.fromkeys(runs))[:SEARCH_MAX_WORDS]


@lru_cache(maxsize=256)
def _pattern(query: str) -> re.Pattern[str] | None:
    words, runs = query_terms(query)
    # Longest first, so the longer of two overlapping terms is marked.
    words = sorted(words, key=len, reverse=True)
    parts = [f"(?<!{_LETTER}){re.escape(word)}{_LETTER}*" for word in words]
    parts += [re.escape(run) for run in sorted(runs, key=len, reverse=True)]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with the words of ``query`` in it wrapped in ``<mark>``."""
    text = str(text or "")
    pattern = _pattern(query[:SEARCH_MAX_LENGTH]) if query else None
    if pattern is None:
        return escape(text)
    pieces, last = [], 0
    for match in pattern.finditer(text, 0, MARKED_TEXT_LENGTH):
        pieces.append(escape(text[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 (every piece escaped; the marks are ours)


def excerpt(text: str, query: str, length: int = TEASER_LENGTH) -> str:
    """At most ``length`` characters of ``text``: its start, or, when the first match of
    ``query`` lies beyond that, a window that begins a little before the match. A cut end is
    shown by "…"."""
    text = str(text or "")
    if len(text) <= length:
        return text
    pattern = _pattern(query[:SEARCH_MAX_LENGTH]) if query else None
    match = pattern.search(text, 0, MARKED_TEXT_LENGTH) if pattern else None
    start = 0
    if match is not None and match.end() > length - 1:
        start = max(match.start() - length // 4, 0)
        # From the start of a word where the text has spaces.
        space = text.find(" ", start, match.start())
        if space != -1:
            start = space + 1
    prefix = "…" if start else ""
    piece = text[start:]
    if len(prefix) + len(piece) > length:
        piece = piece[: length - len(prefix) - 1].rstrip() + "…"
    return prefix + piece
