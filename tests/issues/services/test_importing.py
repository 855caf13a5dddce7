"""Tests of issues.services.importing: a past issue imported from its published text (the real
example where it lies, and variants written here), once however often it is imported, all or
nothing, and the names it credits claimed by members and confirmed by editors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError

from common.exceptions import InvalidInput, InvalidTransition, NotAllowed
from issues import exports, selectors, services, statistics
from issues.enums import IssueAction, IssueStatus, Section
from issues.models import CreditedName, Issue, IssueEntry, IssueTransition
from papers.models import InstitutionGlossaryEntry, Paper
from publications.models import Publication, Topic
from tests.examples import EXAMPLE, needs_example
from tests.factories import PublicationFactory, UserFactory

pytestmark = pytest.mark.django_db

DATE = dt.date(2021, 10, 24)

#: A small issue written here in the digest's plain-text layout.
VARIANT = """第二期的标题

某某周刊

关于周刊

本期周刊，我们选择了2篇论文，涉及检索和生成。

（本期贡献者：甲乙 丙丁）

论文推荐

标题：示例大学 | A Made-up Paper on Retrieval（虚构的检索论文）
作者：Ada Lovelace, Alan Turing
简介：一段虚构的简介。
论文地址：https://arxiv.org/abs/2109.08133

标题：另一所大学 | Another Made-up Paper（另一篇虚构论文）
作者：Grace Hopper等
简介：另一段虚构的简介。
代码下载：https://github.com/example/code
论文地址：https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c

研究动态

某个虚构的发布
一段虚构的动态。
https://example.org/news/1
"""


def _example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def _import(publication: Publication, text: str, **kwargs: Any) -> services.importing.ImportOutcome:
    kwargs.setdefault("number", 7)
    kwargs.setdefault("date", DATE)
    return services.import_issue_text(publication, text, **kwargs)


@needs_example
def test_import_example_makes_a_published_issue_of_14_entries(publication: Publication) -> None:
    outcome = _import(publication, _example(), source="000_27ed92895d22b51c.txt")

    issue = Issue.objects.get(pk=outcome.issue.pk)
    assert outcome.created
    assert (issue.status, issue.number, issue.published_at.date()) == (
        IssueStatus.PUBLISHED,
        7,
        DATE,
    )
    assert issue.is_imported
    assert issue.source == "000_27ed92895d22b51c.txt"
    assert issue.credits == "申德周 翟珂 吴新刚"
    names = sorted(c.name for c in issue.credited_names.all())
    assert names == sorted(["申德周", "翟珂", "吴新刚"])
    entries = list(issue.entries.order_by("position"))
    assert len(entries) == 14
    assert all(e.recommendation_id is None and e.section == Section.PAPERS for e in entries)
    first = entries[0]
    assert first.shown_title == "Phrase Retrieval Learns Passage Retrieval, Too"
    assert first.shown_title_zh == "短语检索也学习段落检索"
    assert first.shown_authors == "Jinhyuk Lee, Danqi Chen"
    assert first.shown_code_url == "https://github.com/princeton-nlp/DensePhrases"
    assert first.paper.aminer_id == "614407b25244ab9dcbd29c5c"
    assert first.subject_zh == "短语检索"
    # The one malformed AMiner link: kept as the entry's link, no paper guessed.
    malformed = entries[10]
    assert malformed.paper is None
    assert malformed.shown_url == "https://www.aminer.cn/pub/616d31ee6750f82ddab676a?f=cs"
    assert [d.text for d in outcome.plan.doubts] == [malformed.shown_url]
    assert Paper.objects.count() == 13
    assert IssueTransition.objects.filter(issue=issue).get().action == IssueAction.IMPORT


@needs_example
def test_import_example_names_institutions_through_the_glossary(publication: Publication) -> None:
    InstitutionGlossaryEntry.objects.update_or_create(
        name="Korea University", defaults={"short_zh": "高丽大学", "short_en": "Korea Univ."}
    )
    issue = _import(publication, _example()).issue

    first = issue.entries.get(position=1)
    content = selectors.issue_contents(issue)[0]
    assert content.institution_pairs[1] == ("高丽大学", "Korea Univ.")
    assert first.shown_institutions.splitlines()[1] == "高丽大学 | Korea Univ."


@needs_example
def test_import_example_keeps_the_chinese_as_typed_and_the_english_of_the_glossary(
    publication: Publication,
) -> None:
    InstitutionGlossaryEntry.objects.update_or_create(
        name="Peking University",
        defaults={"short_zh": "北大", "short_en": "PKU", "aliases": ["北京大学"]},
    )
    issue = _import(publication, _example()).issue

    content = selectors.issue_contents(issue)[6]
    # The text's 北京大学, not the glossary's 北大; in English the name the glossary gives it.
    assert content.institution_pairs[0] == ("北京大学", "Peking University")
    markdown = exports.issue_markdown(issue, selectors.issue_contents(issue))
    assert "### 北京大学、教育部、阿里巴巴 | Raise a Child" in markdown
    assert "北大" not in markdown


def test_import_keeps_short_forms_and_unknown_names_as_typed(publication: Publication) -> None:
    InstitutionGlossaryEntry.objects.update_or_create(
        name="Stanford University",
        defaults={"short_zh": "斯坦福", "short_en": "Stanford", "aliases": ["斯坦福大学"]},
    )
    text = VARIANT.replace("示例大学 |", "斯坦福大学、斯坦福、Stanford Univ.、示例大学 |")
    issue = _import(publication, text).issue

    content = selectors.issue_contents(issue)[0]
    assert content.institution_pairs == [
        ("斯坦福大学", "Stanford University"),
        ("斯坦福", "Stanford"),
        ("Stanford Univ.", "Stanford University"),
        ("示例大学", "示例大学"),
    ]


@needs_example
def test_import_example_shows_the_same_entries_on_page_and_in_markdown(
    publication: Publication,
) -> None:
    issue = _import(publication, _example()).issue
    contents = selectors.issue_contents(issue)
    markdown = exports.issue_markdown(issue, contents)

    assert len(contents) == 14
    assert markdown.count("论文地址：") == 14
    assert "（本期贡献者：申德周 翟珂 吴新刚）" in markdown
    for content in contents:
        assert exports.md_text(content.title) in markdown
        assert exports.md_text(content.title_zh) in markdown
        assert exports.md_text(content.authors[0]) in markdown
        assert content.url in markdown


@needs_example
def test_import_same_text_twice_changes_nothing(publication: Publication) -> None:
    first = _import(publication, _example())
    before = (Issue.objects.count(), IssueEntry.objects.count(), Paper.objects.count())

    again = _import(publication, _example().replace("\n", "\r\n") + "\n\n", number=None)

    assert not again.created
    assert again.issue.pk == first.issue.pk
    assert (Issue.objects.count(), IssueEntry.objects.count(), Paper.objects.count()) == before
    assert CreditedName.objects.count() == 3


@needs_example
def test_import_refuses_a_taken_number_and_writes_nothing(publication: Publication) -> None:
    _import(publication, VARIANT)
    before = (Issue.objects.count(), IssueEntry.objects.count(), Paper.objects.count())

    with pytest.raises(InvalidInput, match="exists already"):
        _import(publication, _example())

    assert (Issue.objects.count(), IssueEntry.objects.count(), Paper.objects.count()) == before


@needs_example
def test_import_without_number_or_date_is_refused(publication: Publication) -> None:
    with pytest.raises(InvalidInput, match="no issue number") as refused:
        services.import_issue_text(publication, _example())
    assert "no date" in str(refused.value)
    assert not Issue.objects.exists()


@needs_example
def test_import_failing_midway_leaves_nothing(
    publication: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise IntegrityError("the database refused")

    monkeypatch.setattr(IssueEntry.objects, "bulk_create", fail)
    with pytest.raises(Exception, match="made meanwhile"):
        _import(publication, _example())

    assert not Issue.objects.exists()
    assert not Paper.objects.exists()
    assert not CreditedName.objects.exists()


def test_import_variant_gives_subjects_topics_news(publication: Publication) -> None:
    topic = Topic.objects.create(
        publication=publication, slug="retrieval", name_en="Retrieval", name_zh="检索"
    )
    issue = _import(publication, VARIANT).issue

    papers = list(issue.entries.filter(section=Section.PAPERS).order_by("position"))
    assert [(e.subject_zh, e.topic) for e in papers] == [("检索", topic), ("生成", None)]
    assert papers[0].paper.arxiv_id == "2109.08133"
    news = issue.entries.get(section=Section.NEWS)
    assert (news.shown_title, news.shown_summary, news.shown_url) == (
        "某个虚构的发布",
        "一段虚构的动态。",
        "https://example.org/news/1",
    )
    assert list(selectors.published_entries_in_topic(topic)) == [papers[0]]


def test_import_keeps_hostile_text_as_text(publication: Publication) -> None:
    hostile = VARIANT.replace("一段虚构的简介。", "<script>alert(1)</script>").replace(
        "https://arxiv.org/abs/2109.08133", "javascript:alert(1)"
    )
    outcome = _import(publication, hostile)

    first = outcome.issue.entries.get(section=Section.PAPERS, position=1)
    assert first.shown_summary == "<script>alert(1)</script>"
    assert first.shown_url == ""
    assert first.paper is None
    assert any(d.text == "javascript:alert(1)" for d in outcome.plan.doubts)


def test_import_issue_needs_an_editor(publication: Publication, contributor: Any) -> None:
    with pytest.raises(NotAllowed):
        services.import_issue(publication, VARIANT, by=contributor, number=2, date=DATE)
    assert not Issue.objects.exists()


def test_import_issue_by_editor_records_them(publication: Publication, editor: Any) -> None:
    issue = services.import_issue(publication, VARIANT, by=editor, number=2, date=DATE).issue
    assert issue.created_by == editor
    assert issue.source == "pasted text"
    assert IssueTransition.objects.get(issue=issue).actor == editor


# ================================================================ credited names


def test_claimed_and_confirmed_name_counts_past_entries(
    publication: Publication, contributor: Any, editor: Any
) -> None:
    issue = _import(publication, VARIANT).issue
    name = CreditedName.objects.get(name="甲乙")

    services.claim_credited_name(name, by=contributor)
    assert contributor not in [c.member for c in CreditedName.objects.all()]
    services.confirm_credited_name(name, by=editor)

    name.refresh_from_db()
    assert (name.member, name.confirmed_by) == (contributor, editor)
    assert set(selectors.published_entries_of_member(contributor)) == set(issue.entries.all())
    assert list(selectors.credited_issues(contributor)) == [issue]
    counts = {c.username: c.count for c in statistics.contributor_counts()}
    assert counts == {contributor.username: 3}
    assert statistics.member_history(contributor).total == 3
    top = statistics.publication_statistics(publication).contributors
    assert [(c.username, c.count) for c in top] == [(contributor.username, 3)]


def test_confirm_needs_an_editor_and_a_claim(
    publication: Publication, contributor: Any, editor: Any
) -> None:
    _import(publication, VARIANT)
    name = CreditedName.objects.get(name="丙丁")
    with pytest.raises(InvalidTransition):
        services.confirm_credited_name(name, by=editor)
    services.claim_credited_name(name, by=contributor)
    with pytest.raises(NotAllowed):
        services.confirm_credited_name(name, by=contributor)
    services.confirm_credited_name(name, by=editor, accept=False)
    name.refresh_from_db()
    assert (name.member, name.claimed_by) == (None, None)


def test_claim_of_a_confirmed_name_is_refused(
    publication: Publication, contributor: Any, editor: Any
) -> None:
    _import(publication, VARIANT)
    name = CreditedName.objects.get(name="甲乙")
    services.claim_credited_name(name, by=contributor)
    services.confirm_credited_name(name, by=editor)
    with pytest.raises(InvalidTransition):
        services.claim_credited_name(name, by=UserFactory())


def test_same_text_in_another_publication_is_another_issue(publication: Publication) -> None:
    _import(publication, VARIANT)
    other = PublicationFactory()
    outcome = _import(other, VARIANT)
    assert outcome.created
    assert Issue.objects.count() == 2
    # One paper however often it is featured.
    assert Paper.objects.count() == 2
