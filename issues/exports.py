"""Exports of an issue: Markdown in the digest's layout, paste-ready HTML, BibTeX of its papers.

Pure functions over what the issue shows (``selectors.issue_contents``): a published issue
exports what readers saw, corrections included.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Sequence
from urllib.parse import quote

from django.template.loader import render_to_string

from issues.models import Correction, Issue
from issues.selectors import EntryContent
from papers.models import Paper
from publications import style as house
from publications.enums import AuthorStyle, LinkFormat
from publications.models import PublicationStyle
from publications.selectors import style_of

#: How many authors an entry names before 等 (et al.) when its publication did not say.
AUTHORS_SHOWN = 3
#: How many institutions an entry names before 等 when its publication did not say.
INSTITUTIONS_SHOWN = 3

# --- Markdown -----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|>~])")


def md_text(text: str) -> str:
    """Plain text made inert in Markdown: no emphasis, links, headings or raw HTML."""
    text = " ".join((text or "").split())
    return _MD_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;")


#: Where a link's target begins: after ``](`` (inline links and images) and after ``]:``
#: (reference definitions, which CommonMark also reads inside lists and quotes, with a label over
#: two lines and the target on the next line).
_MD_TARGET_START = re.compile(r"\][(:]")
#: One character of a target as written: a character reference, or a character.
_MD_WRITTEN = re.compile(r"&#?[A-Za-z0-9]+;|.", re.DOTALL)
_URL_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
#: The schemes the site's own rendering keeps (``common.markup``); others become "#".
_MD_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def _md_scheme_end(text: str, start: int) -> int | None:
    """Where the colon ends of a target at ``text[start:]`` whose scheme is not safe, else None.

    The scheme is read as the renderers and then a browser read it: character references
    decoded, backslash escapes dropped, and blanks and line breaks dropped, which the browser
    strips from a link (``java&Tab;script\\:`` is ``javascript:``); an opening ``<`` (of
    ``[a](<target>)``) is passed over too."""
    read = []
    for match in _MD_WRITTEN.finditer(text, start):
        char = html.unescape(match[0])
        if char == ":":
            scheme = "".join(read).lower()
            if _URL_SCHEME.fullmatch(scheme) and scheme not in _MD_SAFE_SCHEMES:
                return match.end()
            return None
        if len(char) != 1:
            return None
        if char in "\\<" or char.isspace() or ord(char) < 32 or char == "\x7f":
            continue
        if not char.isascii() or not (char.isalnum() or char in "+.-"):
            return None
        read.append(char)
    return None


def md_block(markdown_text: str) -> str:
    """A member's Markdown kept as Markdown, without raw HTML, and without links or images
    whose scheme could run code (``javascript:``, ``data:``…), however spelled: their target
    becomes "#". Blog platforms render the export as it is, without the sanitising the site's
    own pages do."""
    text = (markdown_text or "").strip().replace("<", "&lt;")
    pieces, done = [], 0
    for start in _MD_TARGET_START.finditer(text):
        if start.end() < done:
            continue
        end = _md_scheme_end(text, start.end())
        if end is not None:
            blank = re.match(r"[ \t]*", text[start.end() :])[0]
            inline = text[start.end() - 1] == "("
            pieces += [text[done : start.end()], blank, "#"]
            done = _md_target_end(text, end, inline=inline)
    return "".join(pieces) + text[done:]


def _md_target_end(text: str, start: int, *, inline: bool) -> int:
    """Where the rest of a link target at ``text[start:]`` ends: at a blank, or at the ``)``
    that closes an inline link (parentheses inside it pair up, as CommonMark reads them), so that
    a target whose scheme was dropped leaves nothing of itself behind."""
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char.isspace():
            break
        if char == "\\":
            i += 2
            continue
        if inline and char == "(":
            depth += 1
        elif inline and char == ")":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return min(i, len(text))


#: What a link keeps as it is inside the export's ``<…>``: RFC 3986's unreserved and reserved
#: characters and the percent sign of its escapes, less the square brackets, which
#: Python-Markdown reads as a link inside the link.
_MD_URL_KEPT = frozenset(string.ascii_letters + string.digits + "-._~:/?#@!$&'()*+,;=%")
_MD_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def md_url(url: str) -> str:
    """A web link as a Markdown autolink ``<…>``, every other character percent-encoded, so that
    no stored or fetched link ends the ``<…>`` early or brings Markdown or HTML with it. What is
    no http(s) link is written as text."""
    url = (url or "").strip()
    if not re.match(r"https?://", url, re.IGNORECASE):
        return md_text(url)
    encoded = "".join(c if c in _MD_URL_KEPT else quote(c, safe="") for c in url)
    return f"<{_MD_BARE_PERCENT.sub('%25', encoded)}>"


def author_selection(names: Sequence[str], style: PublicationStyle) -> tuple[list[str], bool]:
    """Which authors the publication shows: the first N, or the first N-1 and the last; and
    whether some are left out."""
    count = max(1, style.authors_shown)
    if len(names) <= count:
        return list(names), False
    if style.author_style == AuthorStyle.FIRST_LAST and count > 1:
        return [*names[: count - 1], names[-1]], True
    return list(names[:count]), True


def shown_authors(names: Sequence[str], style: PublicationStyle) -> str:
    """The authors as the publication writes them: ``author_selection``, then its "et al."
    when some are left out."""
    shown, more = author_selection(names, style)
    return ", ".join(shown) + (style.authors_more if more else "")


def institution_selection(
    names: Sequence[str], style: PublicationStyle | None, more: bool = False
) -> tuple[list[str], bool]:
    """Which institutions the publication shows: the first N (its style's
    ``institutions_shown``); and whether some are left out, by the style or already by the
    text the entry was imported from (``more``: its list ended in 等)."""
    count = max(1, getattr(style, "institutions_shown", None) or INSTITUTIONS_SHOWN)
    return list(names[:count]), more or len(names) > count


def shown_institutions(
    names: Sequence[str], style: PublicationStyle | None, more: bool = False
) -> str:
    """The institutions as a Chinese digest writes them: the first N joined by 、, then 等
    when some are left out (斯坦福、高丽大学等), by the style or by ``more``."""
    shown, more = institution_selection(names, style, more)
    return "、".join(shown) + ("等" if more else "")


def md_link(url: str, style: PublicationStyle) -> str:
    """A link as the publication writes it: an autolink ``<…>``, or bare (for blog editors that
    link what looks like an address). A bare link has no blank, ``<``, ``>`` or ``*`` left in
    it, so it neither ends early nor brings emphasis."""
    written = md_url(url)
    if style.link_format == LinkFormat.BARE and written.startswith("<"):
        return written[1:-1].replace("*", "%2A")
    return written


def _entry_values(content: EntryContent, style: PublicationStyle) -> dict[str, str]:
    return {
        "institutions": md_text(
            shown_institutions(content.institutions, style, content.institutions_more)
        ),
        "title": md_text(content.title),
        "title_zh": md_text(content.title_zh),
        "authors": md_text(shown_authors(content.authors, style)),
        "summary": md_block(content.summary),
        "code_url": md_link(content.code_url, style) if content.code_url else "",
        "url": md_link(content.url, style),
    }


def credit_line(issue: Issue, style: PublicationStyle) -> str:
    """The issue's credit line as plain text, in the publication's template ("" without one)."""
    if not issue.credits:
        return ""
    return house.render(style.credit_template, {"names": " ".join(issue.credits.split())})


def _md_render(template: str, values: dict[str, str]) -> str:
    """A template of the publication rendered as Markdown: its own text made as safe as a
    member's Markdown (``md_block``), the values escaped by the caller."""
    return house.render_block(md_block(template), values)


def issue_markdown(
    issue: Issue,
    contents: Sequence[EntryContent],
    corrections: Sequence[Correction] = (),
    style: PublicationStyle | None = None,
) -> str:
    """The issue in its publication's layout (``PublicationStyle``), as Markdown."""
    publication = issue.publication
    style = style or style_of(publication)
    papers = [c for c in contents if not c.is_news]
    news = [c for c in contents if c.is_news]
    header = {
        "title": md_text(issue.title or publication.name),
        "publication": md_text(publication.name_zh or publication.name),
        "number": str(issue.number or ""),
        "date": f"{issue.published_at:%Y-%m-%d}" if issue.number and issue.published_at else "",
    }
    lines = [_md_render(style.header_template, header), ""]
    for section in style.section_names:
        if section == "about":
            if style.heading_about:
                lines += [md_block(style.heading_about), ""]
            if issue.intro_zh:
                lines += [md_block(issue.intro_zh), ""]
            if issue.intro_en:
                lines += [md_block(issue.intro_en), ""]
            if issue.credits:
                names = {"names": md_text(issue.credits)}
                lines += [_md_render(style.credit_template, names), ""]
        elif section == "papers" and papers:
            if style.heading_papers:
                lines += [md_block(style.heading_papers), ""]
            for content in papers:
                lines += [_md_render(style.entry_template, _entry_values(content, style)), ""]
        elif section == "news" and news:
            if style.heading_news:
                lines += [md_block(style.heading_news), ""]
            for content in news:
                lines += [f"### {md_text(content.title)}", "", md_block(content.summary), ""]
                lines += [f"链接：{md_link(content.url, style)}", ""]
        elif section == "closing" and style.closing:
            lines += [md_block(style.closing), ""]
    if corrections:
        lines += ["## 勘误", ""]
        lines += [f"- {c.created_at:%Y-%m-%d}：{md_text(c.note)}" for c in corrections]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- paste-ready HTML ---------------------------------------------------------------------------


class _HtmlEntry:
    """An entry as the HTML export shows it: its content, and its authors in the style."""

    def __init__(self, content: EntryContent, style: PublicationStyle) -> None:
        self._content = content
        self.shown_authors = shown_authors(content.authors, style)
        self.shown_institutions = shown_institutions(
            content.institutions, style, content.institutions_more
        )

    def __getattr__(self, name: str) -> object:
        return getattr(self._content, name)


def _heading_text(heading: str) -> str:
    return heading.lstrip("#").strip()


def issue_html(
    issue: Issue,
    contents: Sequence[EntryContent],
    corrections: Sequence[Correction] = (),
    style: PublicationStyle | None = None,
) -> str:
    """The issue as one HTML fragment with inline styles, for blog and WeChat editors that keep
    no stylesheet, in its publication's sections, headings, author style, credit line and
    closing block. Every text is escaped; summaries and the closing block are sanitised
    Markdown."""
    style = style or style_of(issue.publication)
    return render_to_string(
        "issues/export_issue.html",
        {
            "issue": issue,
            "publication": issue.publication,
            "sections": style.section_names,
            "headings": {
                "about": _heading_text(style.heading_about),
                "papers": _heading_text(style.heading_papers),
                "news": _heading_text(style.heading_news),
            },
            "credit_line": credit_line(issue, style),
            "closing": style.closing,
            "papers": [_HtmlEntry(c, style) for c in contents if not c.is_news],
            "news": [c for c in contents if c.is_news],
            "corrections": corrections,
        },
    )


# --- BibTeX -------------------------------------------------------------------------------------

_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


#: A brace without a partner, as a command that prints it and holds no brace of its own.
_BIB_UNPAIRED = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def _unpaired_braces(text: str) -> set[int]:
    """The positions of the braces in ``text`` that close nothing or are never closed."""
    unpaired, opened = set(), []
    for position, char in enumerate(text):
        if char == "{":
            opened.append(position)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                unpaired.add(position)
    return unpaired.union(opened)


def bib_text(text: str) -> str:
    r"""Text safe inside a braced BibTeX field.

    BibTeX ends a field at the brace that balances its opening one, whatever the backslashes:
    ``\}`` does not escape. So the braces of ``text`` that pair up are written ``\{…\}``, which
    BibTeX counts in pairs and LaTeX prints, and the others as ``\textbraceleft{}`` and
    ``\textbraceright{}``: no text ends its field early to start an entry (``}} @misc(…``).
    """
    text = " ".join((text or "").split())
    unpaired = _unpaired_braces(text)
    return "".join(
        _BIB_UNPAIRED[char] if position in unpaired else _BIB_SPECIAL.get(char, char)
        for position, char in enumerate(text)
    )


def bib_verbatim(text: str) -> str:
    """A link or an identifier for a field biblatex reads verbatim (``url``, ``doi``,
    ``eprint``): no LaTeX escapes, which it would keep as they are, and braces and blanks
    percent-encoded, so the field still ends at its own brace."""
    text = " ".join((text or "").split())
    return text.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _key_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", ascii_text)


def _paper_of(content: EntryContent) -> Paper | None:
    """The entry's paper: its recommendation's (prefetched), or an imported entry's own."""
    rec = content.entry.recommendation
    return rec.paper if rec is not None else content.entry.paper


def _bib_key(content: EntryContent, taken: set[str]) -> str:
    paper = _paper_of(content)
    surname = _key_part(content.authors[0].split()[-1]) if content.authors else ""
    first_word = next(
        (w for w in (_key_part(word) for word in content.title.split()) if len(w) > 3), ""
    )
    year = str(paper.year or "") if paper else ""
    key = (surname.lower() + year + first_word.lower()) or f"paper{paper.pk if paper else ''}"
    unique, suffix = key, ord("a")
    while unique in taken:
        unique, suffix = key + chr(suffix), suffix + 1
    taken.add(unique)
    return unique


def issue_bibtex(contents: Sequence[EntryContent]) -> str:
    """One BibTeX entry per paper of the issue, with arXiv eprint fields where known."""
    entries, taken = [], set()
    for content in contents:
        paper = _paper_of(content)
        if content.is_news or paper is None:
            continue
        fields = [("title", "{" + bib_text(content.title) + "}")]
        if content.authors:
            fields.append(("author", " and ".join(bib_text(a) for a in content.authors)))
        if paper.year:
            fields.append(("year", str(paper.year)))
        if paper.arxiv_id:
            fields += [("eprint", bib_verbatim(paper.arxiv_id)), ("archivePrefix", "arXiv")]
            if paper.primary_category:
                fields.append(("primaryClass", bib_text(paper.primary_category)))
        if paper.doi:
            fields.append(("doi", bib_verbatim(paper.doi)))
        if paper.journal_ref:
            fields.append(("journal", bib_text(paper.journal_ref)))
        fields.append(("url", bib_verbatim(content.url)))
        kind = "article" if paper.journal_ref else "misc"
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{kind}{{{_bib_key(content, taken)},\n{body}\n}}\n")
    return "\n".join(entries)
