"""Tests of issues.drafting: the headline, intros and credit line drafted from the entries."""

from __future__ import annotations

from typing import Any

import pytest

from issues.drafting import draft_texts
from issues.enums import Section
from issues.selectors import EntryContent
from publications.models import PublicationStyle, Topic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _content(
    title: str, *, topic: Topic | None = None, zh: str = "", en: str = "", news: bool = False
) -> EntryContent:
    return EntryContent(
        entry=None,
        section=Section.NEWS if news else Section.PAPERS,
        title=title,
        title_zh="",
        authors=[],
        institutions=[],
        summary="",
        code_url="",
        url="https://example.org/",
        contributor=UserFactory(display_name=f"Member of {title}"),
        topic=topic,
        subject_zh=zh,
        subject_en=en,
    )


@pytest.fixture
def topics(publication: Any) -> Any:
    retrieval = Topic.objects.create(
        publication=publication, slug="retrieval", name_en="Retrieval", name_zh="检索"
    )
    models = Topic.objects.create(
        publication=publication, slug="models", name_en="Models", name_zh="模型"
    )
    return retrieval, models


def test_the_intro_names_the_subject_phrases_grouped_by_topic(topics: Any) -> None:
    retrieval, models = topics
    texts = draft_texts(
        [
            _content("Phrase retrieval", topic=retrieval, zh="短语检索", en="phrase retrieval"),
            _content("Folded DNN", topic=models, zh="网络结构", en="network structure"),
            _content("Reranking", topic=retrieval, zh="文本排序", en="text ranking"),
            _content("No subject", topic=models),
        ]
    )
    assert texts.intro_zh.startswith(
        "本期周刊，我们选择了4篇论文，涉及短语检索、文本排序、网络结构。"
    )
    assert texts.intro_en.startswith(
        "This issue picks 4 papers, on phrase retrieval, text ranking and network structure."
    )


def test_without_subject_phrases_the_intro_names_the_topics(topics: Any) -> None:
    retrieval, models = topics
    texts = draft_texts([_content("A", topic=retrieval), _content("B", topic=models)])
    assert "涉及检索、模型。" in texts.intro_zh
    assert "on retrieval and models." in texts.intro_en


def test_a_subject_given_twice_is_named_once_and_news_names_no_subject(topics: Any) -> None:
    retrieval, _models = topics
    texts = draft_texts(
        [
            _content("A", topic=retrieval, zh="短语检索", en="phrase retrieval"),
            _content("B", topic=retrieval, zh="短语检索", en="phrase retrieval"),
            _content("C news", news=True, zh="产业分析"),
        ]
    )
    assert "涉及短语检索。" in texts.intro_zh
    assert "产业分析" not in texts.intro_zh


def test_the_intro_follows_the_publication_style(topics: Any) -> None:
    retrieval, _models = topics
    style = PublicationStyle(
        intro_template_zh="共{papers}篇，涉及{subjects}。[[资讯{news}条：{news_subjects}。]]",
        intro_template_en="",
        last_joiner_zh="和",
        invitation_zh="欢迎投稿。",
    )
    texts = draft_texts(
        [
            _content("A", topic=retrieval, zh="短语检索"),
            _content("B", topic=retrieval, zh="文本排序"),
            _content("C", topic=retrieval, zh="网络结构"),
            _content("Funding news", news=True, zh="产业分析"),
            _content("Model news", news=True),
        ],
        style,
    )
    assert texts.intro_zh == (
        "共3篇，涉及短语检索、文本排序和网络结构。资讯2条：产业分析和Model news。\n\n欢迎投稿。"
    )
    assert texts.intro_en == ""
