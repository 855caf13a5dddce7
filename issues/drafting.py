"""Drafts of an issue's texts from its entries, in the digest's usual form.

Pure functions over what the entries show; ``issues.services.assemble_issue`` stores the result,
and editors change any of it afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from issues.selectors import EntryContent
from publications import style as house
from publications.models import PublicationStyle

# The defaults' texts, for those who read them here.
INVITATION_ZH = house.INVITATION_ZH
INVITATION_EN = house.INVITATION_EN


@dataclass(frozen=True)
class IssueTexts:
    title: str
    intro_zh: str
    intro_en: str
    credits: str


def _by_topic(papers: Sequence[EntryContent]) -> list[EntryContent]:
    """The papers grouped by topic, the topics in the order they first come, each paper in its
    order within its topic; papers without a topic last."""
    groups: dict[Any, list[EntryContent]] = {}
    for content in papers:
        groups.setdefault(content.topic, []).append(content)
    return [c for topic, group in groups.items() if topic is not None for c in group] + groups.get(
        None, []
    )


def _subjects(papers: Sequence[EntryContent], language: str) -> list[str]:
    """The papers' subject phrases in one language, grouped by topic, each once."""
    field = "subject_zh" if language == "zh" else "subject_en"
    return list(dict.fromkeys(getattr(c, field) for c in _by_topic(papers) if getattr(c, field)))


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _intro(template: str, invitation: str, values: dict[str, str]) -> str:
    if not template:
        return ""
    body = house.render(template, values).strip()
    return "\n\n".join(part for part in (body, invitation.strip()) if part)


def draft_texts(
    contents: Sequence[EntryContent], style: PublicationStyle | None = None
) -> IssueTexts:
    """The headline, the Chinese and English intros and the credit line for these entries, in
    the publication's ``style`` (its intro templates and standing invitation; the defaults when
    None).

    The intro names what the papers are about: their subject phrases, grouped by topic, as the
    digest's editors write them (短语检索、网络结构、…); the topics when no entry has one. An
    empty intro template drafts no intro in that language.
    """
    style = style or PublicationStyle()
    papers = [c for c in contents if not c.is_news]
    news = [c for c in contents if c.is_news]
    topics = list(dict.fromkeys(c.topic for c in papers if c.topic is not None))
    subjects_zh = _subjects(papers, "zh") or [t.name_zh or t.name_en for t in topics]
    subjects_en = _subjects(papers, "en") or [t.name_en.lower() for t in topics]
    news_zh = [c.subject_zh or c.title for c in news]
    news_en = [c.subject_en or c.title for c in news]
    titles = [c.title for c in news]

    # The headline names the lead items the editor picked, else the first of each section.
    picked = [c for c in papers + news if c.entry is not None and c.entry.is_lead]
    leads = [c.title_zh or c.title for c in (picked or papers[:1] + news[:1])]
    title = "、".join(leads)[:300]

    common = {
        "papers": str(len(papers)),
        "papers_word": _plural(len(papers), "paper"),
        "news": str(len(news)) if news else "",
        "news_word": _plural(len(news), "item"),
    }
    last = style.last_joiner_zh or "、"
    values_zh = common | {
        "subjects": house.join_zh(subjects_zh, last),
        "news_titles": "、".join(titles),
        "news_subjects": house.join_zh(news_zh, last),
    }
    values_en = common | {
        "subjects": house.join_en(subjects_en),
        "news_titles": house.join_en(titles),
        "news_subjects": house.join_en(news_en),
    }
    contributors = list(
        dict.fromkeys(member.public_name for c in papers + news for member in c.contributors)
    )
    return IssueTexts(
        title=title,
        intro_zh=_intro(style.intro_template_zh, style.invitation_zh, values_zh),
        intro_en=_intro(style.intro_template_en, style.invitation_en, values_en),
        credits=" ".join(contributors)[:1000],
    )
