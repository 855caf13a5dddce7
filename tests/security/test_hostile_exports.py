"""The Markdown and BibTeX exports of an issue, attacked through what they are built from.

The Markdown export is pasted into blog platforms, which render it as it is: it is rendered here
by Python-Markdown, commonmark (commonmark.py) and markdown-it-py, and the HTML must run nothing
(``test_escaping.markup_problems``). The BibTeX export is read by BibTeX, which counts braces
whatever the backslashes: it is parsed here by pybtex in strict mode and by bibtexparser, and
must hold exactly the issue's papers with their fields.
"""

from __future__ import annotations

import html
import re
from typing import Any
from xml.sax.saxutils import escape

import bibtexparser
import httpx
import pybtex.database
import pybtex.errors
import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from issues import exports
from issues.models import Issue
from issues.services import create_issue, publish_issue, schedule_recommendation
from papers.clients.arxiv import ArxivClient
from papers.enums import MetadataSource, MetadataStatus
from papers.models import Paper
from papers.services import fetch_metadata
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation
from recommendations.services import accept_recommendation, enter_paper_metadata
from tests.factories import PaperFactory, RecommendationFactory
from tests.security.test_escaping import markup_problems, render_markdown

pytestmark = pytest.mark.django_db

#: Links that break out of the Markdown export's ``<…>`` and of an HTML attribute.
BREAKOUT_LINKS = [
    'https://github.com/a/b"><script>alert(1)</script>',
    'https://github.com/a/b>"onmouseover="alert(1)',
    "https://example.org/{x}|^`\\",
]
LINK_REFUSAL = (
    "This link holds characters a web address may not contain as they are: "
    "{characters}. Copy the address from the browser's address bar, which encodes them."
)


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("kind", "field"), [("paper", "code_url"), ("news", "news_url")], ids=["code", "news"]
)
@pytest.mark.parametrize("link", BREAKOUT_LINKS, ids=["script", "attribute", "unsafe"])
def test_link_with_breakout_characters_is_refused_alike_by_form_and_api(
    client: Client, publication: Any, contributor: Any, kind: str, field: str, link: str
) -> None:
    body = {"publication": publication.slug, "summary": "A fine item.", field: link}
    if kind == "paper":
        body["identifier"] = "2109.08133"
    else:
        body.update(kind="news", news_title="A workshop")
    characters = " ".join(dict.fromkeys(c for c in link if c in '"<>{}|\\^`'))
    message = LINK_REFUSAL.format(characters=characters)

    api = _api(contributor).post("/api/v1/recommendations/", body, format="json")
    client.force_login(contributor)
    form_url = reverse(
        "recommendations:paper-create" if kind == "paper" else "recommendations:news-create"
    )
    form = client.post(form_url, {**body, "action": "submit"})

    assert api.status_code == 400, api.content
    assert api.json()["error"]["message"] == message
    assert api.json()["error"]["fields"] == {field: [message]}
    assert form.status_code == 200
    assert message in html.unescape(form.content.decode())
    assert not Recommendation.objects.exists()
    assert not Paper.objects.exists()


# --- the Markdown export ------------------------------------------------------------------------


def rendered_problems(text: str) -> list[str]:
    """What would run when the Markdown ``text`` is rendered, renderer by renderer."""
    return [
        f"{renderer}: {problem}"
        for renderer, document in render_markdown(text).items()
        for problem in markup_problems(document)
    ]


def _publish(publication: Publication, editor: Any, recommendations: list[Any]) -> Issue:
    issue = create_issue(publication, by=editor)
    for recommendation in recommendations:
        schedule_recommendation(recommendation, issue=issue, by=editor)
    return publish_issue(issue, by=editor)


def _export(issue: Issue, fmt: str) -> str:
    url = reverse("issues:issue-export", args=[issue.publication.slug, issue.number, fmt])
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


def _line(text: str, prefix: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(prefix))


#: Links stored before the validator refused them, or brought by a metadata source.
STORED_LINKS = {
    "script": (
        'https://github.com/a/b"><script>alert(1)</script>',
        "https://github.com/a/b%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    ),
    "attribute": (
        'https://github.com/a/b>"onmouseover="alert(1)',
        "https://github.com/a/b%3E%22onmouseover=%22alert(1)",
    ),
    # (vbscript: rather than javascript:, which the scanner also finds in the path of a link.)
    "link-in-link": (
        "https://github.com/a/[x](vbscript:msgbox(1))",
        "https://github.com/a/%5Bx%5D(vbscript:msgbox(1))",
    ),
    "blank-and-img": (
        "https://github.com/a/b> <img src=x onerror=alert(1)>",
        "https://github.com/a/b%3E%20%3Cimg%20src=x%20onerror=alert(1)%3E",
    ),
    "code-span": ("https://github.com/a/`<b>`\\", "https://github.com/a/%60%3Cb%3E%60%5C"),
}


@pytest.mark.parametrize(("link", "written"), STORED_LINKS.values(), ids=STORED_LINKS.keys())
def test_markdown_export_writes_stored_links_percent_encoded(
    publication: Publication, editor: Any, link: str, written: str
) -> None:
    paper = PaperFactory(arxiv_id=None, doi="10.1000/" + link.removeprefix("https://"))
    recommendation = RecommendationFactory(
        publication=publication, paper=paper, status=RecommendationStatus.ACCEPTED
    )
    news = RecommendationFactory(
        publication=publication, news=True, status=RecommendationStatus.ACCEPTED
    )
    # As stored before the validator refused such links: the queryset skips it.
    Recommendation.objects.filter(pk=recommendation.pk).update(code_url=link)
    Recommendation.objects.filter(pk=news.pk).update(news_url=link)

    text = _export(_publish(publication, editor, [recommendation, news]), "md")

    assert rendered_problems(text) == []
    assert _line(text, "代码下载：") == f"代码下载：<{written}>"
    assert _line(text, "链接：") == f"链接：<{written}>"
    doi_link = "https://doi.org/10.1000/" + written.removeprefix("https://")
    assert _line(text, "论文地址：") == f"论文地址：<{doi_link}>"
    for renderer, document in render_markdown(text).items():
        assert document.count(f'<a href="{written}">') == 2, renderer
        assert f'<a href="{doi_link}">' in document, renderer


def test_markdown_export_writes_a_stored_link_of_another_scheme_as_text(
    publication: Publication, editor: Any
) -> None:
    news = RecommendationFactory(
        publication=publication, news=True, status=RecommendationStatus.ACCEPTED
    )
    Recommendation.objects.filter(pk=news.pk).update(news_url="javascript:alert(1)//")

    text = _export(_publish(publication, editor, [news]), "md")

    assert rendered_problems(text) == []
    assert _line(text, "链接：") == "链接：javascript:alert(1)//"


#: Summaries whose links the export's first scan let through, each named after its trick (the
#: export writes a summary after "简介：", so a definition at its start would be no definition).
SUMMARY_LINKS = {
    "reference-target-on-next-line": "Read it.\n\n[x]:\n  javascript:alert(1)\n\n[click][x]",
    "escaped-colon": "[click](javascript\\:alert(1))",
    "reference-in-a-list": "Read it.\n\n- [x]: javascript:alert(1)\n\n[click][x]",
    "reference-in-a-quote": "Read it.\n\n> [x]: vbscript:msgbox(1)\n\n[click][x]",
    "reference-label-on-two-lines": "Read it.\n\n[a\nb]: javascript:alert(1)\n\n[click][a b]",
    "target-split-by-a-line-break": "[click](java\nscript:alert(1))",
    "image-escaped-colon": "![x](data\\:text/html;base64,PHNjcmlwdD4=)",
}


@pytest.mark.parametrize("summary", SUMMARY_LINKS.values(), ids=SUMMARY_LINKS.keys())
def test_markdown_export_of_a_summary_link_that_runs_code_goes_nowhere(
    publication: Publication, contributor: Any, editor: Any, summary: str
) -> None:
    PaperFactory(arxiv_id="2109.08133")
    body = {"publication": publication.slug, "identifier": "2109.08133", "summary": summary}
    response = _api(contributor).post("/api/v1/recommendations/", body, format="json")
    assert response.status_code == 201, response.content
    recommendation = Recommendation.objects.get()
    accept_recommendation(recommendation, by=editor)

    text = _export(_publish(publication, editor, [recommendation]), "md")

    assert rendered_problems(text) == []
    targets = {
        renderer: set(re.findall(r'(?:href|src)="([^"]*)"', document))
        for renderer, document in render_markdown(text).items()
    }
    # Where a renderer reads the summary's link, it goes nowhere (to "#…").
    assert all(
        target.startswith("#") or target == "https://arxiv.org/abs/2109.08133"
        for target in set().union(*targets.values())
    ), targets
    assert any(target.startswith("#") for target in targets["commonmark"]), targets
    recommendation.refresh_from_db()
    assert recommendation.summary == summary  # the member's text is kept as written


def _spelled(letter: str) -> st.SearchStrategy[str]:
    """One letter of a scheme as a renderer or a browser would still read it."""
    code = ord(letter)
    return st.sampled_from(
        [letter, letter.upper(), f"&#{code};", f"&#x{code:X};", f"&#0{code};"]
    ).flatmap(
        lambda spelled: st.sampled_from(
            ["", "", "", "\t", "\n", "&Tab;", "&NewLine;", "&#10;"]
        ).map(lambda blank: spelled + blank)
    )


_SCHEMES = {"javascript": "alert(1)", "vbscript": "msgbox(1)", "data": "text/html,<script>x"}
_TARGETS = st.sampled_from(sorted(_SCHEMES)).flatmap(
    lambda scheme: st.tuples(
        st.sampled_from(["", " ", "\n", "\n   ", "&#32;", "&#9;", "&#x20;", "\u00a0"]),
        st.tuples(*(_spelled(letter) for letter in scheme)).map("".join),
        st.sampled_from([":", "\\:", "&colon;", "&#58;", "&#x3a;", "&#x3A;", "&#0058;"]),
        st.just(_SCHEMES[scheme]),
    ).map("".join)
)
_LINK_FORMS = st.sampled_from(
    [
        "[click]({target})",
        "![x]({target})",
        '[click]({target} "title")',
        "[click](<{target}>)",
        "[click][r]\n\n[r]: {target}",
        "[click][r]\n\n[r]:\n{target}",
        "[click][r]\n\n[r]: <{target}>",
        "- [r]: {target}\n\n[click][r]",
        "> [r]: {target}\n\n[click][r]",
        "1. item\n\n   [r]:\n   {target}\n\n[click][r]",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=_LINK_FORMS, target=_TARGETS)
def test_markdown_block_sends_no_link_to_a_scheme_that_runs_code(form: str, target: str) -> None:
    summary = form.replace("{target}", target)
    for text in (exports.md_block(summary), "简介：" + exports.md_block("Read.\n\n" + summary)):
        assert rendered_problems(text) == [], text


# --- the BibTeX export --------------------------------------------------------------------------

#: Closes the title early, adds an entry, and comments out the rest of the export.
ENTRY_INJECTION = "}} @misc(injected, title={Injected}) @comment("


def read_bibtex(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """The entries of ``text`` (key → type and fields) as bibtexparser reads them, checked to be
    what pybtex reads too, in strict mode (where it stops at a syntax error) and in lenient mode
    (where it reads on and may find more entries)."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    entries = {
        entry.key: (entry.entry_type, {field.key: field.value for field in entry.fields})
        for entry in library.entries
    }
    strict = pybtex.errors.strict
    try:
        for mode in (True, False):
            pybtex.errors.set_strict_mode(mode)
            data = pybtex.database.parse_string(text, "bibtex")
            assert list(data.entries) == list(entries), f"strict={mode}"
            for key, entry in data.entries.items():
                fields = {
                    name: value for name, value in entries[key][1].items() if name != "author"
                }
                assert (entry.type, dict(entry.fields)) == (entries[key][0], fields)
    finally:
        pybtex.errors.set_strict_mode(strict)
    return entries


def _arxiv_feed(title: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>https://arxiv.org/api/x</id><title>q</title><updated>2026-01-01T00:00:00Z</updated>
  <entry>
    <id>http://arxiv.org/abs/2109.08133v1</id>
    <updated>2021-09-17T00:00:00Z</updated><published>2021-09-17T00:00:00Z</published>
    <title>{escape(title)}</title>
    <summary>An abstract.</summary>
    <author><name>Ada Lovelace</name></author>
    <arxiv:primary_category term="cs.CL"/>
    <category term="cs.CL"/>
  </entry>
</feed>""".encode()


def _fetched(title: str) -> Paper:
    paper = PaperFactory(arxiv_id="2109.08133", title="", metadata_status=MetadataStatus.PENDING)
    feed = _arxiv_feed(title)
    fetch_metadata(
        [paper.pk],
        arxiv_api=ArxivClient(
            "https://arxiv.test/api/query",
            transport=httpx.MockTransport(lambda request: httpx.Response(200, content=feed)),
        ),
    )
    paper.refresh_from_db()
    assert (paper.metadata_status, paper.title) == (MetadataStatus.OK, title)
    return paper


def _entered_by_hand(title: str, member: Any) -> Paper:
    paper = PaperFactory(arxiv_id="2109.08133", title="", metadata_status=MetadataStatus.FAILED)
    RecommendationFactory(paper=paper, submitter=member)
    enter_paper_metadata(paper, by=member, title=title, authors=["Ada Lovelace"], year=2021)
    paper.refresh_from_db()
    assert (paper.metadata_source, paper.title) == (MetadataSource.MANUAL, title)
    return paper


@pytest.mark.parametrize("source", ["fetched", "entered by hand"])
def test_bibtex_export_of_a_title_closing_its_field_holds_only_the_issues_papers(
    publication: Publication, contributor: Any, editor: Any, source: str
) -> None:
    title = f"Attention {ENTRY_INJECTION}"
    paper = _fetched(title) if source == "fetched" else _entered_by_hand(title, contributor)
    recommendation = RecommendationFactory(
        publication=publication, paper=paper, status=RecommendationStatus.ACCEPTED
    )

    issue = _publish(publication, editor, [recommendation])
    entries = read_bibtex(_export(issue, "bib"))

    assert list(entries) == ["lovelace2021attention"]
    kind, fields = entries["lovelace2021attention"]
    assert kind == "misc"
    assert fields == {
        "title": (
            r"{Attention \textbraceright{}\textbraceright{} @misc(injected, title=\{Injected\})"
            r" @comment(}"
        ),
        "author": "Ada Lovelace",
        "year": "2021",
        "eprint": "2109.08133",
        "archivePrefix": "arXiv",
        "primaryClass": "cs.CL",
        "url": "https://arxiv.org/abs/2109.08133",
    }
    text = _export(issue, "md")
    assert rendered_problems(text) == []
    assert r"### Attention \}\} @misc(injected, title=\{Injected\}) @comment(" in text


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.lists(
        st.sampled_from(["{", "}", "\\", "@", "misc", "(", ")", ",", "=", '"', "%", "#", " ", "x"]),
        max_size=40,
    ).map("".join),
)
def test_bibtex_field_keeps_any_text_inside_it(title: str) -> None:
    written = exports.bib_text(title)
    text = f"@misc{{key,\n  title = {{{written}}},\n  year = {{2021}}\n}}\n"

    assert read_bibtex(text) == {"key": ("misc", {"title": written, "year": "2021"})}


def test_bibtex_export_writes_doi_and_url_verbatim_and_brace_safe(
    publication: Publication, editor: Any
) -> None:
    paper = PaperFactory(
        arxiv_id=None, doi="10.1000/some_org}{x y", year=2021, authors=["Ada Lovelace"]
    )
    recommendation = RecommendationFactory(
        publication=publication, paper=paper, status=RecommendationStatus.ACCEPTED
    )

    entries = read_bibtex(_export(_publish(publication, editor, [recommendation]), "bib"))

    [(kind, fields)] = entries.values()
    assert kind == "misc"
    # biblatex reads doi and url verbatim: a backslash there would be printed and linked.
    assert (fields["doi"], fields["url"]) == (
        "10.1000/some_org%7D%7Bx%20y",
        "https://doi.org/10.1000/some_org%7D%7Bx%20y",
    )
