"""Read a past issue from its published text, without touching the database.

Two layouts are read. The digest's plain text, as blogs and WeChat show it: a headline, the
publication's name, 关于周刊 with the intro and the credit line (本期贡献者), 论文推荐 with one
entry per paper (标题 institutions | English title (Chinese title), 作者, 简介, 代码下载,
论文地址), and 研究动态 with short news items (a title, a paragraph, a link). And the site's
own Markdown export (``issues.exports.issue_markdown`` in the default style), so that an issue
can go out and come back: ``#`` headings, ``### institutions | title（中文）`` entries,
escaped text, ``<…>`` links.

Real texts vary, and each variation is read rather than refused: full- and half-width colons,
brackets and commas; blanks around ``|``; a Chinese title whose closing bracket was lost; a label
on its own line with its value on the next; and the page furniture a platform adds after the last
entry (likes, comments, reward blocks), which is dropped. What cannot be placed is never guessed:
it becomes a ``Doubt`` with its line, for a person to read in the dry run. A link that names no
paper the catalogue can read (``papers.identifiers``) is kept as text and reported.

Every pattern here is linear, and the text is bounded by its caller (``MAX_TEXT_LENGTH``): the
input is whatever someone pasted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext

from papers.identifiers import Identifier, InvalidIdentifier, parse_identifier

#: The longest text read (a 40-entry issue is about 40,000 characters).
MAX_TEXT_LENGTH = 500_000

PAPERS = "papers"
NEWS = "news"

# --- what a text holds --------------------------------------------------------------------------


@dataclass(frozen=True)
class Doubt:
    """Something a person should look at: a line that could not be placed, a link that names no
    paper, a count that does not add up. ``line`` is 1-based in the text (0: the whole text)."""

    line: int
    message: str
    text: str = ""


@dataclass
class ParsedEntry:
    """One paper or news item, with its texts as the issue showed them."""

    section: str
    line: int
    title: str = ""
    title_zh: str = ""
    #: The institutions, one name or short form each, in order (a trailing 等 read apart).
    institutions: list[str] = field(default_factory=list)
    #: Whether the list ended in 等: the text named only some of the institutions.
    institutions_more: bool = False
    #: The authors as the issue wrote them, on one line (``Yi Tay, Donald Metzler等``).
    authors: str = ""
    summary: str = ""
    code_url: str = ""
    url: str = ""
    #: The paper ``url`` names, when the catalogue can read it.
    identifier: Identifier | None = None
    #: The subject phrase the intro gives this paper (one per paper, in order), if it does.
    subject_zh: str = ""

    @property
    def is_news(self) -> bool:
        return self.section == NEWS


@dataclass
class ParsedIssue:
    """What a text says of its issue; ``doubts`` and ``dropped`` say what it could not use."""

    layout: str
    digest: str
    title: str = ""
    publication_name: str = ""
    number: int | None = None
    date: dt.date | None = None
    intro_zh: str = ""
    intro_en: str = ""
    credited_names: list[str] = field(default_factory=list)
    entries: list[ParsedEntry] = field(default_factory=list)
    #: The subject phrases the intro lists, in order.
    subjects: list[str] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    #: Repairs made while reading (a closing bracket added), for the dry run to show.
    notes: list[Doubt] = field(default_factory=list)
    #: The lines left out as page furniture after the last entry: (line number, text).
    dropped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def papers(self) -> list[ParsedEntry]:
        return [e for e in self.entries if not e.is_news]

    @property
    def news(self) -> list[ParsedEntry]:
        return [e for e in self.entries if e.is_news]

    @property
    def credits(self) -> str:
        return " ".join(self.credited_names)


# --- normalising what varies --------------------------------------------------------------------

#: Blanks that are not spaces: no-break, ideographic, zero-width, the byte-order mark.
_ODD_BLANKS = str.maketrans({"\u00a0": " ", "\u3000": " ", "\u200b": "", "\ufeff": "", "\t": " "})
_COLON = "[:：]"
_OPEN = "(（"
_CLOSE = ")）"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LIST_SEPARATORS = re.compile(r"\s*[、，,；;]\s*")

LABELS = {
    "标题": "title",
    "题目": "title",
    "作者": "authors",
    "简介": "summary",
    "摘要": "summary",
    "代码下载": "code_url",
    "代码地址": "code_url",
    "代码": "code_url",
    "论文地址": "url",
    "论文链接": "url",
    "原文链接": "url",
    "链接": "url",
}
_LABEL = re.compile(
    r"^(?P<label>" + "|".join(sorted(LABELS, key=len, reverse=True)) + r")\s*" + _COLON + r"\s*"
    r"(?P<value>.*)$"
)
_HEADINGS = {
    "about": {"关于周刊", "关于本期", "aboutthisissue", "about"},
    PAPERS: {"论文推荐", "paperrecommendations", "papers"},
    NEWS: {"研究动态", "researchnews", "news"},
    "errata": {"勘误", "corrections", "errata"},
}
_CREDIT = re.compile(r"^[（(]?\s*本期贡献者\s*" + _COLON + r"\s*(?P<names>.*?)\s*[)）]?\s*$")
_NUMBER = re.compile(r"第\s*(\d{1,6})\s*期")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_URL = re.compile(r"^<?(https?://\S+?)>?$", re.IGNORECASE)
_MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]#|>~])")
#: What a blog platform adds after the last entry: counters of likes, comments, rewards.
_DEBRIS_LINE = re.compile(r"^[•·]\s*\d+$")
_DEBRIS_WORDS = frozenset(
    {"点赞", "收藏", "评论", "打赏", "分享", "在看", "赞赏", "举报", "关注", "添加红包", "阅读原文"}
)
_INTRO_COUNTS = re.compile(
    r"(?P<papers>\d+)\s*篇[^，,。]{0,30}?论文[，,]\s*涉及(?P<subjects>[^。]+)"
)


def digest_of(text: str) -> str:
    """The text's fingerprint: the same issue pasted again (other line endings, blanks at its
    ends) has the same one, so importing it twice changes nothing."""
    lines = [line.rstrip() for line in _clean(text).split("\n")]
    return hashlib.sha256("\n".join(lines).strip().encode()).hexdigest()


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_ODD_BLANKS)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _key(line: str) -> str:
    """A heading as compared: no Markdown hashes, blanks, punctuation or case."""
    return re.sub(r"[\s#:：*_]", "", line).lower()


def _unescape(text: str) -> str:
    return _MD_ESCAPED.sub(r"\1", text).replace("&lt;", "<")


def _link(text: str) -> str:
    match = _URL.match(text.strip())
    return match[1] if match else text.strip()


def _is_debris(line: str) -> bool:
    bare = line.strip()
    return bool(_DEBRIS_LINE.match(bare)) or bare in _DEBRIS_WORDS


# --- the reader ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = _clean(text).split("\n")
        self.markdown = any(
            line.startswith(("# ", "### ")) or (_key(line) == "论文推荐" and line.startswith("##"))
            for line in self.lines
        )
        self.issue = ParsedIssue(
            layout="markdown" if self.markdown else "text", digest=digest_of(text)
        )
        self.section = "header"
        self.header: list[tuple[int, str]] = []
        self.intro: list[list[str]] = [[]]
        self.entry: ParsedEntry | None = None
        self.field = ""
        self.waiting = False
        self.blank_before = False
        self.unplaced: list[tuple[int, str]] = []
        self.last_placed = 0

    def text_value(self, value: str) -> str:
        return _squash(_unescape(value) if self.markdown else value)

    def read(self) -> ParsedIssue:
        for number, raw in enumerate(self.lines, start=1):
            line = raw.strip()
            if not line:
                self.blank_before = True
                continue
            if self.issue.entries and _is_debris(line):
                self.issue.dropped += [
                    (n, text.strip())
                    for n, text in enumerate(self.lines[number - 1 :], start=number)
                    if text.strip()
                ]
                break
            self.read_line(number, line)
            self.blank_before = False
        self.finish()
        return self.issue

    def read_line(self, number: int, line: str) -> None:
        heading = self.heading_of(line)
        if heading is not None:
            self.close_entry()
            self.section = heading
            self.placed(number)
            return
        credit = _CREDIT.match(line)
        if credit:
            names = self.text_value(credit["names"])
            self.issue.credited_names = [n for n in re.split(r"[\s、，,]+", names) if n]
            self.placed(number)
            return
        if self.section == "header":
            self.header.append((number, line))
            self.placed(number)
        elif self.section == "about":
            if self.blank_before and self.intro[-1]:
                self.intro.append([])
            self.intro[-1].append(line)
            self.placed(number)
        elif self.section in (PAPERS, NEWS):
            self.read_entry_line(number, line)
        elif self.section == "errata":
            # Our own export lists its corrections; they stay with the issue they were made on.
            self.placed(number)

    def heading_of(self, line: str) -> str | None:
        if self.markdown and not line.startswith("#"):
            return None
        if line.startswith("###"):
            return None
        key = _key(line)
        for name, keys in _HEADINGS.items():
            if key in keys:
                return name
        return None

    def placed(self, number: int) -> None:
        self.last_placed = number

    def start_entry(self, number: int, title: str) -> None:
        self.close_entry()
        self.entry = ParsedEntry(section=self.section, line=number)
        self.issue.entries.append(self.entry)
        self.field, self.waiting = "title", not title
        if title:
            self.set_title(title, number)
        self.placed(number)

    def read_entry_line(self, number: int, line: str) -> None:
        if self.markdown and line.startswith("###"):
            self.start_entry(number, line.lstrip("#").strip())
            return
        label = _LABEL.match(line)
        if label and LABELS[label["label"]] == "title":
            self.start_entry(number, label["value"].strip())
            return
        starts_news = self.section == NEWS and not self.markdown and not label
        if starts_news and not _URL.match(line) and (self.entry is None or self.entry.url):
            self.start_entry(number, line)
            return
        if self.entry is None:
            self.unplaced.append((number, line))
            return
        if label:
            self.field = LABELS[label["label"]]
            value = label["value"].strip()
            if getattr(self.entry, self.field) and self.field != "summary":
                self.issue.doubts.append(
                    Doubt(number, gettext("A second %(label)s line in one entry.") % label, line)
                )
                self.waiting = False
                return
            self.waiting = not value
            if value:
                self.set_field(value, number)
            self.placed(number)
            return
        if self.section == NEWS and _URL.match(line) and not self.entry.url:
            self.field = "url"
            self.set_field(line, number)
            self.placed(number)
            return
        if self.waiting:
            self.waiting = False
            self.set_field(line, number)
            self.placed(number)
            return
        if self.field == "summary" or (self.section == NEWS and not self.entry.url):
            self.field = "summary"
            self.set_field(line, number, paragraph=self.blank_before)
            self.placed(number)
            return
        self.unplaced.append((number, line))

    def set_field(self, value: str, number: int, *, paragraph: bool = False) -> None:
        entry = self.entry
        if entry is None:
            return
        if self.field == "title":
            self.set_title(value, number)
        elif self.field == "summary":
            value = value.replace("&lt;", "<") if self.markdown else value
            if entry.summary:
                entry.summary += ("\n\n" if paragraph else "\n") + value
            else:
                entry.summary = value
        elif self.field in ("code_url", "url"):
            setattr(entry, self.field, _link(value))
        else:
            setattr(entry, self.field, self.text_value(value))

    def set_title(self, value: str, number: int) -> None:
        entry = self.entry
        if entry is None:
            return
        if entry.is_news:
            entry.title = self.text_value(value)
            return
        institutions, title = _split_institutions(value, markdown=self.markdown)
        if institutions:
            names = [n for n in _LIST_SEPARATORS.split(self.text_value(institutions)) if n]
            if names and names[-1].endswith("等"):
                names[-1] = names[-1][:-1].strip()
                entry.institutions_more = True
            entry.institutions = [n for n in names if n]
        english, chinese, closed = _split_titles(self.text_value(title))
        entry.title, entry.title_zh = english, chinese
        if chinese and not closed:
            self.issue.notes.append(
                Doubt(
                    number,
                    gettext("The Chinese title has no closing bracket; it runs to the line's end."),
                    value,
                )
            )

    def close_entry(self) -> None:
        self.entry, self.field, self.waiting = None, "", False

    def finish(self) -> None:
        issue = self.issue
        self.read_header()
        paragraphs = ["\n".join(p) for p in self.intro if p]
        issue.intro_zh = "\n\n".join(p for p in paragraphs if _CJK.search(p))
        issue.intro_en = "\n\n".join(p for p in paragraphs if not _CJK.search(p))
        if self.markdown:
            issue.intro_zh, issue.intro_en = _unescape(issue.intro_zh), _unescape(issue.intro_en)
        # What follows the last line placed is the platform's page, not the issue's.
        for number, text in self.unplaced:
            if number > self.last_placed and issue.entries:
                issue.dropped.append((number, text))
            else:
                issue.doubts.append(
                    Doubt(number, gettext("This line could not be placed; it is left out."), text)
                )
        issue.dropped.sort()
        for entry in issue.entries:
            self.check_entry(entry)
        self.read_subjects()

    def read_header(self) -> None:
        issue = self.issue
        rest = []
        for number, line in self.header:
            found = _NUMBER.search(line)
            if found and issue.number is None:
                issue.number = int(found[1])
            date = _DATE.search(line)
            if date and issue.date is None:
                try:
                    issue.date = dt.date(int(date[1]), int(date[2]), int(date[3]))
                except ValueError:
                    issue.doubts.append(Doubt(number, gettext("This date does not exist."), line))
            if self.markdown and line.startswith("# ") and not issue.title:
                issue.title = self.text_value(line[2:])
                continue
            rest.append(line)
        if not self.markdown and rest and not issue.title:
            issue.title = self.text_value(rest.pop(0))
        if rest:
            name = re.split(r"\s*·\s*", rest[0])[0]
            issue.publication_name = self.text_value(name)

    def check_entry(self, entry: ParsedEntry) -> None:
        doubts = self.issue.doubts
        if not entry.title:
            doubts.append(Doubt(entry.line, gettext("This entry has no title.")))
        if not entry.url:
            doubts.append(Doubt(entry.line, gettext("This entry has no link."), entry.title))
            return
        for name in ("url", "code_url"):
            link = getattr(entry, name)
            if link and not re.match(r"https?://", link, re.IGNORECASE):
                doubts.append(
                    Doubt(entry.line, gettext("This is no web address; it is left out."), link)
                )
                setattr(entry, name, "")
        if entry.is_news or not entry.url:
            return
        try:
            entry.identifier = parse_identifier(entry.url)
        except InvalidIdentifier:
            doubts.append(
                Doubt(
                    entry.line,
                    gettext(
                        "This link names no paper the catalogue can read; it is kept as the "
                        "entry's link, and the entry has no paper."
                    ),
                    entry.url,
                )
            )

    def read_subjects(self) -> None:
        issue = self.issue
        found = _INTRO_COUNTS.search(issue.intro_zh)
        if not found:
            return
        papers = issue.papers
        if int(found["papers"]) != len(papers):
            issue.doubts.append(
                Doubt(
                    0,
                    gettext("The intro counts %(counted)s papers; the text holds %(found)s.")
                    % {"counted": found["papers"], "found": len(papers)},
                )
            )
        subjects = [s for s in _LIST_SEPARATORS.split(found["subjects"].strip()) if s]
        if len(subjects) + 1 == len(papers) and subjects and "和" in subjects[-1]:
            head, _and, tail = subjects[-1].rpartition("和")
            subjects[-1:] = [head, tail]
        issue.subjects = [s.removesuffix("等").strip() for s in subjects]
        if len(issue.subjects) == len(papers):
            for entry, subject in zip(papers, issue.subjects, strict=True):
                entry.subject_zh = subject[:60]
        else:
            issue.notes.append(
                Doubt(
                    0,
                    gettext(
                        "The intro lists %(subjects)s subjects for %(papers)s papers; no paper "
                        "takes one."
                    )
                    % {"subjects": len(issue.subjects), "papers": len(papers)},
                )
            )


def _split_institutions(value: str, *, markdown: bool) -> tuple[str, str]:
    """``institutions | title`` cut at its first bar (an escaped ``\\|`` of the Markdown export
    is the title's own)."""
    found = re.search(r"(?<!\\)\|" if markdown else r"[|｜]", value)
    if not found:
        return "", value
    return value[: found.start()].strip(), value[found.end() :].strip()


def _split_titles(value: str) -> tuple[str, str, bool]:
    """The English title, the Chinese title in the brackets after it, and whether those
    brackets were closed. The Chinese title is the first bracketed part holding Chinese that
    runs to the end (brackets inside it pair up); a bracket left open runs to the line's end.
    One pass over the brackets, whatever their number."""
    first_cjk = _CJK.search(value)
    if first_cjk is None:
        return value.strip(), "", True
    closing: dict[int, int] = {}
    opened: list[int] = []
    for position, char in enumerate(value):
        if char in _OPEN:
            opened.append(position)
        elif char in _CLOSE and opened:
            closing[opened.pop()] = position
    last = len(value.rstrip()) - 1
    for start in sorted(p for p in closing.keys() | set(opened) if 0 < p < first_cjk.start()):
        end = closing.get(start)
        if end is None:
            return value[:start].strip(), value[start + 1 :].strip(), False
        if end == last and end > first_cjk.start():
            return value[:start].strip(), value[start + 1 : end].strip(), True
    return value.strip(), "", True


def parse_issue(text: str) -> ParsedIssue:
    """What ``text`` says of its issue (see the module's docstring). Never raises on content:
    what it cannot read is in the result's ``doubts``."""
    return _Reader(text[:MAX_TEXT_LENGTH]).read()
