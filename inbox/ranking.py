"""How near a paper is to what a publication has featured: TF-IDF over titles and abstracts.

Pure Python, no database and no model: the same ranking on SQLite (the embedded default) and
PostgreSQL, nothing to download (the machine's model hubs are closed), and cheap enough for a
daily worker (a profile of a thousand papers scores a page of a hundred in well under a second).

- ``tokens(text)``: lower-cased words of Latin letters and digits, at least two characters, not
  an English stop word and not a bare number, cut by a light suffix stemmer ("pretraining",
  "pretrained" → "pretrain"); Han characters as overlapping bigrams ("语言模型" → "语言",
  "言模", "模型"), a lone Han character as itself. Only the first ``MAX_TEXT_LENGTH``
  characters of a text are read, so a hostile text costs no more than a long abstract.
- ``Profile.build(texts)``: one TF-IDF vector per featured text (sublinear term frequency,
  smoothed inverse document frequency over the profile's texts and an optional ``background``
  of other papers, L2-normalised); ``profile.score(text)`` is a cosine in 0..1.

``score`` is the cosine to the *centroid* of the featured vectors. The *mean of the k nearest*
featured papers' cosines was measured against it (``bench/inbox_ranking.py``, which computes it
from ``vectors`` and ``vector()``; figures in docs/INBOX.md) and dropped: on simulated histories
the centroid put the papers later featured at a median percentile of 65.7 among their week's
arrivals (67.7 with the arrivals as ``background``), the 5 nearest at 56.6, a random order at
50.5; and the centroid costs one sparse dot product per text (2,000 texts scored against 2,000
featured in 0.3 s, where the 5 nearest took 8 s).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "MAX_PROFILE_TEXTS",
    "MAX_TEXT_LENGTH",
    "Profile",
    "tokens",
]

#: The most of a text that is read: a title and the longest abstract the catalogue keeps.
MAX_TEXT_LENGTH = 21_000
#: The most featured texts a profile holds (the first given: pass the newest first).
MAX_PROFILE_TEXTS = 2_000
_LATIN_WORD = re.compile(r"[a-z0-9\u00df-\u00f6\u00f8-\u024f]+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# English function words and the words every abstract uses ("we propose a novel method"):
# they say nothing of a paper's subject.
_STOP_WORDS_TEXT = """
    a about above after again against all also although am among an and any are as at be
    because been before being below between both but by can could did do does doing done down
    during each either et etc few for from further had has have having he her here hers him his
    how however i if in into is it its itself just may me might more most much must my no nor
    not of off on once only or other our ours out over own per same she should so some such than
    that the their theirs them then there these they this those through thus to too under until
    up upon us very via was we were what when where whether which while who whom why will with
    within without would you your yours
    paper papers propose proposed proposes present presents show shows shown novel new approach
    approaches method methods result results work study use used using based also can
"""
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Longest first; a suffix is cut only when at least three letters stay, so "sing" and "bed"
# stay whole. Light on purpose: it joins a word's plural and -ing/-ed forms, no more.
_SUFFIXES = (
    ("ational", "ate"),
    ("ization", "ize"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ments", "ment"),
    ("ingly", ""),
    ("ness", ""),
    ("ings", ""),
    ("sses", "ss"),
    ("ies", "y"),
    ("ing", ""),
    ("ed", ""),
    ("ly", ""),
    ("es", "e"),
    ("s", ""),
)
_KEEP_ENDINGS = ("ss", "us", "is")


def _stem(word: str) -> str:
    if len(word) <= 3 or word.endswith(_KEEP_ENDINGS):
        return word
    stem = word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + replacement
            # "modelling" → "modell" → "model": a doubled consonant left by -ing/-ed.
            if not replacement and len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "ls":
                stem = stem[:-1]
            if not replacement and stem.endswith("ll") and len(stem) > 4:
                stem = stem[:-1]
            break
    # A final "e" goes, so that "structure", "structured" and "structures" meet.
    if stem.endswith("e") and len(stem) > 4:
        stem = stem[:-1]
    return stem


def tokens(text: str | None) -> list[str]:
    """The terms of ``text``, repeated as often as they occur: its Latin words in order, then
    its Han bigrams in order."""
    if not text or not isinstance(text, str):
        return []
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT_LENGTH]).lower()
    found: list[str] = []
    for word in _LATIN_WORD.findall(text):
        if len(word) < 2 or word.isdigit() or word in _STOP_WORDS:
            continue
        stem = _stem(word)
        if stem not in _STOP_WORDS:
            found.append(stem)
    for run in _HAN_RUN.findall(text):
        if len(run) == 1:
            found.append(run)
        else:
            found.extend(run[i : i + 2] for i in range(len(run) - 1))
    return found


def _weights(terms: Iterable[str], idf: Mapping[str, float], unseen: float) -> dict[str, float]:
    """The L2-normalised TF-IDF vector of ``terms``, with sublinear term frequency."""
    vector = {
        term: (1.0 + math.log(count)) * idf.get(term, unseen)
        for term, count in Counter(terms).items()
    }
    norm = math.sqrt(sum(value * value for value in vector.values()))
    if norm == 0.0:
        return {}
    return {term: value / norm for term, value in vector.items()}


def _dot(small: Mapping[str, float], large: Mapping[str, float]) -> float:
    if len(small) > len(large):
        small, large = large, small
    return sum(value * large.get(term, 0.0) for term, value in small.items())


@dataclass(frozen=True)
class Profile:
    """What a publication has featured, as TF-IDF vectors; ``score`` compares a text with it."""

    idf: Mapping[str, float] = field(default_factory=dict)
    #: The idf of a term no text of the profile or its background holds: the highest.
    unseen_idf: float = 1.0
    #: The featured texts' vectors, in the order given.
    vectors: tuple[Mapping[str, float], ...] = ()
    #: Their normalised sum.
    centroid: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def build(
        cls, texts: Iterable[str | None], *, background: Iterable[str | None] = ()
    ) -> Profile:
        """The profile of ``texts`` (a featured paper's title and abstract each; at most the
        first ``MAX_PROFILE_TEXTS``). ``background``, other papers' texts (the arrivals being
        ranked), only counts towards how rare a term is. A profile of no text scores every
        text 0."""
        featured = [terms for text in texts if (terms := tokens(text))]
        featured = featured[:MAX_PROFILE_TEXTS]
        if not featured:
            return cls()
        others = [terms for text in background if (terms := tokens(text))]
        documents = len(featured) + len(others)
        frequency: Counter[str] = Counter()
        for terms in (*featured, *others):
            frequency.update(set(terms))
        # Smoothed, never zero: a term every featured paper holds is the profile's subject,
        # not noise to drop.
        idf = {
            term: math.log((1 + documents) / (1 + count)) + 1.0 for term, count in frequency.items()
        }
        unseen = math.log(1 + documents) + 1.0
        vectors = tuple(_weights(terms, idf, unseen) for terms in featured)
        total: Counter[str] = Counter()
        for vector in vectors:
            total.update(vector)
        norm = math.sqrt(sum(value * value for value in total.values()))
        return cls(
            idf=idf,
            unseen_idf=unseen,
            vectors=vectors,
            centroid={term: value / norm for term, value in total.items()},
        )

    @property
    def is_empty(self) -> bool:
        return not self.vectors

    def vector(self, text: str | None) -> dict[str, float]:
        """The L2-normalised TF-IDF vector of ``text``, weighed by this profile's rarities."""
        return _weights(tokens(text), self.idf, self.unseen_idf)

    def score(self, text: str | None) -> float:
        """How near ``text`` is to the profile, from 0 (nothing in common) to 1."""
        if self.is_empty:
            return 0.0
        vector = self.vector(text)
        if not vector:
            return 0.0
        # Rounding can carry a cosine of identical vectors a hair past 1.
        return min(1.0, max(0.0, _dot(vector, self.centroid)))
