"""Tests of an issue's exports: Markdown, paste-ready HTML and BibTeX, with hostile text."""

from __future__ import annotations

import re
from typing import Any

import bibtexparser
import pytest
from django.test import Client
from django.urls import reverse

from issues import exports, selectors, services
from issues.models import Issue
from publications.models import Publication
from publications.services import set_publication_style
from tests.factories import PaperFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = (
    "Attack <script>alert(1)</script> & {Braces} 100% $x_1$ #1 *bold* [link](javascript:x)"
)
HOSTILE_SUMMARY = (
    'Read <img src=x onerror="alert(1)"> this. [Click](javascript:alert(1)) **Good** paper.'
)


def _publish(
    publication: Publication, editor: Any, papers: list[Any], **issue_fields: str
) -> Issue:
    issue = services.create_issue(publication, by=editor, **issue_fields)
    for paper, summary in papers:
        recommendation = RecommendationFactory(
            publication=publication, paper=paper, summary=summary, status="accepted"
        )
        services.schedule_recommendation(recommendation, issue=issue, by=editor)
    news = RecommendationFactory(
        publication=publication,
        news=True,
        news_title="Reading <b>group</b>",
        news_url="https://news.example.org/reading",
        summary="Join us.",
        status="accepted",
    )
    services.schedule_recommendation(news, issue=issue, by=editor)
    return services.publish_issue(issue, by=editor)


@pytest.fixture
def hostile_issue(publication: Publication, editor: Any) -> Issue:
    paper = PaperFactory(
        title=HOSTILE_TITLE,
        arxiv_id="2109.08133",
        year=2021,
        primary_category="cs.CL",
        authors=["Łukasz Kaiser", "Jane {Doe}", "Zhang San", "Fourth Author"],
        institutions=["Lab & Co", "Uni <x>"],
        code_url="https://github.com/example/repo",
    )
    plain = PaperFactory(
        title="Kaiser Attention Networks",
        arxiv_id="2109.08134",
        year=2021,
        authors=["Other Kaiser"],
        doi="10.1000/xyz_1",
        journal_ref="ACL 2021",
    )
    return _publish(
        publication,
        editor,
        [(paper, HOSTILE_SUMMARY), (plain, "Plain summary.")],
        title="Issue <one>",
        intro_zh="本期 <script>x</script>",
        credits="Ada Lovelace",
    )


def _contents(issue: Issue) -> list[Any]:
    return selectors.issue_contents(issue)


def test_issue_markdown_has_the_layout_and_no_raw_html(hostile_issue: Issue) -> None:
    text = exports.issue_markdown(hostile_issue, _contents(hostile_issue))

    headings = re.findall(r"^#{1,3} .*$", text, flags=re.MULTILINE)
    assert headings[:4] == ["# Issue &lt;one\\>", "## 关于周刊", "## 论文推荐", headings[3]]
    assert headings[3].startswith("### Lab & Co、Uni &lt;x\\> | Attack &lt;script\\>")
    assert "## 研究动态" in headings
    assert [tag for tag in ("<script>", "<img", "<b>") if tag in text] == []
    assert "\\[link\\](javascript:x)" in text  # the title's link syntax is inert
    assert "作者：Łukasz Kaiser, Jane \\{Doe\\}, Zhang San等" in text
    assert "代码下载：<https://github.com/example/repo>" in text
    assert "论文地址：<https://arxiv.org/abs/2109.08133>" in text
    assert "（本期贡献者：Ada Lovelace）" in text
    assert f"预训练周刊 · 第 {hostile_issue.number} 期" not in text  # factory name, not the demo's
    assert f"第 {hostile_issue.number} 期 · {hostile_issue.published_at:%Y-%m-%d}" in text


def test_issue_html_escapes_titles_and_sanitises_summaries(hostile_issue: Issue) -> None:
    html = exports.issue_html(hostile_issue, _contents(hostile_issue))

    assert "<script" not in html
    assert "onerror" not in html
    assert 'href="javascript' not in html
    assert "Attack &lt;script&gt;alert(1)&lt;/script&gt; &amp; {Braces}" in html
    assert "<strong>Good</strong>" in html  # the summary's Markdown is rendered
    assert "Reading &lt;b&gt;group&lt;/b&gt;" in html
    assert [tag for tag in ("<link", "<style") if tag in html] == []  # inline styles only
    assert 'style="' in html


def test_issue_bibtex_parses_one_entry_per_paper(hostile_issue: Issue) -> None:
    text = exports.issue_bibtex(_contents(hostile_issue))
    library = bibtexparser.parse_string(text)

    assert library.failed_blocks == []
    assert [entry.entry_type for entry in library.entries] == ["misc", "article"]
    first, second = (entry.fields_dict for entry in library.entries)
    assert library.entries[0].key == "kaiser2021attack"
    assert library.entries[1].key == "kaiser2021kaiser"
    assert first["eprint"].value == "2109.08133"
    assert first["archivePrefix"].value == "arXiv"
    assert first["primaryClass"].value == "cs.CL"
    assert (
        first["author"].value == r"Łukasz Kaiser and Jane \{Doe\} and Zhang San and Fourth Author"
    )
    assert first["title"].value.startswith(r"{Attack <script>alert(1)</script> \& \{Braces\} 100\%")
    assert (second["doi"].value, second["journal"].value) == ("10.1000/xyz_1", "ACL 2021")


def test_issue_bibtex_keys_stay_unique(publication: Publication, editor: Any) -> None:
    papers = [
        (PaperFactory(title="Same Title Here", year=2020, authors=["A Smith"]), "s")
        for _ in range(3)
    ]
    issue = _publish(publication, editor, papers)
    keys = [
        e.key for e in bibtexparser.parse_string(exports.issue_bibtex(_contents(issue))).entries
    ]
    assert keys == ["smith2020same", "smith2020samea", "smith2020sameb"]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("md", "text/markdown; charset=utf-8"),
        ("html", "text/html; charset=utf-8"),
        ("bib", "application/x-bibtex; charset=utf-8"),
    ],
)
def test_issue_export_view_serves_each_format(
    client: Client, hostile_issue: Issue, fmt: str, content_type: str
) -> None:
    url = reverse("issues:issue-export", args=["pretraining-weekly", hostile_issue.number, fmt])
    response = client.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, content_type)
    assert "2109.08133" in response.content.decode()


def test_issue_export_view_refuses_drafts_and_unknown_formats(
    client: Client, publication: Publication, editor: Any, hostile_issue: Issue
) -> None:
    services.create_issue(publication, by=editor)
    for number, fmt in ((hostile_issue.number + 1, "md"), (hostile_issue.number, "exe")):
        url = reverse("issues:issue-export", args=["pretraining-weekly", number, fmt])
        assert client.get(url).status_code == 404


def test_issue_page_links_its_exports(client: Client, hostile_issue: Issue) -> None:
    page = client.get(reverse("issues:issue-detail", args=["pretraining-weekly", 1]))
    for fmt in ("md", "html", "bib"):
        assert reverse("issues:issue-export", args=["pretraining-weekly", 1, fmt]) in page.text


def test_issue_markdown_follows_the_publication_style(hostile_issue: Issue, editor: Any) -> None:
    set_publication_style(
        hostile_issue.publication,
        by=editor,
        author_style="first_last",
        authors_shown=2,
        authors_more=" 等",
        link_format="bare",
        sections="papers,about,closing",
        header_template="{publication}",
        heading_papers="论文",
        credit_template="(贡献者:{names})",
        entry_template="标题:{title}\n作者:{authors}\n[[代码:{code_url}]]\n地址:{url}",
        closing="![二维码](https://example.org/qr.png) <b>bye</b>",
    )
    text = exports.issue_markdown(hostile_issue, _contents(hostile_issue))
    lines = text.splitlines()
    assert lines[:4] == [hostile_issue.publication.name_zh, "", "论文", ""]
    assert "作者:Łukasz Kaiser, Fourth Author 等" in lines
    assert "代码:https://github.com/example/repo" in lines
    assert "地址:https://arxiv.org/abs/2109.08133" in lines
    assert lines.index("(贡献者:Ada Lovelace)") > lines.index(
        "地址:https://arxiv.org/abs/2109.08134"
    )
    assert lines[-1] == "![二维码](https://example.org/qr.png) &lt;b>bye&lt;/b>"
    assert "## 研究动态" not in text  # no news section listed
    assert "Reading" not in text
    html = exports.issue_html(hostile_issue, _contents(hostile_issue))
    assert "Łukasz Kaiser, Fourth Author 等" in html
    assert "(贡献者:Ada Lovelace)" in html
    assert '<img alt="二维码" src="https://example.org/qr.png">' in html
    assert "<b>" not in html
    assert "研究动态" not in html


def test_unpublished_entries_link_papers_in_the_style_order(team: Any) -> None:
    paper = PaperFactory(arxiv_id="2109.08135", aminer_id="614407b25244ab9dcbd29c5c")
    recommendation = team.recommendation("accepted", paper=paper)
    services.schedule_recommendation(recommendation, issue=team.issue, by=team.editor)
    assert _contents(team.issue)[0].url == "https://arxiv.org/abs/2109.08135"
    set_publication_style(team.publication, by=team.editor, link_order="aminer,arxiv")
    assert _contents(team.issue)[0].url == "https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c"
    published = services.publish_issue(team.issue, by=team.editor)
    assert published.entries.get().shown_url == (
        "https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c"
    )
