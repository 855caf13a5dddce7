"""How an institution is named in a digest: its short form in Chinese and in English.

The Chinese ML community writes 斯坦福, 清华 or 谷歌 where the catalogue holds "Stanford
University", "Tsinghua University" or "Google". A short form in a language comes, in this order:

1. from the glossary editors keep (``InstitutionGlossaryEntry``): the entry with the
   institution's ROR id, else the entry whose name, aliases or short forms match, after
   ``normalise_name``, the institution's name or one of the names ROR gives it;
2. in Chinese, from ROR's Chinese label (a name in ``Institution.names`` tagged ``zh``, a
   ``label``; an alias tagged ``zh`` when ROR has no label);
3. in Chinese, from the Chinese name AMiner gave (``Institution.name_zh``);
4. in Chinese, from the institution's own name when it is written in Chinese (typed by hand);
5. otherwise none: the page lists the institution as without a Chinese short form, and the
   entry shows its name. In English, the entry shows the full name when the glossary has no
   English short form.

Pure functions over plain values: no query here. The catalogue's reads build a ``Glossary`` from
the entries (``papers.selectors.glossary``), the services resolve typed names through it
(``papers.services.institutions``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Words written short in affiliations, spelt out before names are compared.
_ABBREVIATIONS = {
    "univ": "university",
    "uni": "university",
    "inst": "institute",
    "natl": "national",
    "nat": "national",
    "tech": "technology",
    "technol": "technology",
    "lab": "laboratory",
    "labs": "laboratory",
    "laboratories": "laboratory",
    "dept": "department",
    "sci": "science",
    "acad": "academy",
    "res": "research",
    "ctr": "center",
    "centre": "center",
    "co": "company",
    "corp": "corporation",
    "inc": "",
    "ltd": "",
    "llc": "",
    "the": "",
    "of": "",
    "and": "",
    "at": "",
    "in": "",
}
_SEPARATORS = re.compile(r"[\s\-‐-―_/,.;:·•'’\"“”()（）\[\]【】&+@]+")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normalise_name(name: str) -> str:
    """The key two spellings of one institution share.

    Unicode compatibility forms folded (full-width letters and brackets become ASCII), case and
    accents dropped (Zürich, Zurich), punctuation and blanks become one blank, short words spelt
    out (Univ. → university, Inst. → institute, Lab → laboratory), and the words that do not
    tell institutions apart dropped (the, of, and, at, in, Inc., Ltd.). Chinese is kept as
    written, its brackets dropped: 哈尔滨工业大学（深圳） and 哈尔滨工业大学(深圳) are one key.

    >>> normalise_name("Stanford Univ.") == normalise_name("Stanford University")
    True
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = []
    for word in _SEPARATORS.split(text):
        word = _ABBREVIATIONS.get(word, word)
        if word:
            words.append(word)
    return " ".join(words)


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text or ""))


@dataclass(frozen=True)
class GlossaryTerm:
    """One glossary entry as resolution reads it."""

    pk: int
    name: str
    ror_id: str | None
    short_zh: str
    short_en: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """What the entry is known by: its name and aliases (its short forms are apart)."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ShortForms:
    """An institution as a digest writes it, in Chinese and in English.

    ``zh`` and ``en`` are what the reader sees (a fallback to the name when no short form is
    known); ``zh_source`` says where the Chinese one came from: ``glossary``, ``ror``,
    ``aminer``, ``name`` (the name is Chinese) or ``""`` (none: the name is shown).
    """

    zh: str
    en: str
    zh_source: str = ""
    entry_id: int | None = None

    @property
    def has_zh(self) -> bool:
        return bool(self.zh_source)


@dataclass
class Glossary:
    """The glossary's entries, indexed by ROR id and by normalised name.

    A normalised name that two entries share (two ``NTU``) leads to neither: the name is
    ambiguous, and resolution goes on as if the glossary did not know it.
    """

    terms: Sequence[GlossaryTerm] = ()
    _by_ror: dict[str, GlossaryTerm] = field(default_factory=dict, init=False)
    _by_name: dict[str, GlossaryTerm | None] = field(default_factory=dict, init=False)
    _by_short: dict[str, GlossaryTerm | None] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for term in self.terms:
            if term.ror_id:
                self._by_ror[term.ror_id] = term
            for name in term.names:
                _index(self._by_name, normalise_name(name), term)
            for short in (term.short_zh, term.short_en):
                _index(self._by_short, normalise_name(short), term)

    def by_ror(self, ror_id: str | None) -> GlossaryTerm | None:
        return self._by_ror.get(ror_id) if ror_id else None

    def by_name(self, *names: str) -> GlossaryTerm | None:
        """The entry one of ``names`` is: by an entry's name or alias first, then by a short
        form (斯坦福, Stanford)."""
        keys = [normalise_name(name) for name in names if name]
        for index in (self._by_name, self._by_short):
            for key in keys:
                term = index.get(key)
                if term is not None:
                    return term
        return None

    def term_for(self, institution: Any) -> GlossaryTerm | None:
        """The entry of an ``Institution``: by its ROR id, else by its name or ROR's names."""
        return self.by_ror(institution.ror_id) or self.by_name(
            institution.name, *ror_name_values(institution.names)
        )


def _index(index: dict[str, GlossaryTerm | None], key: str, term: GlossaryTerm) -> None:
    if not key:
        return
    if key in index and index[key] is not None and index[key].pk != term.pk:
        index[key] = None  # two entries: ambiguous, leads to neither
    else:
        index.setdefault(key, term)


def ror_name_values(names: Any) -> list[str]:
    """The names ROR gives an institution (``Institution.names``), whatever their language;
    anything not in ROR's shape is skipped."""
    if not isinstance(names, list):
        return []
    return [n["value"] for n in names if isinstance(n, dict) and isinstance(n.get("value"), str)]


def ror_chinese_label(names: Any) -> str:
    """ROR's Chinese name of an institution: its label tagged ``zh`` (or ``zh-*``), else an
    alias so tagged; "" when ROR has none."""
    if not isinstance(names, list):
        return ""
    found: dict[str, str] = {}
    for name in names:
        if not isinstance(name, dict):
            continue
        lang, value, types = name.get("lang"), name.get("value"), name.get("types") or []
        if not isinstance(lang, str) or not isinstance(value, str) or not value.strip():
            continue
        if lang.lower().split("-")[0] != "zh" or not isinstance(types, list):
            continue
        for kind in ("label", "alias"):
            if kind in types:
                found.setdefault(kind, value.strip())
    return found.get("label") or found.get("alias", "")


def short_forms(institution: Any, glossary: Glossary) -> ShortForms:
    """The institution's short forms, in the order the module says."""
    term = glossary.term_for(institution)
    en = (term.short_en if term else "") or institution.name
    if term is not None and term.short_zh:
        return ShortForms(term.short_zh, en, "glossary", term.pk)
    entry_id = term.pk if term else None
    label = ror_chinese_label(institution.names)
    if label:
        return ShortForms(label, en, "ror", entry_id)
    if institution.name_zh.strip():
        return ShortForms(institution.name_zh.strip(), en, "aminer", entry_id)
    if is_chinese(institution.name):
        return ShortForms(institution.name, en, "name", entry_id)
    return ShortForms(institution.name, en, "", entry_id)


def typed_short_forms(line: str, glossary: Glossary) -> ShortForms:
    """What a team typed in an entry's institutions (one line): ``中文 | English`` as written,
    else the glossary's entry the line names (斯坦福, Stanford Univ.), else the line itself in
    both languages."""
    zh, sep, en = line.partition(" | ")
    if sep:
        return ShortForms(zh.strip(), en.strip(), "typed")
    line = line.strip()
    term = glossary.by_name(line)
    if term is None:
        return ShortForms(line, line, "name" if is_chinese(line) else "")
    return ShortForms(term.short_zh or line, term.short_en or term.name, "glossary", term.pk)


def shown_as_typed(name: str, glossary: Glossary) -> ShortForms:
    """An institution as a published text names it (an imported issue): the Chinese form is the
    name as typed, whatever the glossary's short form (北京大学 stays 北京大学, not 北大); the
    English form is the glossary's in the same register, where the glossary knows the name: its
    English short form for one of its short forms (斯坦福 → Stanford), its full name for a name
    or an alias (北京大学 → Peking University); else the name itself."""
    name = name.strip()
    term = glossary.by_name(name)
    if term is None:
        return ShortForms(name, name, "name" if is_chinese(name) else "")
    key = normalise_name(name)
    shorts = {normalise_name(term.short_zh), normalise_name(term.short_en)} - {""}
    en = (term.short_en or term.name) if key in shorts else term.name
    return ShortForms(name, en, "typed", term.pk)


# --- the frozen copy of a published entry --------------------------------------------------------

#: Between the Chinese and the English short form of one institution in a published entry's
#: frozen copy (``IssueEntry.shown_institutions``, one institution a line).
FROZEN_SEPARATOR = " | "


def freeze(pairs: Iterable[tuple[str, str]]) -> str:
    """The institutions as a published entry keeps them, from (Chinese, English) pairs: one a
    line, ``中文 | English``, or one name when both are the same."""
    return "\n".join(
        zh if zh == en else f"{zh}{FROZEN_SEPARATOR}{en}" for zh, en in pairs if zh or en
    )


def thaw(text: str) -> list[tuple[str, str]]:
    """(Chinese, English) of each line of a frozen copy; a line without the separator (as every
    copy frozen before both languages were kept) is the same in both."""
    pairs = []
    for line in (text or "").splitlines():
        zh, sep, en = line.partition(FROZEN_SEPARATOR)
        zh, en = zh.strip(), en.strip()
        if zh or en:
            pairs.append((zh or en, en if sep and en else zh))
    return pairs
