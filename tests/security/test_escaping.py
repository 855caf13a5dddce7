"""Markup and script in every text field stay text wherever the text is shown.

For each HTML, script, template and Markdown payload of the corpus (``corpus.HTML``), a site is
built through the services with the payload in every text field a member, an editor or a
metadata source fills: the paper's title, authors, institutions, abstract, comment and journal
reference as arXiv's Atom feed brings them (parsed by the arXiv client) and as AMiner's JSON
brings them (parsed by the AMiner client), summaries, Chinese titles, news items, review
comments, the issue's title, intros and credit line, an erratum, a member's display name, the
publication's and the topic's names. Then every place that shows them is read: the reader's
pages, the member's, the reviewer's and the editor's pages, the RSS and Atom feeds (parsed by
feedparser with its own sanitiser off), the Markdown, HTML and BibTeX exports (the Markdown as
three renderers turn it into HTML, the BibTeX as pybtex reads it in strict mode), the API, the
newsletter and the members' notices.

What is checked (``markup_problems``): no script element but the site's own, no event-handler
attribute, no link, source or form target with a ``javascript:``, ``data:`` or ``vbscript:``
URL or on the attacker's host, no ``<base>``, ``<meta refresh>``, frame, object, SVG or MathML
element; and the payload never appears verbatim where it holds a ``<``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import commonmark
import feedparser
import httpx
import markdown
import pybtex.database
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from markdown_it import MarkdownIt

from contributors.services import update_profile
from issues.models import Issue
from issues.services import assemble_issue, correct_issue, create_issue, publish_issue
from papers.clients.aminer import AminerClient
from papers.clients.arxiv import ArxivClient
from papers.enums import MetadataSource, MetadataStatus
from papers.models import Paper
from papers.services import fetch_metadata
from publications.enums import TeamRole
from recommendations.enums import RecommendationKind, Verdict
from recommendations.models import Recommendation
from recommendations.services import (
    accept_recommendation,
    create_recommendation,
    review_recommendation,
)
from tests.factories import (
    MembershipFactory,
    PublicationFactory,
    SubscriberFactory,
    TopicFactory,
    UserFactory,
)
from tests.security import corpus

pytestmark = pytest.mark.django_db

ARXIV_ID = "2109.08133"
AMINER_ID = "614407b25244ab9dcbd29c5c"
#: A word every hostile title carries, so that the search finds the papers.
MARKER = "Zyxwvut"

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc", "poster", "background"}
_FORBIDDEN_TAGS = {"iframe", "object", "embed", "svg", "math", "base", "frame", "frameset"}
_BAD_SCHEME = re.compile(r"^(javascript|data|vbscript):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


class _MarkupScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and not values.get("src", "").startswith("/static/"):
            self.problems.append(f"<script {values}>")
        # The site's own charts (issues/charts.py) are SVG; no payload may become one.
        own_chart = tag == "svg" and values.get("class") == "chart-svg"
        if tag in _FORBIDDEN_TAGS and not own_chart:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta refresh>")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in _URL_ATTRIBUTES or name == "style":
                url = _INVISIBLE.sub("", html.unescape(value))
                if _BAD_SCHEME.match(url) or "javascript:" in url.lower():
                    self.problems.append(f"<{tag} {name}={value[:60]!r}>")
                if "evil.example" in value:
                    self.problems.append(f"<{tag} {name}={value[:60]!r}>")

    handle_startendtag = handle_starttag


def markup_problems(document: str) -> list[str]:
    """The active markup in an HTML ``document`` that no payload may have become."""
    scanner = _MarkupScanner()
    scanner.feed(document)
    scanner.close()
    return scanner.problems


def render_markdown(text: str) -> dict[str, str]:
    """``text`` as each of three Markdown renderers a blog platform may use turns it into HTML,
    raw HTML and every link scheme kept."""
    return {
        "Python-Markdown": markdown.markdown(text),
        "commonmark": commonmark.commonmark(text),
        "markdown-it-py": MarkdownIt("commonmark").render(text),
    }


def _verbatim(payload: str, text: str) -> bool:
    return "<" in payload and payload in text


# --- the hostile sources ------------------------------------------------------------------------


def arxiv_feed(payload: str) -> bytes:
    """An arXiv Atom feed whose every text is ``payload`` (as XML text, the way arXiv escapes
    it), with a ``javascript:`` PDF link."""
    text = escape(f"{MARKER} {payload}")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>https://arxiv.org/api/x</id><title>q</title><updated>2026-01-01T00:00:00Z</updated>
  <entry>
    <id>http://arxiv.org/abs/{ARXIV_ID}v2</id>
    <updated>2021-09-20T00:00:00Z</updated><published>2021-09-17T00:00:00Z</published>
    <title>{text}</title>
    <summary>{text}</summary>
    <author><name>{escape(payload)}</name><arxiv:affiliation>{escape(payload)}</arxiv:affiliation></author>
    <author><name>Ada Lovelace</name></author>
    <arxiv:comment>{text}</arxiv:comment>
    <arxiv:journal_ref>{text}</arxiv:journal_ref>
    <link href={quoteattr(payload)} rel="alternate" type="text/html"/>
    <link title="pdf" href="javascript:alert(1)" rel="related" type="application/pdf"/>
    <arxiv:primary_category term="cs.CL"/>
    <category term="cs.CL"/>
  </entry>
</feed>""".encode()


def aminer_detail(payload: str) -> bytes:
    author = {"name": payload, "name_zh": payload, "org": payload, "org_zh": payload}
    return json.dumps(
        {
            "code": 200,
            "success": True,
            "msg": "",
            "data": {
                "id": AMINER_ID,
                "title": f"{MARKER} {payload}",
                "title_zh": payload,
                "abstract": payload,
                "authors": [author, {"name": "Alan Turing", "org": "Bletchley"}],
                "doi": None,
                "year": 2021,
                "venue": {"raw": payload},
                "urls": [payload],
                "pdf": "javascript:alert(1)",
            },
        }
    ).encode()


def _fetch(paper_ids: list[int], payload: str) -> None:
    def arxiv(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=arxiv_feed(payload))

    def aminer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=aminer_detail(payload))

    fetch_metadata(
        paper_ids,
        arxiv_api=ArxivClient("https://arxiv.test/api/query", transport=httpx.MockTransport(arxiv)),
        aminer_api=AminerClient(
            "https://aminer.test/api", token="t", transport=httpx.MockTransport(aminer)
        ),
    )


# --- the site -----------------------------------------------------------------------------------


def build_site(payload: str, on_commit: Callable[..., Any]) -> dict[str, Any]:
    """A publication with one published issue and one draft, every text ``payload``."""
    short = payload[:100]
    publication = PublicationFactory(
        slug="hostile-weekly", name=f"{MARKER} {payload}"[:200], name_zh=payload[:200]
    )
    topic = TopicFactory(
        publication=publication, slug="hostile", name_en=short, name_zh=short, description=payload
    )
    contributor = UserFactory(username="contributor")
    update_profile(
        contributor,
        by=contributor,
        display_name=short,
        affiliation=payload[:200],
        bio=payload,
    )
    reviewer = UserFactory(username="reviewer", display_name=short)
    editor = UserFactory(username="editor", display_name=short)
    MembershipFactory(publication=publication, user=reviewer, role=TeamRole.REVIEWER)
    MembershipFactory(publication=publication, user=editor, role=TeamRole.EDITOR)
    SubscriberFactory(publication=publication, email="reader@example.org")

    def recommend(**fields: Any) -> Recommendation:
        return create_recommendation(
            by=contributor, publication=publication, summary=payload, **fields
        )

    with on_commit(execute=True):
        from_arxiv = recommend(
            identifier=ARXIV_ID, title_zh=payload, topic=topic, code_url="https://github.com/a/b"
        )
        from_aminer = recommend(identifier=f"https://www.aminer.cn/pub/{AMINER_ID}", topic=topic)
        news = recommend(
            kind=RecommendationKind.NEWS, news_title=payload, news_url="https://example.org/n"
        )
        waiting = recommend(identifier="2401.00042")
    papers = list(Paper.objects.filter(recommendations__in=[from_arxiv, from_aminer]))
    _fetch([p.pk for p in papers], payload)
    assert {p.metadata_status for p in Paper.objects.filter(pk__in=[p.pk for p in papers])} == {
        MetadataStatus.OK
    }, [(p.metadata_status, p.metadata_error) for p in Paper.objects.all()]
    # The first as if entered by hand: its editors may correct it, so the metadata form opens,
    # filled with the hostile values.
    Paper.objects.filter(pk=papers[0].pk).update(metadata_source=MetadataSource.MANUAL)

    with on_commit(execute=True):
        review_recommendation(from_arxiv, by=reviewer, verdict=Verdict.APPROVE, comment=payload)
        for recommendation in (from_aminer, news):
            accept_recommendation(recommendation, by=editor)
        issue = create_issue(
            publication,
            by=editor,
            title=payload[:300],
            intro_en=payload,
            intro_zh=payload,
            credits=payload[:1000],
        )
        assemble_issue(issue, by=editor)
        publish_issue(issue, by=editor)
    with on_commit(execute=True):
        # The newsletter of the issue, sent by the worker's batch (eager here).
        from newsletter.services import send_newsletter_batch

        send_newsletter_batch(issue)
    entry = issue.entries.order_by("position").first()
    correct_issue(
        issue,
        by=editor,
        note=payload,
        entries={entry.pk: {"shown_summary": payload + " (corrected)"}},
    )
    # A draft issue for the builder, and a submission waiting in the review queue.
    draft = create_issue(publication, by=editor, title=payload[:300], intro_en=payload)
    return {
        "publication": publication,
        "topic": topic,
        "issue": Issue.objects.get(pk=issue.pk),
        "draft": draft,
        "papers": papers,
        "recommendation": from_arxiv,
        "waiting": waiting,
        "contributor": contributor,
        "reviewer": reviewer,
        "editor": editor,
    }


def _pages(site: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(name, user, url) of every page that shows the texts."""
    issue, publication = site["issue"], site["publication"]
    number = [publication.slug, issue.number]
    papers = [("paper", None, reverse("papers:paper-detail", args=[p.pk])) for p in site["papers"]]
    return [
        ("home", None, reverse("issues:home")),
        ("archive", None, reverse("issues:publication-detail", args=[publication.slug])),
        ("issue", None, reverse("issues:issue-detail", args=number)),
        ("topics", None, reverse("issues:topic-list")),
        (
            "topic",
            None,
            reverse("issues:topic-detail", args=[publication.slug, site["topic"].slug]),
        ),
        ("contributor", None, reverse("issues:contributors-detail", args=["contributor"])),
        ("search", None, reverse("papers:search") + f"?q={MARKER}"),
        *papers,
        ("subscribe", None, reverse("newsletter:subscribe", args=[publication.slug])),
        ("submissions", site["contributor"], reverse("recommendations:list")),
        (
            "submission",
            site["contributor"],
            reverse("recommendations:detail", args=[site["recommendation"].pk]),
        ),
        ("edit", site["contributor"], reverse("recommendations:edit", args=[site["waiting"].pk])),
        ("profile", site["contributor"], reverse("contributors:profile")),
        ("queue", site["reviewer"], reverse("review:queue")),
        (
            "review",
            site["reviewer"],
            reverse("review:recommendation", args=[site["recommendation"].pk]),
        ),
        ("editor home", site["editor"], reverse("editor:home")),
        ("builder", site["editor"], reverse("editor:issue-builder", args=[site["draft"].pk])),
        ("preview", site["editor"], reverse("issues:issue-preview", args=[site["draft"].pk])),
        ("correct", site["editor"], reverse("editor:issue-correct", args=[issue.pk])),
        ("publish", site["editor"], reverse("editor:issue-publish", args=[site["draft"].pk])),
        (
            "metadata form",
            site["editor"],
            reverse("metadata:paper-enter-metadata", args=[site["papers"][0].pk]),
        ),
        ("export html", None, reverse("issues:issue-export", args=[*number, "html"])),
    ]


def _feeds(site: dict[str, Any]) -> list[tuple[str, str]]:
    slug, topic = site["publication"].slug, site["topic"].slug
    return [
        ("rss", reverse("issues:feed-rss", args=[slug])),
        ("atom", reverse("issues:feed-atom", args=[slug])),
        ("topic rss", reverse("issues:topic-feed-rss", args=[slug, topic])),
        ("topic atom", reverse("issues:topic-feed-atom", args=[slug, topic])),
    ]


def _check_page(name: str, body: str, payload: str) -> list[str]:
    problems = [f"{name}: {p}" for p in markup_problems(body)]
    if _verbatim(payload, body):
        problems.append(f"{name}: the payload appears unescaped")
    return problems


def _check_feed(name: str, body: bytes, payload: str) -> list[str]:
    parsed = feedparser.parse(body, sanitize_html=False)
    problems = []
    if parsed.bozo:
        problems.append(f"{name}: not well-formed: {parsed.bozo_exception}")
    if not parsed.entries:
        problems.append(f"{name}: no entries")
    for entry in parsed.entries:
        texts = [entry.get("summary", "")] + [c.value for c in entry.get("content", [])]
        for text in texts:
            problems += [f"{name} entry: {p}" for p in markup_problems(text)]
        # Atom says its titles are text (type="text"), and they must parse so. RSS 2.0 has no
        # type: a title holding "<" reads as markup to feedparser's guess, and readers that
        # render RSS titles as HTML must sanitise them; the XML itself is escaped (bozo above).
        detail = entry.get("title_detail", {})
        if "atom" in name and detail.get("type") != "text/plain":
            problems.append(f"{name} title: typed {detail.get('type')}")
    return problems


def _check_bibtex(body: str, payload: str) -> list[str]:
    problems = []
    for entry in re.split(r"\n(?=@)", body.strip()):
        # BibTeX counts braces whatever the backslashes: \} closes a brace too.
        if entry.count("{") != entry.count("}"):
            problems.append(f"bibtex: unbalanced braces in {entry[:80]!r}")
    try:
        pybtex.database.parse_string(body, "bibtex")
    except pybtex.database.PybtexError as error:
        problems.append(f"bibtex: pybtex cannot read it: {error}")
    if "title = {injected" in body:
        problems.append("bibtex: a field was injected")
    return problems


def _check_mail(message: Any, payload: str) -> list[str]:
    problems = []
    if "\n" in message.subject or "\r" in message.subject:
        problems.append(f"mail {message.subject[:40]!r}: subject holds a line break")
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            problems += _check_page(f"mail {message.subject[:40]!r} (HTML)", content, payload)
    return problems


@pytest.mark.parametrize("bad", corpus.markup(), ids=lambda bad: bad.name)
def test_payload_stays_text_everywhere(
    bad: corpus.Bad, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    payload = bad.value
    mail.outbox = []
    site = build_site(payload, django_capture_on_commit_callbacks)
    problems: list[str] = []

    for name, user, url in _pages(site):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        problems += _check_page(name, response.content.decode(), payload)

    for name, url in _feeds(site):
        response = Client().get(url)
        assert response.status_code == 200, (name, response.status_code)
        problems += _check_feed(name, response.content, payload)

    issue, slug = site["issue"], site["publication"].slug
    markdown_export = Client().get(reverse("issues:issue-export", args=[slug, issue.number, "md"]))
    text = markdown_export.content.decode()
    if _verbatim(payload, text):
        problems.append("markdown export: the payload appears unescaped")
    # Blog platforms render the Markdown as it is, raw HTML and every link scheme included.
    problems += [
        f"markdown export, rendered by {renderer}: {p}"
        for renderer, document in render_markdown(text).items()
        for p in markup_problems(document)
    ]
    bibtex = Client().get(reverse("issues:issue-export", args=[slug, issue.number, "bib"]))
    problems += _check_bibtex(bibtex.content.decode(), payload)

    api = Client().get(reverse("api:published-issue", args=[slug, issue.number]))
    data = api.json()
    for name in ("intro_en_html", "intro_zh_html"):
        problems += [f"api {name}: {p}" for p in markup_problems(data[name])]
    for entry in data["entries"]:
        problems += [f"api summary_html: {p}" for p in markup_problems(entry["summary_html"])]

    assert mail.outbox, "the newsletter and the notices were sent"
    for message in mail.outbox:
        problems += _check_mail(message, payload)

    assert not problems, "\n".join(problems)
