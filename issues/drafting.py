"""Drafts of an issue's texts from its entries, in the digest's usual form.

Pure functions over what the entries show; ``issues.services.assemble_issue`` stores the result,
and editors change any of it afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def draft_texts(contents: Sequence[EntryContent]) -> IssueTexts:
    """The headline, the Chinese and English intros and the credit line for these entries."""
    papers = [c for c in contents if not c.is_news]
    news = [c for c in contents if c.is_news]
    topics = list(dict.fromkeys(c.topic for c in papers if c.topic is not None))

    # The headline names the lead items: the first paper and the first news item.
    leads = [c.title_zh or c.title for c in (papers[:1] + news[:1])]
    title = "、".join(leads)[:300]

    zh = [f"本期周刊，我们选择了{len(papers)}篇论文"]
    en = [f"This issue picks {len(papers)} paper{'s' if len(papers) != 1 else ''}"]
    if topics:
        zh.append("，涉及" + "、".join(t.name_zh or t.name_en for t in topics))
        en.append(", on " + _join_en([t.name_en.lower() for t in topics]))
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
    contributors = list(dict.fromkeys(c.contributor.public_name for c in papers + news))
    return IssueTexts(
        title=title,
        intro_zh="".join(zh) + "\n\n" + INVITATION_ZH,
        intro_en="".join(en) + "\n\n" + INVITATION_EN,
        credits=" ".join(contributors)[:1000],
    )
