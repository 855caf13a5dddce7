"""Tests for issues.feeds: the RSS and Atom feeds of a publication, each item a whole issue, and
those of a topic, each item one paper recommended under it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree.ElementTree import Element

import feedparser
import pytest
from defusedxml.ElementTree import fromstring
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from issues import feeds
from issues.models import Issue, IssueEntry
from issues.services import create_issue, publish_issue, schedule_issue, schedule_recommendation
from papers.models import Paper
from publications.models import Publication, Topic
from publications.services import grant_role
from recommendations.enums import RecommendationStatus
from tests.factories import PaperFactory, RecommendationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

FEEDS = [pytest.param("rss", id="rss"), pytest.param("atom", id="atom")]
ATOM = "{http://www.w3.org/2005/Atom}"

# No control characters, but everything else a title from arXiv or a member may hold: right-to-
# left override, zero-width joiner, a combining accent, CJK, an emoji, a line separator, and
# the sequence that ends a CDATA section.
ODD_TITLE = "Attention ]]> Is e\u0301nough: \u202eevil\u202c \u200d注意力 🚀 \u2028<b>bold</b> & co"
SCRIPT_SUMMARY = 'Read it. <script>alert(1)</script> <img src=x onerror="alert(2)"> **Really**.'


def _issue(
    publication: Publication,
    editor: Any,
    items: list[dict[str, Any]],
    *,
    title: str,
    publish: bool = True,
) -> Issue:
    """An issue of ``items`` (paper fields, or ``news_title``), each with its ``summary`` and
    optionally its ``topic``."""
    issue = create_issue(publication, by=editor, title=title, intro_en=f"About {title}.")
    for item in items:
        summary = item.pop("summary")
        topic = item.pop("topic", None)
        if "news_title" in item:
            recommendation = RecommendationFactory(
                news=True,
                publication=publication,
                summary=summary,
                topic=topic,
                status=RecommendationStatus.ACCEPTED,
                **item,
            )
        else:
            recommendation = RecommendationFactory(
                publication=publication,
                paper=PaperFactory(**item),
                summary=summary,
                topic=topic,
                status=RecommendationStatus.ACCEPTED,
            )
        schedule_recommendation(recommendation, issue=issue, by=editor)
    if publish:
        publish_issue(issue, by=editor)
    return issue


@pytest.fixture
def issues(publication: Publication, other_publication: Publication, editor: Any) -> list[Issue]:
    """Two published issues (the second one newest), a scheduled and a draft one, and an issue
    of another publication."""
    first = _issue(
        publication,
        editor,
        [
            {"title": "Scaling Laws Revisited", "summary": "Bigger is *better*, up to a point."},
            {"title": ODD_TITLE, "summary": SCRIPT_SUMMARY},
        ],
        title="The first issue",
    )
    Issue.objects.filter(pk=first.pk).update(published_at=timezone.now() - dt.timedelta(days=7))
    second = _issue(
        publication,
        editor,
        [
            {"title": "Reward Hacking in the Wild", "summary": "Agents find the loopholes."},
            {
                "news_title": "A benchmark <script>alert(3)</script> is out",
                "news_url": "https://news.example.org/bench",
                "summary": "Everyone is talking about it.",
            },
        ],
        title="The second issue ]]> <i>now</i>",
    )
    scheduled = _issue(
        publication,
        editor,
        [{"title": "Scheduled Paper", "summary": "Not out yet."}],
        title="Scheduled issue",
        publish=False,
    )
    schedule_issue(scheduled, by=editor, publish_at=timezone.now() + dt.timedelta(days=1))
    _issue(
        publication,
        editor,
        [{"title": "Draft Paper", "summary": "Still a draft."}],
        title="Draft issue",
        publish=False,
    )
    rl_editor = UserFactory(username="rl-editor")
    grant_role(rl_editor, role="editor", publication=other_publication)
    _issue(
        other_publication,
        rl_editor,
        [{"title": "Policy Gradients Again", "summary": "Another publication's paper."}],
        title="RL issue",
    )
    return [Issue.objects.get(pk=second.pk), Issue.objects.get(pk=first.pk)]


def _get(kind: str, slug: str = "pretraining-weekly") -> Any:
    response = Client().get(f"/en/p/{slug}/feed/{kind}/")
    assert response.status_code == 200, response.content
    return response


def _parsed(kind: str) -> Any:
    feed = feedparser.parse(_get(kind).content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def _item_bodies(kind: str, content: bytes) -> list[str]:
    """Each item's HTML body as the XML carries it (unescaped once by the XML parser)."""
    root: Element = fromstring(content)
    if kind == "rss":
        return [item.findtext("description") or "" for item in root.iter("item")]
    return [entry.findtext(f"{ATOM}summary") or "" for entry in root.iter(f"{ATOM}entry")]


@pytest.mark.parametrize("kind", FEEDS)
def test_feed_parses_cleanly_with_publication_metadata(issues: list[Issue], kind: str) -> None:
    feed = _parsed(kind)

    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    assert feed.feed.title == "Pretraining Weekly"
    assert feed.feed.link == "http://testserver/en/p/pretraining-weekly/"


@pytest.mark.parametrize("kind", FEEDS)
def test_feed_lists_published_issues_newest_first_without_drafts(
    issues: list[Issue], kind: str
) -> None:
    feed = _parsed(kind)

    assert [entry.title for entry in feed.entries] == [
        "#2 The second issue ]]> <i>now</i>",
        "#1 The first issue",
    ]
    assert [entry.link for entry in feed.entries] == [
        "http://testserver/en/p/pretraining-weekly/2/",
        "http://testserver/en/p/pretraining-weekly/1/",
    ]
    published = [entry.published_parsed for entry in feed.entries]
    assert published == sorted(published, reverse=True)
    everything = str(feed)
    for absent in ("Scheduled Paper", "Draft Paper", "Policy Gradients Again", "RL issue"):
        assert absent not in everything


@pytest.mark.parametrize("kind", FEEDS)
def test_feed_item_holds_the_whole_issue(issues: list[Issue], kind: str) -> None:
    second, first = _parsed(kind).entries

    assert "About The second issue" in second.summary
    assert "Reward Hacking in the Wild" in second.summary
    assert "<p>Agents find the loopholes.</p>" in second.summary
    assert "Everyone is talking about it." in second.summary
    assert 'href="https://news.example.org/bench"' in second.summary
    assert "Scaling Laws Revisited" in first.summary
    assert "<em>better</em>" in first.summary
    assert "<strong>Really</strong>" in first.summary
    paper = Paper.objects.get(title="Scaling Laws Revisited")
    assert f'href="https://arxiv.org/abs/{paper.arxiv_id}"' in first.summary


@pytest.mark.parametrize("kind", FEEDS)
def test_feed_hostile_text_is_escaped_or_removed(issues: list[Issue], kind: str) -> None:
    content = _get(kind).content
    second_body, first_body = _item_bodies(kind, content)

    # The XML is well formed and carries the HTML as text: no markup of members reaches it.
    for body in (first_body, second_body):
        assert "<script" not in body
        assert "onerror" not in body
        assert "<img" not in body
    assert "alert(1)" not in first_body
    # The odd title comes through whole, as escaped text.
    escaped_title = (
        "Attention ]]&gt; Is e\u0301nough: \u202eevil\u202c \u200d注意力 🚀 \u2028"
        "&lt;b&gt;bold&lt;/b&gt; &amp; co"
    )
    assert escaped_title in first_body
    assert "A benchmark &lt;script&gt;alert(3)&lt;/script&gt; is out" in second_body
    # And so do readers: what feedparser keeps shows the texts, never the scripts.
    second, first = feedparser.parse(content).entries
    assert "Attention ]]&gt; Is" in first.summary
    assert "<b>bold</b>" not in first.summary
    assert "<script" not in first.summary + second.summary


@pytest.mark.parametrize("kind", FEEDS)
def test_feed_of_publication_without_issues_is_empty(
    other_publication: Publication, kind: str
) -> None:
    feed = feedparser.parse(_get(kind, "rl-weekly").content)

    assert not feed.bozo
    assert feed.feed.title == "RL Weekly"
    assert feed.entries == []


@pytest.mark.parametrize("kind", FEEDS)
def test_feed_unknown_publication_is_404(db: None, kind: str) -> None:
    response = Client().get(f"/en/p/no-such-weekly/feed/{kind}/")

    assert response.status_code == 404


@pytest.mark.parametrize("kind", FEEDS)
def test_feed_queries_do_not_grow_with_its_issues(
    client: Client, publication: Publication, editor: Any, kind: str
) -> None:
    url = f"/en/p/{publication.slug}/feed/{kind}/"

    def queries_with(count: int) -> int:
        while Issue.objects.filter(publication=publication).count() < count:
            n = Issue.objects.count()
            _issue(
                publication,
                editor,
                [
                    {"title": f"Paper {n}", "summary": "Good."},
                    {"news_title": f"News {n}", "summary": "New."},
                ],
                title=f"Issue {n}",
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert len(feedparser.parse(response.content).entries) == count
        return len(captured)

    assert queries_with(2) == queries_with(8)


# --- topic feeds ----------------------------------------------------------------------------------


@pytest.fixture
def topic_entries(
    publication: Publication, other_publication: Publication, editor: Any, topic: Topic
) -> list[IssueEntry]:
    """The published paper entries under ``topic``, newest issue first: one in an RL Weekly issue
    published today, two in a Pretraining Weekly issue of a week ago. Beside them, in the same
    issues or others: a paper of another topic, a news item of the topic, and papers of the
    topic in a scheduled and a draft issue."""
    other_topic = TopicFactory(
        publication=publication, slug="reinforcement-learning", name_en="Reinforcement learning"
    )
    older = _issue(
        publication,
        editor,
        [
            {
                "title": "Scaling Laws Revisited",
                "title_zh": "再论缩放定律",
                "authors": ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"],
                "institutions": ["Analytical Engines Ltd"],
                "code_url": "https://github.com/example/scaling",
                "summary": "Bigger is *better*, up to a point.",
                "topic": topic,
            },
            {"title": "Off-topic Paper", "summary": "Another topic.", "topic": other_topic},
            {"title": ODD_TITLE, "summary": SCRIPT_SUMMARY, "topic": topic},
            {
                "news_title": "Topic News",
                "news_url": "https://news.example.org/topic",
                "summary": "News, not a paper.",
                "topic": topic,
            },
        ],
        title="Pretraining issue",
    )
    Issue.objects.filter(pk=older.pk).update(published_at=timezone.now() - dt.timedelta(days=7))
    rl_editor = UserFactory(username="rl-editor")
    grant_role(rl_editor, role="editor", publication=other_publication)
    newer = _issue(
        other_publication,
        rl_editor,
        [{"title": "Policy Gradients Again", "summary": "A paper of RL Weekly.", "topic": topic}],
        title="RL issue",
    )
    scheduled = _issue(
        publication,
        editor,
        [{"title": "Scheduled Paper", "summary": "Not out yet.", "topic": topic}],
        title="Scheduled issue",
        publish=False,
    )
    schedule_issue(scheduled, by=editor, publish_at=timezone.now() + dt.timedelta(days=1))
    _issue(
        publication,
        editor,
        [{"title": "Draft Paper", "summary": "Still a draft.", "topic": topic}],
        title="Draft issue",
        publish=False,
    )
    return [
        IssueEntry.objects.get(issue=newer, shown_title="Policy Gradients Again"),
        IssueEntry.objects.get(issue=older, shown_title="Scaling Laws Revisited"),
        IssueEntry.objects.get(issue=older, shown_title=ODD_TITLE),
    ]


def _get_topic(kind: str, slug: str = "language-models") -> Any:
    response = Client().get(f"/en/p/pretraining-weekly/topics/{slug}/feed/{kind}/")
    assert response.status_code == 200, response.content
    return response


def _parsed_topic(kind: str, slug: str = "language-models") -> Any:
    feed = feedparser.parse(_get_topic(kind, slug).content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def _entry_url(entry: IssueEntry) -> str:
    return f"http://testserver/en/p/{entry.issue.publication.slug}/{entry.issue.number}/#entry-{entry.pk}"


@pytest.mark.parametrize("kind", FEEDS)
def test_topic_feed_parses_cleanly_with_topic_metadata(
    topic_entries: list[IssueEntry], kind: str, settings: Any
) -> None:
    settings.SITE_URL = "https://weekly.example.org"

    feed = _parsed_topic(kind)

    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    assert feed.feed.title == "Language models (语言模型)"
    assert feed.feed.link == "http://testserver/en/p/pretraining-weekly/topics/language-models/"
    description = feed.feed.description if kind == "rss" else feed.feed.subtitle
    assert description == "Papers recommended under Language models."
    if kind == "atom":
        # Its own canonical id, not the address the request happened to use.
        assert feed.feed.id == (
            "https://weekly.example.org/en/p/pretraining-weekly/topics/language-models/feed/atom/"
        )


@pytest.mark.parametrize("kind", FEEDS)
def test_topic_feed_lists_published_papers_of_topic_newest_issue_first(
    topic_entries: list[IssueEntry], kind: str, settings: Any
) -> None:
    settings.SITE_URL = "https://weekly.example.org"
    feed = _parsed_topic(kind)

    assert [item.title for item in feed.entries] == [
        "Policy Gradients Again",
        "Scaling Laws Revisited",
        ODD_TITLE,
    ]
    expected_urls = [_entry_url(entry) for entry in topic_entries]
    assert [item.link for item in feed.entries] == expected_urls
    assert [item.id for item in feed.entries] == [
        url.replace("http://testserver", "https://weekly.example.org") for url in expected_urls
    ]
    assert [item.published_parsed[:3] for item in feed.entries] == [
        entry.issue.published_at.astimezone(dt.UTC).timetuple()[:3] for entry in topic_entries
    ]
    everything = str(feed)
    for absent in ("Off-topic Paper", "Topic News", "Scheduled Paper", "Draft Paper"):
        assert absent not in everything


@pytest.mark.parametrize("kind", FEEDS)
def test_topic_feed_item_describes_the_entry_and_where_it_appeared(
    topic_entries: list[IssueEntry], kind: str
) -> None:
    newer, older, _odd = topic_entries
    rl_item, scaling_item, _odd_item = _parsed_topic(kind).entries

    paper = Paper.objects.get(title="Scaling Laws Revisited")
    summary = scaling_item.summary
    assert "Analytical Engines Ltd" in summary
    assert f'<a href="https://arxiv.org/abs/{paper.arxiv_id}">Scaling Laws Revisited</a>' in summary
    assert "(再论缩放定律)" in summary
    assert "Ada Lovelace, Alan Turing, Grace Hopper et al." in summary
    assert "Edsger Dijkstra" not in summary
    assert "<p>Bigger is <em>better</em>, up to a point.</p>" in summary
    assert 'href="https://github.com/example/scaling"' in summary
    assert f"Recommended by {older.recommendation.submitter.public_name}" in summary
    assert f'<a href="{_entry_url(older)}">Pretraining Weekly · Issue 1</a>: Pretraining issue' in (
        summary
    )
    assert f'<a href="{_entry_url(newer)}">RL Weekly · Issue 1</a>: RL issue' in rl_item.summary
    assert "github.com" not in rl_item.summary


@pytest.mark.parametrize("kind", FEEDS)
def test_topic_feed_hostile_text_is_escaped_or_removed(
    topic_entries: list[IssueEntry], kind: str
) -> None:
    content = _get_topic(kind).content
    odd_body = _item_bodies(kind, content)[2]

    assert "<script" not in odd_body
    assert "onerror" not in odd_body
    assert "<img" not in odd_body
    assert "alert(1)" not in odd_body
    assert "<strong>Really</strong>" in odd_body
    escaped_title = (
        "Attention ]]&gt; Is e\u0301nough: \u202eevil\u202c \u200d注意力 🚀 \u2028"
        "&lt;b&gt;bold&lt;/b&gt; &amp; co"
    )
    assert escaped_title in odd_body
    odd = feedparser.parse(content).entries[2]
    assert odd.title == ODD_TITLE
    assert "<b>bold</b>" not in odd.summary
    assert "<script" not in odd.summary


@pytest.mark.parametrize("kind", FEEDS)
def test_topic_feed_of_topic_without_published_papers_is_empty(
    topic_entries: list[IssueEntry], publication: Publication, kind: str
) -> None:
    TopicFactory(publication=publication, slug="unused", name_en="Unused", name_zh="")

    feed = _parsed_topic(kind, "unused")

    assert feed.feed.title == "Unused"
    assert feed.entries == []


@pytest.mark.parametrize("kind", FEEDS)
def test_topic_feed_unknown_topic_is_404(publication: Publication, kind: str) -> None:
    TopicFactory(slug="elsewhere")

    assert (
        Client().get(f"/en/p/pretraining-weekly/topics/no-such-topic/feed/{kind}/").status_code
        == 404
    )
    # Another publication's topic is not this one's.
    assert (
        Client().get(f"/en/p/pretraining-weekly/topics/elsewhere/feed/{kind}/").status_code == 404
    )
    assert Client().get(f"/en/topics/no-such-topic/feed/{kind}/").status_code == 404


@pytest.mark.parametrize("kind", FEEDS)
def test_topic_feed_of_the_old_address_moves_to_the_one_publication_s(
    topic: Topic, other_publication: Publication, kind: str
) -> None:
    response = Client().get(f"/en/topics/{topic.slug}/feed/{kind}/")

    assert response.status_code == 301
    assert response["Location"] == f"/en/p/pretraining-weekly/topics/language-models/feed/{kind}/"
    # Once two publications have a topic of that slug, no feed reader can choose.
    TopicFactory(publication=other_publication, slug=topic.slug)
    assert Client().get(f"/en/topics/{topic.slug}/feed/{kind}/").status_code == 404


def test_topic_feed_holds_at_most_its_length(
    topic_entries: list[IssueEntry], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds, "TOPIC_FEED_LENGTH", 2)

    feed = _parsed_topic("rss")

    assert [item.title for item in feed.entries] == [
        "Policy Gradients Again",
        "Scaling Laws Revisited",
    ]


@pytest.mark.parametrize("kind", FEEDS)
def test_topic_feed_queries_do_not_grow_with_its_items(
    client: Client, publication: Publication, editor: Any, topic: Topic, kind: str
) -> None:
    url = f"/en/p/{topic.publication.slug}/topics/{topic.slug}/feed/{kind}/"

    def queries_with(count: int) -> int:
        while IssueEntry.objects.filter(recommendation__topic=topic).count() < count:
            n = Issue.objects.count()
            _issue(
                publication,
                editor,
                [
                    {"title": f"Paper {n}", "summary": "Good.", "topic": topic, "authors": ["A"]},
                    {"news_title": f"News {n}", "summary": "New."},
                ],
                title=f"Issue {n}",
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert len(feedparser.parse(response.content).entries) == count
        return len(captured)

    # The topic, then the entries with their issues, publications and recommenders, then the
    # co-recommenders credited on them.
    assert queries_with(2) == queries_with(8) == 3


def test_issue_page_links_its_topics_feeds_and_anchors_entries(
    topic_entries: list[IssueEntry], topic: Topic
) -> None:
    older = topic_entries[1]

    response = Client().get(older.issue.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<article class="entry" id="entry-{older.pk}">' in html
    assert (
        '<a href="/en/p/pretraining-weekly/topics/language-models/">Language models</a> '
        '(<a href="/en/p/pretraining-weekly/topics/language-models/feed/rss/">RSS</a> · '
        '<a href="/en/p/pretraining-weekly/topics/language-models/feed/atom/">Atom</a>); '
        '<a href="/en/p/pretraining-weekly/topics/reinforcement-learning/">'
        "Reinforcement learning</a> "
        '(<a href="/en/p/pretraining-weekly/topics/reinforcement-learning/feed/rss/">RSS</a>'
    ) in html
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Language models" '
        'href="/en/p/pretraining-weekly/topics/language-models/feed/rss/">'
    ) in html


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_items_link_the_site_absolutely(
    client: Client, settings: Any, publication: Publication, editor: Any, kind: str
) -> None:
    """A feed reader has no page to resolve a relative link against: every link of the site in
    an item's HTML, and every guid, is absolute on the canonical address."""
    settings.SITE_URL = "https://weekly.example.org"
    topic = TopicFactory(publication=publication, slug="agents")
    _issue(publication, editor, [{"title": "Tool use", "summary": "Good.", "topic": topic}],
           title="One")  # fmt: skip
    feed = feedparser.parse(client.get(f"/en/p/{publication.slug}/feed/{kind}/").content)
    [item] = feed.entries
    html = item.summary
    assert 'href="/' not in html
    assert 'href="https://weekly.example.org/en/papers/' in html
    assert 'href="https://weekly.example.org/en/p/pretraining-weekly/topics/agents/' in html
    assert item.id.startswith("https://weekly.example.org/en/p/")
