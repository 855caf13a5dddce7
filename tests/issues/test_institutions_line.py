"""The institutions line of an entry as the seed writes it: short forms in the reader's language,
joined by 、 (or commas), 等 (or "et al.") after the publication's first N; frozen in both
languages at publication, and the same in the exports."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from issues.exports import issue_html, issue_markdown
from issues.models import Issue, IssueEntry
from issues.selectors import issue_contents
from issues.services import create_issue, publish_issue, schedule_recommendation
from issues.templatetags.reader import styled_institutions
from papers.models import InstitutionGlossaryEntry
from publications.models import Publication, PublicationStyle
from publications.services import set_publication_style
from recommendations.enums import RecommendationStatus
from tests.factories import PaperFactory, RecommendationFactory
from tests.languages import in_chinese

pytestmark = pytest.mark.django_db

INSTITUTIONS = ["Stanford University", "Korea University", "Lab of Nowhere", "Tsinghua University"]


def _draft(publication: Publication, editor: Any, **rec: Any) -> Issue:
    issue = create_issue(publication, by=editor, title="Retrieval")
    values = {
        "status": RecommendationStatus.ACCEPTED,
        "decided_at": timezone.now(),
        "paper": PaperFactory(title="Phrase Retrieval", institutions=INSTITUTIONS),
        **rec,
    }
    recommendation = RecommendationFactory(publication=publication, **values)
    schedule_recommendation(recommendation, issue=issue, by=editor)
    return issue


def _line(content: Any, style: Any, language: str) -> str:
    with translation.override(language):
        return styled_institutions(content, style)


def test_live_entry_names_institutions_in_both_languages(publication: Any, editor: Any) -> None:
    [content] = issue_contents(_draft(publication, editor))
    assert content.institutions == ["斯坦福", "高丽大学", "Lab of Nowhere", "清华"]
    assert list(content.institutions_en) == [
        "Stanford",
        "Korea University",
        "Lab of Nowhere",
        "Tsinghua",
    ]


def test_institutions_line_in_both_languages_with_et_al_after_the_style_s_n(
    publication: Any, editor: Any
) -> None:
    [content] = issue_contents(_draft(publication, editor))
    style = PublicationStyle(publication=publication, institutions_shown=2)
    assert _line(content, style, "zh-hans") == "斯坦福、高丽大学等"
    assert _line(content, style, "en") == "Stanford, Korea University et al."
    everything = PublicationStyle(publication=publication, institutions_shown=4)
    assert _line(content, everything, "zh-hans") == "斯坦福、高丽大学、Lab of Nowhere、清华"
    # Without a style (a topic's cards mix publications): the first three.
    assert _line(content, None, "en") == "Stanford, Korea University, Lab of Nowhere et al."


def test_typed_institutions_resolve_through_the_glossary(publication: Any, editor: Any) -> None:
    issue = _draft(
        publication, editor, shown_institutions="斯坦福\nMIT\n某实验室 | Some Lab\nOdd Place"
    )
    [content] = issue_contents(issue)
    assert content.institution_pairs == [
        ("斯坦福", "Stanford"),
        ("麻省理工", "MIT"),
        ("某实验室", "Some Lab"),
        ("Odd Place", "Odd Place"),
    ]


def test_issue_page_shows_the_line_in_the_reader_s_language(
    client: Client, publication: Any, editor: Any
) -> None:
    set_publication_style(publication, by=editor, institutions_shown=3)
    issue = publish_issue(_draft(publication, editor), by=editor)
    english = client.get(issue.get_absolute_url()).content.decode()
    assert (
        '<p class="institutions">Stanford, Korea University, Lab of Nowhere et al.</p>' in english
    )
    chinese = client.get(in_chinese(issue.get_absolute_url())).content.decode()
    assert '<p class="institutions">斯坦福、高丽大学、Lab of Nowhere等</p>' in chinese


def test_published_copy_is_frozen_in_both_languages(
    client: Client, publication: Any, editor: Any
) -> None:
    issue = publish_issue(_draft(publication, editor), by=editor)
    entry = IssueEntry.objects.get(issue=issue)
    assert entry.shown_institutions == (
        "斯坦福 | Stanford\n高丽大学 | Korea University\nLab of Nowhere\n清华 | Tsinghua"
    )
    # The glossary changes later: what was published stays as it was.
    InstitutionGlossaryEntry.objects.filter(short_zh="斯坦福").update(short_zh="斯坦福大学")
    [content] = issue_contents(Issue.objects.get(pk=issue.pk))
    assert content.institutions[0] == "斯坦福"
    assert content.institutions_en[0] == "Stanford"


def test_published_copy_frozen_before_both_languages_reads_as_one_name(
    client: Client, publication: Any, editor: Any
) -> None:
    issue = publish_issue(_draft(publication, editor), by=editor)
    IssueEntry.objects.filter(issue=issue).update(
        shown_institutions="Stanford University\nKorea University"
    )
    [content] = issue_contents(Issue.objects.get(pk=issue.pk))
    assert content.institution_pairs == [
        ("Stanford University", "Stanford University"),
        ("Korea University", "Korea University"),
    ]
    page = client.get(in_chinese(issue.get_absolute_url())).content.decode()
    assert '<p class="institutions">Stanford University、Korea University</p>' in page


def test_exports_write_the_chinese_line_with_deng_after_n(publication: Any, editor: Any) -> None:
    set_publication_style(publication, by=editor, institutions_shown=2)
    issue = publish_issue(_draft(publication, editor), by=editor)
    contents = issue_contents(issue)
    assert "### 斯坦福、高丽大学等 | Phrase Retrieval" in issue_markdown(issue, contents)
    assert "斯坦福、高丽大学等 | Phrase Retrieval" in issue_html(issue, contents)


def _cut_short(issue: Issue, institutions: str = "斯坦福 | Stanford\n某实验室") -> None:
    """The entry as a past issue's text imported it: its list ended with 等."""
    IssueEntry.objects.filter(issue=issue).update(
        shown_institutions=institutions, shown_institutions_more=True
    )


def test_a_list_cut_short_ends_with_et_al_however_few(
    client: Client, publication: Any, editor: Any
) -> None:
    set_publication_style(publication, by=editor, institutions_shown=3)
    issue = publish_issue(_draft(publication, editor), by=editor)
    _cut_short(issue)
    [content] = issue_contents(Issue.objects.get(pk=issue.pk))

    assert content.institutions_more
    style = PublicationStyle(publication=publication, institutions_shown=3)
    assert _line(content, style, "zh-hans") == "斯坦福、某实验室等"
    assert _line(content, style, "en") == "Stanford, 某实验室 et al."
    # The style's N cuts further, with one 等.
    short = PublicationStyle(publication=publication, institutions_shown=1)
    assert _line(content, short, "zh-hans") == "斯坦福等"
    with translation.override("zh-hans"):
        page = client.get(issue.get_absolute_url()).content.decode()
    assert '<p class="institutions">斯坦福、某实验室等</p>' in page
    with translation.override("en"):
        page = client.get(issue.get_absolute_url()).content.decode()
    assert '<p class="institutions">Stanford, 某实验室 et al.</p>' in page


def test_exports_and_api_carry_a_list_cut_short(
    client: Client, publication: Any, editor: Any
) -> None:
    issue = publish_issue(_draft(publication, editor), by=editor)
    _cut_short(issue)
    issue = Issue.objects.get(pk=issue.pk)
    contents = issue_contents(issue)

    assert "### 斯坦福、某实验室等 | Phrase Retrieval" in issue_markdown(issue, contents)
    assert "斯坦福、某实验室等 | Phrase Retrieval" in issue_html(issue, contents)
    url = f"/api/v1/publications/{publication.slug}/issues/{issue.number}/"
    [entry] = client.get(url).json()["entries"]
    assert (entry["institutions"], entry["institutions_more"]) == (["斯坦福", "某实验室"], True)


def test_a_whole_list_has_no_et_al(client: Client, publication: Any, editor: Any) -> None:
    issue = publish_issue(_draft(publication, editor), by=editor)
    IssueEntry.objects.filter(issue=issue).update(shown_institutions="斯坦福 | Stanford")
    url = f"/api/v1/publications/{publication.slug}/issues/{issue.number}/"
    [entry] = client.get(url).json()["entries"]
    assert entry["institutions_more"] is False
    [content] = issue_contents(Issue.objects.get(pk=issue.pk))
    assert _line(content, None, "zh-hans") == "斯坦福"
