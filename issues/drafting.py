"""Drafts of an issue's texts from its entries, in the digest's usual form.

Pure functions over what the entries show; ``issues.services.assemble_issue`` stores the result,
and editors change any of it afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from issues.selectors import EntryContent

INVITATION_ZH = "周刊由社区协作完成，欢迎在站内推荐你读过的好论文，一起推动社区的分享与交流。"
INVITATION_EN = (
    "The digest is written by its community: recommend a paper you have read and liked, "
    "and share it with everyone."
)


@dataclass(frozen=True)
class IssueTexts:
    title: str
    intro_zh: str
    intro_en: str
    credits: str


def _join_en(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


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


def draft_texts(contents: Sequence[EntryContent]) -> IssueTexts:
    """The headline, the Chinese and English intros and the credit line for these entries.

    The intro names what the papers are about: their subject phrases, grouped by topic, as the
    digest's editors write them (短语检索、网络结构、…); the topics when no entry has one.
    """
    papers = [c for c in contents if not c.is_news]
    news = [c for c in contents if c.is_news]
    topics = list(dict.fromkeys(c.topic for c in papers if c.topic is not None))
    subjects_zh = _subjects(papers, "zh") or [t.name_zh or t.name_en for t in topics]
    subjects_en = _subjects(papers, "en") or [t.name_en.lower() for t in topics]

    # The headline names the lead items the editor picked, else the first of each section.
    picked = [c for c in papers + news if c.entry is not None and c.entry.is_lead]
    leads = [c.title_zh or c.title for c in (picked or papers[:1] + news[:1])]
    title = "、".join(leads)[:300]

    zh = [f"本期周刊，我们选择了{len(papers)}篇论文"]
    en = [f"This issue picks {len(papers)} paper{'s' if len(papers) != 1 else ''}"]
    if subjects_zh:
        zh.append("，涉及" + "、".join(subjects_zh))
    if subjects_en:
        en.append(", on " + _join_en(subjects_en))
    zh.append("。")
    en.append(".")
    if news:
        zh.append(
            f"此外，在研究动态方面，我们选择了{len(news)}条资讯，介绍"
            + "、".join(c.title for c in news)
            + "。"
        )
        en.append(
            f" In research news we picked {len(news)} item{'s' if len(news) != 1 else ''}: "
            + _join_en([c.title for c in news])
            + "."
        )
    contributors = list(
        dict.fromkeys(member.public_name for c in papers + news for member in c.contributors)
    )
    return IssueTexts(
        title=title,
        intro_zh="".join(zh) + "\n\n" + INVITATION_ZH,
        intro_en="".join(en) + "\n\n" + INVITATION_EN,
        credits=" ".join(contributors)[:1000],
    )
