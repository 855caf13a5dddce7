"""The reader pages: home, a publication's archive, an issue, a paper, topics, contributors and
search. Published things show, unpublished ones never do; what members and outside APIs wrote is
escaped; lists are paginated and cost the same number of queries whatever their length."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from issues.models import Issue
from issues.services import (
    correct_issue,
    create_issue,
    publish_issue,
    schedule_issue,
    schedule_recommendation,
)
from papers.enums import MetadataSource, MetadataStatus
from papers.models import Paper
from papers.services import AuthorData, PaperMetadata, apply_paper_metadata
from publications.models import Publication, Topic
from publications.services import grant_role, set_publication_style
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.services import create_recommendation, review_recommendation
from tests.factories import (
    MembershipFactory,
    PaperFactory,
    PublicationFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)
from tests.languages import in_chinese, reverse_in

pytestmark = pytest.mark.django_db

#: The slug of the publication under test (the ``publication`` fixture).
SLUG = "pretraining-weekly"

SCRIPT = "<script>alert(1)</script>"
# Queries of each page, the same for a short and a long one:
#: the issue, its entries with their recommendations, their papers, authors, institutions, the
#: co-recommendations credited on them, errata, the issues on either side, the publication's
#: style, whether it tells readers of drafted entries;
ISSUE_QUERIES = 10
#: the publications, their latest issues, and those issues' contents as for an issue;
HOME_QUERIES = 7
#: the publication, the count of its issues, one page of them;
ARCHIVE_QUERIES = 3
#: the topic, the count of its entries, one page of them with issues, publications, members, and
#: the co-recommendations credited on them;
TOPIC_QUERIES = 4
#: the member, the count of their entries, one page of them with their co-recommendations, the
#: issues they are credited in, their entries and co-recommendations per month (the history);
CONTRIBUTOR_QUERIES = 7
#: the count of matches, the page's keys, its papers, their authors, institutions and
#: appearances (and its news items, when it holds some: ``tests/issues/views/test_search.py``).
SEARCH_QUERIES = 6
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


# ================================================================ helpers


def _publish(
    publication: Publication,
    editor: Any,
    items: list[dict[str, Any]],
    **fields: str,
) -> Issue:
    """An issue of ``publication`` made and published through the services. Each item gives a
    recommendation's fields (``paper``, ``summary``, ``submitter``, ``topic``, ``news_title``…)."""
    issue = create_issue(publication, by=editor, **{"title": "An issue", **fields})
    for item in items:
        values = {"status": RecommendationStatus.ACCEPTED, "decided_at": timezone.now(), **item}
        if "news_title" in values:
            values.setdefault("news", True)
        recommendation = RecommendationFactory(publication=publication, **values)
        schedule_recommendation(recommendation, issue=issue, by=editor)
    return publish_issue(issue, by=editor)


def _get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


@pytest.fixture
def ada(db: None) -> Any:
    return UserFactory(
        username="ada",
        display_name="Ada Lovelace",
        email="ada-secret@example.org",
        affiliation="Analytical Engines Ltd",
    )


@pytest.fixture
def grace(db: None) -> Any:
    return UserFactory(username="grace", display_name="Grace Hopper")


@pytest.fixture
def retrieval(publication: Publication) -> Topic:
    return TopicFactory(
        publication=publication, slug="retrieval", name_en="Retrieval", name_zh="检索", position=1
    )


@pytest.fixture
def issue(
    publication: Publication, editor: Any, ada: Any, grace: Any, retrieval: Topic, topic: Topic
) -> Issue:
    """Issue 1 of Pretraining Weekly: two papers and a news item, intros in both languages."""
    dense = PaperFactory(
        title="Dense Passage Retrieval",
        title_zh="稠密段落检索",
        abstract="Dual encoders beat BM25.",
        code_url="https://github.com/example/dpr",
        authors=["Vladimir Karpukhin", "Barlas Oguz", "Sewon Min", "Wen-tau Yih"],
        institutions=["Facebook AI", "University of Washington"],
    )
    scaling = PaperFactory(title="Scaling Laws", authors=["Jared Kaplan"], institutions=["OpenAI"])
    return _publish(
        publication,
        editor,
        [
            {
                "paper": dense,
                "submitter": ada,
                "topic": retrieval,
                "summary": "Two **encoders**, one index.",
            },
            {"paper": scaling, "submitter": grace, "topic": topic, "summary": "模型越大越好。"},
            {
                "news_title": "A new corpus is out",
                "news_url": "https://news.example.org/corpus",
                "submitter": ada,
                "summary": "Cleaned web text.",
            },
        ],
        title="Dense retrieval and scaling",
        intro_en="This issue picks 2 papers.",
        intro_zh="本期周刊选择了2篇论文。",
        credits="Ada Lovelace Grace Hopper",
    )


@pytest.fixture
def unpublished(publication: Publication, editor: Any, ada: Any, retrieval: Topic) -> Issue:
    """A scheduled issue with one paper recommended by ``ada``, and a submitted recommendation
    and a draft issue besides: none of it may show anywhere."""
    hidden = PaperFactory(title="Hidden Scheduled Paper", authors=["Secret Author"])
    scheduled = create_issue(publication, by=editor, title="Scheduled issue")
    recommendation = RecommendationFactory(
        publication=publication,
        paper=hidden,
        submitter=ada,
        topic=retrieval,
        summary="Scheduled summary",
        status=RecommendationStatus.ACCEPTED,
        decided_at=timezone.now(),
    )
    schedule_recommendation(recommendation, issue=scheduled, by=editor)
    schedule_issue(scheduled, by=editor, publish_at=timezone.now() + dt.timedelta(days=1))
    RecommendationFactory(
        publication=publication,
        paper=PaperFactory(title="Submitted Only Paper"),
        submitter=ada,
        topic=retrieval,
        summary="Submitted summary",
    )
    create_issue(publication, by=editor, title="Draft issue")
    return scheduled


def _issue_url(issue: Issue) -> str:
    return reverse("issues:issue-detail", args=[issue.publication.slug, issue.number])


# ================================================================ the issue page


def test_issue_page_shows_the_layout_in_order(client: Client, issue: Issue, ada: Any) -> None:
    page = _get(client, _issue_url(issue))

    assert "<title>Dense retrieval and scaling · Pretraining Weekly · Issue 1</title>" in page
    assert '<h1 id="issue-title">Dense retrieval and scaling</h1>' in page
    assert '<div class="intro-text" lang="en"><p>This issue picks 2 papers.</p></div>' in page
    assert (
        '<div class="intro-text intro-other" lang="zh-Hans"><p>本期周刊选择了2篇论文。</p></div>'
        in page
    )
    ada_url = reverse("issues:contributors-detail", args=["ada"])
    grace_url = reverse("issues:contributors-detail", args=["grace"])
    assert (
        f'Contributors to this issue:</span> <a href="{ada_url}">Ada Lovelace</a> '
        f'<a href="{grace_url}">Grace Hopper</a></p>'
    ) in page
    # The first entry: institutions, both titles, three authors and "et al.", the summary as
    # Markdown, the code and paper links, the recommender and the topic.
    dense = Paper.objects.get(title="Dense Passage Retrieval")
    # The institutions by their English short forms (Facebook AI is one of Meta's names).
    assert '<p class="institutions">Meta, UW</p>' in page
    assert (
        f'<h3 class="entry-title"><a href="https://arxiv.org/abs/{dense.arxiv_id}" lang="en">'
        'Dense Passage Retrieval</a> <span class="title-zh" lang="zh-Hans">（稠密段落检索）</span>'
    ) in page
    assert "Vladimir Karpukhin, Barlas Oguz, Sewon Min et al.</span>" in page
    assert "Wen-tau Yih" not in page
    assert (
        '<div class="summary" lang="en"><p>Two <strong>encoders</strong>, one index.</p></div>'
        in page
    )
    assert '<div class="summary" lang="zh-Hans"><p>模型越大越好。</p></div>' in page
    assert '<a class="link-code" href="https://github.com/example/dpr"' in page
    assert f'href="{reverse("papers:paper-detail", args=[dense.pk])}"' in page
    assert f'Recommended by <a href="{ada_url}">Ada Lovelace</a>' in page
    assert (
        f'<a class="tag" href="{reverse("issues:topic-detail", args=[SLUG, "retrieval"])}">' in page
    )
    # Papers first, then the news, then the exports and feeds.
    order = [
        page.index("About this issue"),
        page.index("Paper recommendations"),
        page.index("Dense Passage Retrieval</a>"),
        page.index("Scaling Laws</a>"),
        page.index("Research news"),
        page.index("A new corpus is out"),
        page.index("Download this issue"),
    ]
    assert order == sorted(order)
    assert f'Shared by <a href="{ada_url}">Ada Lovelace</a>' in page
    for fmt in ("md", "html", "bib"):
        assert reverse("issues:issue-export", args=[issue.publication.slug, 1, fmt]) in page
    assert reverse("api:published-issue", args=[issue.publication.slug, 1]) in page
    assert reverse("issues:feed-rss", args=[issue.publication.slug]) in page
    assert reverse("newsletter:subscribe", args=[issue.publication.slug]) in page


def test_issue_page_names_what_each_correction_changed(
    client: Client, issue: Issue, editor: Any
) -> None:
    scaling = issue.entries.get(recommendation__paper__title="Scaling Laws")
    correct_issue(
        issue,
        by=editor,
        note="Fixed a typo.",
        fields={"credits": "Ada Lovelace, Grace Hopper"},
        entries={scaling.pk: {"shown_summary": "模型越大，效果越好。"}},
    )
    page = _get(client, _issue_url(issue))
    assert (
        'Fixed a typo. <span class="changed">(corrected: contributor credit line, '
        "summary of entry 2)</span>"
    ) in page
    assert "shown_summary" not in page
    assert "（更正：贡献者署名、第 2 条的推荐语）" in _get(client, in_chinese(_issue_url(issue)))


def test_issue_page_in_chinese_puts_the_chinese_intro_first(client: Client, issue: Issue) -> None:
    page = _get(client, in_chinese(_issue_url(issue)))

    assert page.index('lang="zh-Hans"><p>本期周刊') < page.index('lang="en"><p>This issue')
    assert '<div class="intro-text intro-other" lang="en">' in page
    # The institutions by their Chinese short forms (Facebook AI is one of Meta's names).
    assert '<p class="institutions">Meta、华盛顿大学</p>' in page


def test_issue_page_without_credit_line_credits_the_recommenders(
    client: Client, publication: Publication, editor: Any, ada: Any
) -> None:
    published = _publish(publication, editor, [{"submitter": ada}], credits="")
    page = _get(client, _issue_url(published))

    url = reverse("issues:contributors-detail", args=["ada"])
    assert f'Contributors to this issue:</span> <a href="{url}">Ada Lovelace</a></p>' in page


def test_issue_page_credit_line_keeps_names_of_non_members_as_text(
    client: Client, publication: Publication, editor: Any, ada: Any
) -> None:
    published = _publish(publication, editor, [{"submitter": ada}], credits="张三 Ada Lovelace")
    page = _get(client, _issue_url(published))

    url = reverse("issues:contributors-detail", args=["ada"])
    assert f'Contributors to this issue:</span> 张三 <a href="{url}">Ada Lovelace</a></p>' in page


def test_issue_page_has_no_inline_style_or_script(client: Client, issue: Issue) -> None:
    page = _get(client, _issue_url(issue))

    assert "style=" not in page
    assert "<style" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert re.search(r"\son[a-z]+=", page) is None
    assert page.count("<script") == 1  # htmx, from our static files


def test_issue_page_is_accessible(client: Client, issue: Issue) -> None:
    page = _get(client, _issue_url(issue))

    assert '<a class="skip-link" href="#main">Skip to main content</a>' in page
    assert '<main id="main" tabindex="-1">' in page
    assert '<form class="site-search" role="search"' in page
    assert '<label for="site-search-q"' in page
    assert page.count("<h1") == 1
    levels = [int(level) for level in re.findall(r"<h([1-6])", page)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


@pytest.mark.parametrize(
    "where",
    ["title", "title_zh", "summary", "author", "institution", "credits", "member", "intro"],
)
def test_issue_page_escapes_hostile_text(
    client: Client, publication: Publication, editor: Any, where: str
) -> None:
    member = UserFactory(display_name=SCRIPT if where == "member" else "Someone")
    paper = PaperFactory(
        title=SCRIPT if where == "title" else "A title",
        authors=[SCRIPT if where == "author" else "An Author"],
        institutions=[SCRIPT if where == "institution" else "An Institution"],
    )
    item = {"paper": paper, "submitter": member}
    item["summary"] = SCRIPT if where == "summary" else "Fine."
    item["title_zh"] = SCRIPT if where == "title_zh" else ""
    fields = {
        "credits": SCRIPT if where == "credits" else "",
        "intro_en": SCRIPT if where == "intro" else "Intro.",
    }
    published = _publish(publication, editor, [item], **fields)
    page = _get(client, _issue_url(published))

    assert SCRIPT not in page
    if where == "summary":  # Markdown: the sanitiser drops the element and its text
        assert "alert(1)" not in page
    else:
        assert ESCAPED in page


def test_issue_page_of_scheduled_or_unknown_issue_is_404(
    client: Client, issue: Issue, unpublished: Issue
) -> None:
    slug = issue.publication.slug
    _get(client, reverse("issues:issue-detail", args=[slug, 2]), status=404)
    _get(client, reverse("issues:issue-detail", args=["no-such-weekly", 1]), status=404)
    assert unpublished.number is None


def test_issue_page_queries_do_not_grow_with_its_entries(
    client: Client,
    publication: Publication,
    editor: Any,
    django_assert_num_queries: Any,
) -> None:
    small = _publish(publication, editor, [{"paper": PaperFactory(authors=["A"])}])
    large = _publish(
        publication,
        editor,
        [{"paper": PaperFactory(authors=["B", "C"], institutions=["I"])} for _ in range(12)]
        + [{"news_title": f"News {n}", "news_url": "https://x.example.org"} for n in range(3)],
    )
    with django_assert_num_queries(ISSUE_QUERIES):
        client.get(_issue_url(small))
    with django_assert_num_queries(ISSUE_QUERIES):
        client.get(_issue_url(large))


def test_issue_page_links_the_issues_on_either_side(
    client: Client, publication: Publication, other_publication: Publication, editor: Any
) -> None:
    first = _publish(publication, editor, [{"paper": PaperFactory()}], title="First")
    elsewhere = UserFactory()
    MembershipFactory(publication=other_publication, user=elsewhere, role="editor")
    _publish(other_publication, elsewhere, [{"paper": PaperFactory()}], title="Elsewhere")
    second = _publish(publication, editor, [{"paper": PaperFactory()}], title="Second")
    third = _publish(publication, editor, [{"paper": PaperFactory()}], title="Third")

    page = _get(client, _issue_url(second))
    assert f'<a class="previous" rel="prev" href="{_issue_url(first)}">' in page
    assert f'<a class="next" rel="next" href="{_issue_url(third)}">' in page
    assert "Issue 1: First" in page
    assert "Issue 3: Third" in page
    assert f'<link rel="prev" href="{_issue_url(first)}">' in page

    first_page = _get(client, _issue_url(first))
    assert 'rel="prev"' not in first_page
    assert "Elsewhere" not in first_page  # another publication's issue is no neighbour
    assert 'rel="next"' not in _get(client, _issue_url(third))


def test_a_long_issue_opens_with_its_contents_and_every_entry_has_a_permalink(
    client: Client, publication: Publication, editor: Any
) -> None:
    titles = [f"Paper number {n}" for n in range(5)]
    issue = _publish(
        publication,
        editor,
        [{"paper": PaperFactory(title=title)} for title in titles]
        + [{"news_title": "A shared task", "news_url": "https://x.example.org"}],
    )
    page = _get(client, _issue_url(issue))
    contents = page.split('<nav class="contents"')[1].split("</nav>")[0]
    entries = list(issue.entries.order_by("section", "position"))
    for entry in entries:
        assert f'href="#entry-{entry.pk}"' in contents
        assert f'<a class="permalink" href="#entry-{entry.pk}">' in page
    assert contents.index("Paper number 0") < contents.index("A shared task")

    short = _publish(publication, editor, [{"paper": PaperFactory()}])
    assert '<nav class="contents"' not in _get(client, _issue_url(short))
    # A feed item has the same body, with neither.
    feed = _get(client, reverse("issues:feed-rss", args=[publication.slug]))
    assert "permalink" not in feed
    assert "contents-heading" not in feed


def test_issue_page_shows_the_authors_the_publications_style_picks(
    client: Client, publication: Publication, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    names = ["First Author", "Second Author", "Third Author", "Last Author"]
    issue = _publish(publication, editor, [{"paper": PaperFactory(authors=names)}])
    assert "First Author, Second Author, Third Author et al.</span>" in _get(
        client, _issue_url(issue)
    )

    with django_capture_on_commit_callbacks(execute=True):
        set_publication_style(publication, by=editor, authors_shown=2, author_style="first_last")
    # The new style retires the page cached in the old one.
    page = _get(client, _issue_url(issue))
    assert "First Author, Last Author et al.</span>" in page
    assert "Second Author" not in page


def test_issue_page_says_where_it_stands_in_breadcrumbs(client: Client, issue: Issue) -> None:
    page = _get(client, _issue_url(issue))
    trail = page.split('<nav class="kicker breadcrumbs" aria-label="Breadcrumb">')[1].split(
        "</nav>"
    )[0]
    archive = reverse("issues:publication-detail", args=[issue.publication.slug])
    assert trail.index('href="/en/"') < trail.index(f'href="{archive}"')
    assert '<span class="issue-number" aria-current="page">Issue 1</span>' in trail


def test_the_site_name_comes_from_the_settings(client: Client, issue: Issue, settings: Any) -> None:
    settings.SITE_NAME = "预训练周刊"
    page = _get(client, reverse("issues:home"))
    assert '<a class="brand" href="/en/">预训练周刊</a>' in page
    missing = _get(client, "/no-such-page/", status=404)
    assert "· 预训练周刊</title>" in missing


# ================================================================ home and archive


def test_home_shows_each_publication_latest_issue_with_a_teaser(
    client: Client, issue: Issue, other_publication: Publication, unpublished: Issue
) -> None:
    page = _get(client, reverse("issues:home"))

    assert f'<a href="{_issue_url(issue)}"><span class="issue-number">Issue 1</span>' in page
    assert "This issue picks 2 papers." in page
    assert "Dense Passage Retrieval</a>" in page
    assert "Read all 2 papers and 1 news item" in page
    assert "RL Weekly" in page
    assert "No issue has been published yet." in page
    # Two publications: a subscription link for each, not two forms with one id.
    assert reverse("newsletter:subscribe", args=[other_publication.slug]) in page
    assert 'id="id_email"' not in page
    assert "Scheduled issue" not in page
    assert "Hidden Scheduled Paper" not in page


def test_home_teaser_in_chinese_marks_an_english_intro_as_english(
    client: Client, issue: Issue
) -> None:
    Issue.objects.filter(pk=issue.pk).update(intro_zh="")
    page = _get(client, reverse_in("zh-hans", "issues:home"))

    assert '<p class="teaser-intro" lang="en">This issue picks 2 papers.</p>' in page


def test_home_with_one_publication_offers_the_subscription_form(
    client: Client, issue: Issue
) -> None:
    page = _get(client, reverse("issues:home"))

    assert f'action="{reverse("newsletter:subscribe", args=[issue.publication.slug])}"' in page
    assert page.count('id="id_email"') == 1


def test_home_queries_do_not_grow_with_publications(
    client: Client, editor: Any, issue: Issue, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(HOME_QUERIES):
        client.get(reverse("issues:home"))
    for n in range(4):
        publication = PublicationFactory()
        grant_role(editor, role="editor", publication=publication)
        _publish(publication, editor, [{"paper": PaperFactory(authors=[f"X{n}"])}])
    with django_assert_num_queries(HOME_QUERIES):
        client.get(reverse("issues:home"))


def test_publication_archive_is_paginated_newest_first(
    client: Client, publication: Publication, editor: Any, django_assert_num_queries: Any
) -> None:
    url = reverse("issues:publication-detail", args=[publication.slug])
    for n in range(3):
        _publish(publication, editor, [{}], title=f"Number {n + 1}")
    with django_assert_num_queries(ARCHIVE_QUERIES):
        _get(client, url)
    for n in range(3, 22):
        _publish(publication, editor, [{}], title=f"Number {n + 1}")
    with django_assert_num_queries(ARCHIVE_QUERIES):
        first = _get(client, url)

    assert "Number 22" in first
    assert "Number 3</span>" in first
    assert "Number 2</span>" not in first
    assert 'href="?page=2"' in first
    second = _get(client, url + "?page=2")
    assert "Number 2</span>" in second
    assert "Number 1</span>" in second
    assert "Page 2 of 2" in second


def test_publication_unknown_is_404(client: Client, db: None) -> None:
    _get(client, reverse("issues:publication-detail", args=["nothing"]), status=404)


# ================================================================ topics


def test_topic_index_counts_published_papers_only(
    client: Client, issue: Issue, unpublished: Issue
) -> None:
    page = _get(client, reverse("issues:topic-list"))

    url = reverse("issues:topic-detail", args=[SLUG, "retrieval"])
    assert '<h2 id="topics-pretraining-weekly"><a href="/en/p/pretraining-weekly/">' in page
    assert f'<a href="{url}">Retrieval</a>' in page
    assert '<span class="other-name" lang="zh-Hans">检索</span>' in page
    # Dense Passage Retrieval only: the scheduled and the submitted ones are not counted.
    assert re.search(
        r'Retrieval</a>\s*<span class="other-name"[^>]*>检索</span>\s*'
        r'<span class="count">1 paper</span>',
        page,
    )


def test_topic_page_lists_the_publication_s_published_papers(
    client: Client,
    issue: Issue,
    unpublished: Issue,
    other_publication: Publication,
    retrieval: Topic,
    grace: Any,
) -> None:
    rl_editor = UserFactory(username="rl-editor")
    grant_role(rl_editor, role="editor", publication=other_publication)
    _publish(
        other_publication,
        rl_editor,
        [
            {
                "paper": PaperFactory(title="Retrieval for Agents"),
                "topic": TopicFactory(publication=other_publication, slug=retrieval.slug),
                "submitter": grace,
            }
        ],
    )
    page = _get(client, reverse("issues:topic-detail", args=[SLUG, "retrieval"]))

    assert '<h1 class="page-title">Retrieval <span class="other-name" lang="zh-Hans">检索' in page
    assert "1 paper in published issues" in page
    assert "Dense Passage Retrieval" in page
    assert "Pretraining Weekly · Issue 1" in page
    assert "Retrieval for Agents" not in page  # RL Weekly's own topic of that slug
    assert "Hidden Scheduled Paper" not in page
    assert "Submitted Only Paper" not in page
    assert reverse("issues:topic-feed-rss", args=[SLUG, "retrieval"]) in page
    assert reverse("issues:topic-feed-atom", args=[SLUG, "retrieval"]) in page
    assert "Scaling Laws" not in page  # another topic
    other = _get(client, reverse("issues:topic-detail", args=[other_publication.slug, "retrieval"]))
    assert "Retrieval for Agents" in other
    assert "Dense Passage Retrieval" not in other


def test_topic_page_unknown_is_404(client: Client, publication: Publication) -> None:
    TopicFactory(slug="elsewhere")
    _get(client, reverse("issues:topic-detail", args=[SLUG, "nothing"]), status=404)
    _get(client, reverse("issues:topic-detail", args=[SLUG, "elsewhere"]), status=404)
    _get(client, reverse("issues:topic-redirect", args=["nothing"]), status=404)


def test_topic_old_address_moves_for_good_to_the_one_publication_s_topic(
    client: Client, topic: Topic
) -> None:
    response = client.get(reverse("issues:topic-redirect", args=[topic.slug]))

    assert response.status_code == 301
    assert response["Location"] == reverse("issues:topic-detail", args=[SLUG, topic.slug])


def test_topic_old_address_of_a_slug_of_several_publications_names_them(
    client: Client, topic: Topic, other_publication: Publication
) -> None:
    TopicFactory(publication=other_publication, slug=topic.slug, name_en="LMs")

    page = _get(client, reverse("issues:topic-redirect", args=[topic.slug]))

    assert reverse("issues:topic-detail", args=[SLUG, topic.slug]) in page
    assert reverse("issues:topic-detail", args=[other_publication.slug, topic.slug]) in page
    assert "Several publications have a topic “language-models”." in page


def test_topic_page_is_paginated_with_fixed_queries(
    client: Client,
    publication: Publication,
    editor: Any,
    topic: Topic,
    django_assert_num_queries: Any,
) -> None:
    url = reverse("issues:topic-detail", args=[SLUG, topic.slug])
    _publish(publication, editor, [{"topic": topic}])
    with django_assert_num_queries(TOPIC_QUERIES):
        _get(client, url)
    _publish(publication, editor, [{"topic": topic} for _ in range(22)])
    with django_assert_num_queries(TOPIC_QUERIES):
        first = _get(client, url)

    assert "23 papers in published issues" in first
    assert first.count('class="entry entry-card"') == 20
    assert "Page 1 of 2" in first
    second = _get(client, url + "?page=2")
    assert second.count('class="entry entry-card"') == 3


def test_topic_page_escapes_hostile_text(
    client: Client, publication: Publication, editor: Any, topic: Topic
) -> None:
    _publish(
        publication,
        editor,
        [
            {
                "topic": topic,
                "paper": PaperFactory(title=SCRIPT, authors=[SCRIPT], institutions=[SCRIPT]),
                "summary": SCRIPT,
                "submitter": UserFactory(display_name=SCRIPT),
            }
        ],
    )
    page = _get(client, reverse("issues:topic-detail", args=[SLUG, topic.slug]))
    assert SCRIPT not in page
    assert ESCAPED in page


# ================================================================ contributors


def test_contributor_page_shows_public_recommendations_and_credited_issues(
    client: Client, issue: Issue, unpublished: Issue, ada: Any
) -> None:
    page = _get(client, reverse("issues:contributors-detail", args=["ada"]))

    assert '<h1 class="page-title">Ada Lovelace</h1>' in page
    assert "Analytical Engines Ltd" in page
    assert "2 published recommendations" in page
    assert "Dense Passage Retrieval</a>" in page
    assert "A new corpus is out</a>" in page
    assert f'<a href="{_issue_url(issue)}">Pretraining Weekly · Issue 1</a>' in page
    assert "Scaling Laws" not in page  # Grace's
    for hidden in ("Hidden Scheduled Paper", "Submitted Only Paper", "Scheduled issue"):
        assert hidden not in page
    assert "ada-secret@example.org" not in page
    assert "@example.org" not in page


def test_contributor_page_of_unknown_or_inactive_member_is_404(client: Client, ada: Any) -> None:
    _get(client, reverse("issues:contributors-detail", args=["nobody"]), status=404)
    ada.is_active = False
    ada.save(update_fields=["is_active"])
    _get(client, reverse("issues:contributors-detail", args=["ada"]), status=404)


def test_contributor_page_without_publications_says_so(client: Client, grace: Any) -> None:
    page = _get(client, reverse("issues:contributors-detail", args=["grace"]))
    assert "Not credited in a published issue yet." in page
    assert "No recommendation published yet." in page


def test_contributor_page_is_paginated_with_fixed_queries(
    client: Client,
    publication: Publication,
    editor: Any,
    ada: Any,
    django_assert_num_queries: Any,
) -> None:
    url = reverse("issues:contributors-detail", args=["ada"])
    _publish(publication, editor, [{"submitter": ada}])
    with django_assert_num_queries(CONTRIBUTOR_QUERIES):
        _get(client, url)
    for _ in range(3):
        _publish(publication, editor, [{"submitter": ada} for _ in range(8)])
    with django_assert_num_queries(CONTRIBUTOR_QUERIES):
        first = _get(client, url)

    assert "25 published recommendations" in first
    assert first.count('class="entry entry-card"') == 20
    assert first.count("<time") == 4 + 20  # the credited issues, the entries
    second = _get(client, url + "?page=2")
    assert second.count('class="entry entry-card"') == 5


def test_contributor_page_escapes_hostile_profile(
    client: Client, publication: Publication, editor: Any
) -> None:
    member = UserFactory(username="mallory", display_name=SCRIPT, affiliation=SCRIPT, bio=SCRIPT)
    _publish(publication, editor, [{"submitter": member, "summary": SCRIPT}])
    page = _get(client, reverse("issues:contributors-detail", args=["mallory"]))
    assert SCRIPT not in page
    assert ESCAPED in page


# ================================================================ the paper page


def test_paper_page_lists_every_public_recommendation(
    client: Client,
    publication: Publication,
    other_publication: Publication,
    editor: Any,
    ada: Any,
    grace: Any,
) -> None:
    paper = PaperFactory(title="Shared Paper", title_zh="", institutions=["MIT"])
    _publish(
        publication,
        editor,
        [{"paper": paper, "submitter": ada, "summary": "Ada *likes* it.", "title_zh": "共享论文"}],
    )
    rl_editor = UserFactory(username="rl-editor")
    grant_role(rl_editor, role="editor", publication=other_publication)
    _publish(
        other_publication,
        rl_editor,
        [{"paper": paper, "submitter": grace, "summary": "Grace too."}],
    )
    RecommendationFactory(paper=paper, summary="Still under review.", publication=publication)

    page = _get(client, reverse("papers:paper-detail", args=[paper.pk]))

    assert "What the community says: 2 recommendations" in page
    assert '<p class="title-zh" lang="zh-Hans">共享论文</p>' in page
    assert '<p class="institutions">MIT</p>' in page
    assert "<p>Ada <em>likes</em> it.</p>" in page
    assert "<p>Grace too.</p>" in page
    ada_url = reverse("issues:contributors-detail", args=["ada"])
    assert f'<a href="{ada_url}">Ada Lovelace</a>' in page
    assert "Pretraining Weekly · Issue 1" in page
    assert "RL Weekly · Issue 1" in page
    assert "Still under review." not in page


def test_paper_page_escapes_hostile_summary(
    client: Client, publication: Publication, editor: Any
) -> None:
    paper = PaperFactory(institutions=[SCRIPT], authors=[SCRIPT])
    _publish(publication, editor, [{"paper": paper, "summary": SCRIPT, "title_zh": SCRIPT}])
    page = _get(client, reverse("papers:paper-detail", args=[paper.pk]))
    assert SCRIPT not in page
    assert ESCAPED in page


# ================================================================ search


def test_search_finds_titles_abstracts_authors_and_summaries(
    client: Client, issue: Issue, unpublished: Issue
) -> None:
    url = reverse("papers:search")
    for query in ("dense passage", "稠密", "BM25", "karpukhin", "encoders", "ENCODERS index"):
        page = _unmarked(_get(client, f"{url}?q={query}"))
        assert "Dense Passage Retrieval</a>" in page, query
        assert "Scaling Laws" not in page, query
    assert "1 result matches “dense passage”" in _get(client, f"{url}?q=dense+passage")
    # Unpublished things are not found: not by title, not by their summary.
    for query in ("Hidden Scheduled", "Submitted Only", "Scheduled summary", "Submitted summary"):
        assert "0 results match" in _get(client, f"{url}?q={query}"), query


def test_the_search_page_labels_its_two_search_landmarks(client: Client, issue: Issue) -> None:
    page = _get(client, reverse("papers:search") + "?q=retrieval")
    landmarks = re.findall(r"<form [^>]*role=\"search\"[^>]*>", page)
    assert len(landmarks) == 2
    assert 'aria-label="Search the site"' in landmarks[0]
    assert 'aria-labelledby="search-title"' in landmarks[1]
    assert '<h1 class="page-title" id="search-title">Search papers and news</h1>' in page


def test_search_and_the_api_find_the_same_papers(client: Client, issue: Issue) -> None:
    response = APIClient().get("/api/v1/papers/", {"q": "encoders"})
    assert [paper["title"] for paper in response.json()["results"]] == ["Dense Passage Retrieval"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a few words to search for"),
        ("   ", "Type a few words to search for"),
        ("x" * 201, "Your search is too long: use at most 200 characters."),
        ("\x00", "Type a few words to search for"),
    ],
)
def test_search_empty_or_too_long_query_says_so(
    client: Client, db: None, query: str, message: str
) -> None:
    page = _get(client, reverse("papers:search") + "?" + _urlencode(q=query))
    assert message in page
    assert "match" not in page.split("<main", 1)[1]


def test_search_echoes_the_query_escaped(client: Client, issue: Issue) -> None:
    page = _get(client, reverse("papers:search") + "?" + _urlencode(q=SCRIPT))
    assert SCRIPT not in page
    assert f"0 results match “{ESCAPED}”" in page
    assert f'value="{ESCAPED}"' in page


def test_search_is_paginated_with_fixed_queries(
    client: Client, publication: Publication, editor: Any, django_assert_num_queries: Any
) -> None:
    url = reverse("papers:search") + "?q=pretraining"
    # On PostgreSQL the matches are picked first, in a query of their own (issues.search).
    queries = SEARCH_QUERIES + (connection.vendor == "postgresql")
    _publish(publication, editor, [{"paper": PaperFactory(authors=["A"])}])
    with django_assert_num_queries(queries):
        _get(client, url)
    _publish(
        publication,
        editor,
        [{"paper": PaperFactory(authors=["A", "B"], institutions=["C"])} for _ in range(22)],
    )
    with django_assert_num_queries(queries):
        first = _get(client, url)

    assert "23 results match “pretraining”" in first
    assert first.count('class="entry entry-card search-result search-paper"') == 20
    assert 'href="?q=pretraining&amp;page=2"' in first
    second = _get(client, url + "&page=2")
    assert second.count('class="entry entry-card search-result search-paper"') == 3


def _unmarked(page: str) -> str:
    """``page`` without the search's marks."""
    return page.replace("<mark>", "").replace("</mark>", "")


def _urlencode(**params: str) -> str:
    return urlencode(params)


# The paper page (``papers:paper-detail``, built here): metadata, where the paper stands,
# where it was featured, the metadata tools each role sees, and a number of queries
# independent of its size.

PENDING_LINE = "A worker fills in this paper's title, authors and abstract shortly."
FETCH_AGAIN = "Fetch again</button>"
ENTER_BY_HAND = "Fill in the metadata by hand</a>"


def _page(client: Client, paper: Paper, language: str = "en") -> str:
    response = client.get(reverse_in(language, "papers:paper-detail", args=[paper.pk]))
    assert response.status_code == 200
    # Rendered now, or the copy that anonymous readers share (then nothing renders).
    if response.templates:
        assert response.templates[0].name == "issues/paper_detail.html"
    return response.content.decode()


def _failed(**fields: Any) -> Paper:
    """A paper whose fetch gave up, as the worker leaves it."""
    values: dict[str, Any] = {
        "metadata_status": MetadataStatus.FAILED,
        "metadata_attempts": 2,
        "metadata_error": "arXiv could not be reached. Gave up after retrying.",
        **fields,
    }
    return PaperFactory(pending=True, **values)


def _published_issue(
    publication: Publication, *, contributor: Any, reviewer: Any, editor: Any
) -> tuple[Paper, Issue]:
    """Issue #1 of ``publication``, featuring one paper, made through the services."""
    recommendation = create_recommendation(
        by=contributor,
        publication=publication,
        identifier="arXiv:2109.08133v2",
        summary="Phrase retrieval learns passage retrieval too.",
    )
    paper = apply_paper_metadata(
        recommendation.paper,
        PaperMetadata(title="Phrase Retrieval Learns Passage Retrieval, Too", year=2021),
        source=MetadataSource.MANUAL,
    )
    review_recommendation(recommendation, by=reviewer, verdict=Verdict.APPROVE)
    issue = create_issue(publication, by=editor, title="Retrieval")
    schedule_recommendation(recommendation, issue=issue, by=editor)
    publish_issue(issue, by=editor)
    return paper, issue


# ================================================================ content


def test_paper_detail_shows_metadata_authors_in_order_and_links(client: Client) -> None:
    paper = PaperFactory(
        arxiv_id="1706.03762",
        arxiv_version=5,
        title="Attention Is All You Need",
        abstract="The dominant sequence transduction models are complex.",
        published_on=dt.date(2017, 6, 12),
        categories=["cs.CL", "cs.LG"],
        journal_ref="NeurIPS 2017",
        doi="10.48550/arxiv.1706.03762",
        code_url="https://github.com/tensorflow/tensor2tensor",
        authors=["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"],
        institutions=["Google Brain", "Google Research", "University of Toronto"],
    )
    page = _page(client, paper)

    assert '<h1 lang="en">Attention Is All You Need</h1>' in page
    assert '<p class="authors">Ashish Vaswani, Noam Shazeer, Niki Parmar</p>' in page
    assert (
        '<p class="institutions">Google Brain; Google Research; University of Toronto</p>' in page
    )
    assert "<dd>arXiv:1706.03762 (v5)</dd>" in page
    assert '<time datetime="2017-06-12">2017-06-12</time>' in page
    assert "<dd>cs.CL, cs.LG</dd>" in page
    assert "<dd>NeurIPS 2017</dd>" in page
    assert (
        '<a href="https://doi.org/10.48550/arxiv.1706.03762" rel="nofollow noopener">'
        "10.48550/arxiv.1706.03762</a>" in page
    )
    assert "<dd>arXiv</dd>" in page  # the metadata source
    assert '<a href="https://arxiv.org/abs/1706.03762" rel="nofollow noopener">Paper</a>' in page
    assert '<a href="https://arxiv.org/pdf/1706.03762" rel="nofollow noopener">PDF</a>' in page
    assert (
        '<a href="https://github.com/tensorflow/tensor2tensor" rel="nofollow noopener">Code</a>'
        in page
    )
    assert (
        '<p class="abstract" lang="en">The dominant sequence transduction models are complex.</p>'
        in page
    )
    # Fetched metadata: no status notice, no tools for a visitor, featured nowhere.
    assert 'class="notice metadata-status"' not in page
    assert "Metadata tools" not in page
    assert "Featured in" not in page


def test_paper_detail_shows_where_the_affiliations_stand(client: Client) -> None:
    two_days_ago = timezone.now() - dt.timedelta(days=2, hours=3)
    enriched = PaperFactory(
        affiliations_source="openalex",
        affiliations_fetched_at=two_days_ago,
        affiliations_checked_at=two_days_ago,
        venue="Nature Machine Intelligence",
        published_doi="10.1038/s42256-024-00832-8",
    )
    failed = PaperFactory(
        affiliations_checked_at=two_days_ago,
        affiliations_error=f"OpenAlex answered {SCRIPT}.",
    )
    refreshed_badly = PaperFactory(
        affiliations_source="openalex",
        affiliations_fetched_at=two_days_ago,
        affiliations_error="OpenAlex is temporarily unavailable (HTTP 503).",
    )

    page = _page(client, enriched)
    # timesince joins a number to its unit with a no-break space.
    assert '<dd class="affiliations-state">from OpenAlex, 2\u00a0days ago</dd>' in page
    assert "<dd>Nature Machine Intelligence</dd>" in page
    assert 'href="https://doi.org/10.1038/s42256-024-00832-8"' in page
    assert "OpenAlex answered &lt;script&gt;" in _page(client, failed)
    assert (
        '<dd class="affiliations-state">from OpenAlex, 2\u00a0days ago; the last try: OpenAlex is '
        "temporarily unavailable (HTTP 503).</dd>" in _page(client, refreshed_badly)
    )
    assert '<dd class="affiliations-state">not yet</dd>' in _page(client, PaperFactory())


def test_paper_detail_names_institutions_in_the_readers_language(client: Client) -> None:
    paper = PaperFactory(institutions=["Tsinghua University", "Zhipu AI"])
    paper.institutions.filter(name="Tsinghua University").update(name_zh="清华大学")

    assert '<p class="institutions">Tsinghua University; Zhipu AI</p>' in _page(client, paper)
    assert '<p class="institutions">清华大学; Zhipu AI</p>' in _page(client, paper, "zh-hans")


def test_paper_detail_links_each_identifier_the_paper_is_known_by(client: Client) -> None:
    paper = PaperFactory(
        arxiv_id=None,
        arxiv_version=None,
        acl_id="2022.acl-long.123",
        openreview_id="rJl-b3RcF7",
        s2_id="354dcdebf3f8b5feeed5c62090e0bc1f0c28db06",
        doi="10.18653/v1/2022.acl-long.123",
        title="Known four ways",
    )
    page = _page(client, paper)

    assert "<dd>ACL 2022.acl-long.123</dd>" in page
    assert (
        '<a href="https://aclanthology.org/2022.acl-long.123/" rel="nofollow noopener">'
        "2022.acl-long.123</a>" in page
    )
    assert (
        '<a href="https://openreview.net/forum?id=rJl-b3RcF7" rel="nofollow noopener">'
        "rJl-b3RcF7</a>" in page
    )
    assert (
        '<a href="https://www.semanticscholar.org/paper/354dcdebf3f8b5feeed5c62090e0bc1f0c28db06" '
        'rel="nofollow noopener">354dcdebf3f8b5feeed5c62090e0bc1f0c28db06</a>' in page
    )
    assert (
        '<a href="https://aclanthology.org/2022.acl-long.123/" rel="nofollow noopener">Paper</a>'
        in page
    )


def test_paper_detail_authors_follow_position_not_creation_order(client: Client) -> None:
    paper = PaperFactory(title="Ordered")
    apply_paper_metadata(
        paper,
        PaperMetadata(
            title="Ordered",
            authors=[AuthorData("Zoe Zimmer"), AuthorData("Adam Abel"), AuthorData("Mia Moor")],
            institutions=["Zeta Institute", "Alpha University"],
        ),
        source=MetadataSource.MANUAL,
    )
    page = _page(client, paper)
    assert '<p class="authors">Zoe Zimmer, Adam Abel, Mia Moor</p>' in page
    assert '<p class="institutions">Zeta Institute; Alpha University</p>' in page
    assert "<dd>Entered by hand</dd>" in page


def test_paper_detail_without_title_is_named_by_identifier(client: Client) -> None:
    paper = PaperFactory(pending=True, arxiv_id="2109.08133", arxiv_version=None)
    page = _page(client, paper)
    assert "<title>arXiv:2109.08133</title>" in page
    assert '<h1 lang="en">arXiv:2109.08133</h1>' in page
    assert "<dd>arXiv:2109.08133</dd>" in page  # no version known


def test_paper_detail_failed_shows_status_attempts_and_escaped_error(client: Client) -> None:
    paper = _failed(metadata_error=f"arXiv answered {SCRIPT} instead of a feed.")
    page = _page(client, paper)

    assert "<strong>Metadata: Fetching failed</strong>" in page
    assert "(2 attempts)" in page
    assert (
        '<p class="error">arXiv answered &lt;script&gt;alert(1)&lt;/script&gt; instead of a feed.'
        "</p>" in page
    )
    assert SCRIPT not in page
    assert PENDING_LINE not in page


def test_paper_detail_not_found_shows_its_label(client: Client) -> None:
    paper = PaperFactory(
        pending=True,
        metadata_status=MetadataStatus.NOT_FOUND,
        metadata_attempts=1,
        metadata_error="arXiv has no paper with the id 2401.99999.",
        arxiv_id="2401.99999",
    )
    page = _page(client, paper)
    assert "<strong>Metadata: Not found</strong>" in page
    assert "(1 attempt)" in page
    assert '<p class="error">arXiv has no paper with the id 2401.99999.</p>' in page
    assert PENDING_LINE not in page


@pytest.mark.parametrize(
    ("status", "label"),
    [(MetadataStatus.PENDING, "Waiting to be fetched"), (MetadataStatus.FETCHING, "Being fetched")],
)
def test_paper_detail_unfetched_shows_the_worker_line(
    client: Client, status: str, label: str
) -> None:
    paper = PaperFactory(pending=True, metadata_status=status)
    page = _page(client, paper)
    assert f"<strong>Metadata: {label}</strong>" in page
    assert PENDING_LINE in page
    assert "attempt" not in page  # no attempts yet
    assert '<p class="error">' not in page


def test_paper_detail_unknown_pk_is_404(client: Client) -> None:
    paper = PaperFactory()
    response = client.get(reverse("papers:paper-detail", args=[paper.pk + 1000]))
    assert response.status_code == 404


def test_paper_detail_anonymous_copy_is_shared_until_the_row_changes(client: Client) -> None:
    paper = PaperFactory(title="Before the fetch")
    url = reverse("papers:paper-detail", args=[paper.pk])
    first = client.get(url)
    assert first["Cache-Control"].startswith("public")
    with CaptureQueriesContext(connection) as queries:
        again = Client().get(url)
    # Only when the row changed: the page itself comes from the cache.
    assert len(queries.captured_queries) == 1
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]

    # A service that writes the row with update() moves updated_at too: the change shows at once.
    Paper.objects.filter(pk=paper.pk).update(title="After the fetch")
    after = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert "After the fetch" in after.content.decode()
    assert after["ETag"] != first["ETag"]
    # Nor does a date taken before a change answer 304 (dates count whole seconds).
    later = timezone.now() + dt.timedelta(seconds=2)
    Paper.objects.filter(pk=paper.pk).update(title="Fetched again", updated_at=later)
    dated = Client().get(url, HTTP_IF_MODIFIED_SINCE=after["Last-Modified"])
    assert dated.status_code == 200
    assert "Fetched again" in dated.content.decode()
    assert Client().get(url, HTTP_IF_MODIFIED_SINCE=dated["Last-Modified"]).status_code == 304


def test_paper_detail_is_rendered_for_a_member_alone(client: Client) -> None:
    paper = PaperFactory(title="A paper members see")
    member = UserFactory()
    client.force_login(member)
    response = client.get(reverse("papers:paper-detail", args=[paper.pk]))
    assert response["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response


# ================================================================ featured in


def test_paper_detail_lists_the_published_issue(
    client: Client, publication: Publication, contributor: Any, reviewer: Any, editor: Any
) -> None:
    contributor.display_name = "Ada <b>Lovelace</b>"
    contributor.save(update_fields=["display_name"])
    paper, issue = _published_issue(
        publication, contributor=contributor, reviewer=reviewer, editor=editor
    )
    page = _page(client, paper)

    assert issue.number == 1
    url = reverse("issues:issue-detail", args=[publication.slug, 1])
    assert "<h2>Featured in</h2>" in page
    assert (
        f'<li><a href="{url}">Pretraining Weekly · Issue 1</a> — recommended by '
        "Ada &lt;b&gt;Lovelace&lt;/b&gt;</li>" in page
    )
    assert "<dd>arXiv:2109.08133 (v2)</dd>" in page
    assert "<dd>2021</dd>" in page  # the year, as no first-publication date is known


def test_paper_detail_does_not_list_an_unpublished_issue(
    client: Client, publication: Publication, contributor: Any, reviewer: Any, editor: Any
) -> None:
    recommendation = create_recommendation(
        by=contributor, publication=publication, identifier="2109.08133", summary="Why it matters."
    )
    apply_paper_metadata(
        recommendation.paper, PaperMetadata(title="Draft only"), source=MetadataSource.MANUAL
    )
    review_recommendation(recommendation, by=reviewer, verdict=Verdict.APPROVE)
    issue = create_issue(publication, by=editor, title="Not yet")
    schedule_recommendation(recommendation, issue=issue, by=editor)
    schedule_issue(issue, by=editor, publish_at=timezone.now() + dt.timedelta(days=1))

    page = _page(client, recommendation.paper)
    assert "Featured in" not in page
    assert reverse("issues:issue-preview", args=[issue.pk]) not in page


# ================================================================ metadata tools


@pytest.mark.parametrize(
    ("role", "recommended", "sees_fetch_again", "sees_enter"),
    [
        ("anonymous", True, False, False),
        ("contributor", True, False, False),
        ("reviewer", True, False, False),
        # ok metadata from arXiv: fetched again by the editors where it is recommended, never
        # replaced by hand.
        ("editor", True, True, False),
        ("editor", False, False, False),
        ("admin_user", False, True, False),
    ],
)
def test_paper_detail_fetch_again_button_by_role(
    client: Client,
    request: pytest.FixtureRequest,
    publication: Publication,
    role: str,
    recommended: bool,
    sees_fetch_again: bool,
    sees_enter: bool,
) -> None:
    paper = PaperFactory(title="Fetched")
    if recommended:
        RecommendationFactory(publication=publication, paper=paper)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    page = _page(client, paper)
    form = f'<form method="post" action="{reverse("metadata:paper-refetch", args=[paper.pk])}">'
    assert (form in page, FETCH_AGAIN in page) == (sees_fetch_again, sees_fetch_again)
    assert (ENTER_BY_HAND in page) is sees_enter
    assert ("<h2>Metadata tools</h2>" in page) is (sees_fetch_again or sees_enter)


@pytest.mark.parametrize(
    ("who", "status", "sees_enter"),
    [
        ("contributor", MetadataStatus.FAILED, True),
        ("contributor", MetadataStatus.NOT_FOUND, True),
        ("contributor", MetadataStatus.PENDING, False),
        ("contributor", MetadataStatus.OK, False),
        ("other_contributor", MetadataStatus.FAILED, False),
        ("anonymous", MetadataStatus.FAILED, False),
    ],
)
def test_paper_detail_enter_link_for_the_recommending_member(
    client: Client,
    request: pytest.FixtureRequest,
    publication: Publication,
    contributor: Any,
    who: str,
    status: str,
    sees_enter: bool,
) -> None:
    paper = _failed() if status != MetadataStatus.OK else PaperFactory()
    Paper.objects.filter(pk=paper.pk).update(metadata_status=status)
    RecommendationFactory(publication=publication, paper=paper, submitter=contributor)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    page = _page(client, paper)

    link = f'<a href="{reverse("metadata:paper-enter-metadata", args=[paper.pk])}">'
    assert (link in page, ENTER_BY_HAND in page) == (sees_enter, sees_enter)
    assert FETCH_AGAIN not in page  # only editors fetch again


# ================================================================ queries


def _queries_for_page(client: Client, paper: Paper) -> list[str]:
    url = reverse("papers:paper-detail", args=[paper.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("role", ["anonymous", "contributor", "editor"])
def test_paper_detail_queries_do_not_grow_with_authors(
    client: Client,
    request: pytest.FixtureRequest,
    publication: Publication,
    contributor: Any,
    reviewer: Any,
    editor: Any,
    role: str,
) -> None:
    small, issue = _published_issue(
        publication, contributor=contributor, reviewer=reviewer, editor=editor
    )
    large = PaperFactory(
        authors=[f"Author {n:02d}" for n in range(30)],
        institutions=[f"Institution {n:02d}" for n in range(30)],
    )
    apply_paper_metadata(
        small,
        PaperMetadata(
            title=small.title,
            authors=[AuthorData("First Author"), AuthorData("Second Author")],
            institutions=["Only Institution"],
        ),
        source=MetadataSource.ARXIV,
    )
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    small_queries = _queries_for_page(client, small)
    large_queries = _queries_for_page(client, large)

    assert len(small_queries) == len(large_queries), (small_queries, large_queries)
    # When the paper's row changed (the key of its cached copy), the paper, its authors, its
    # institutions, its issue entries; a member adds the session, the user and the user's roles;
    # an editor, whether the paper is recommended in their publications (may they fetch it again).
    assert len(large_queries) == {"anonymous": 5, "contributor": 8, "editor": 9}[role]
    assert ", ".join(f"Author {n:02d}" for n in range(30)) in _page(client, large)
    assert issue.get_absolute_url() in _page(client, small)


def test_readers_see_a_drafted_entry_only_when_the_publication_tells_them(
    client: Client, issue: Issue, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import timezone as tz

    from drafting import services as drafting_services
    from drafting.models import Draft

    dense = issue.entries.get(paper__title="Dense Passage Retrieval").paper
    Draft.objects.create(
        publication=issue.publication,
        paper=dense,
        status="ready",
        model="good",
        accepted_by=editor,
        accepted_at=tz.now(),
        accepted_fields={"title_zh": "as_is"},
    )
    note = "First drafted by a language model, then checked and edited by people."
    assert note not in _get(client, _issue_url(issue))
    # The page is cached now; telling readers retires the copy that does not tell them.
    with django_capture_on_commit_callbacks(execute=True):
        drafting_services.set_house_style(
            issue.publication, by=editor, spacing="any", show_draft_note=True
        )
    assert _get(client, _issue_url(issue)).count(note) == 1
    # And no longer telling them retires the copy that does.
    with django_capture_on_commit_callbacks(execute=True):
        drafting_services.set_house_style(
            issue.publication, by=editor, spacing="any", show_draft_note=False
        )
    assert note not in _get(client, _issue_url(issue))


def test_the_house_style_retires_cached_pages_only_when_telling_readers_changes(
    issue: Issue, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from drafting import services as drafting_services
    from issues.caching import published_version

    before = published_version()
    with django_capture_on_commit_callbacks(execute=True):
        drafting_services.set_house_style(issue.publication, by=editor, spacing="none")
    assert published_version() == before
    with django_capture_on_commit_callbacks(execute=True):
        drafting_services.set_house_style(
            issue.publication, by=editor, spacing="none", show_draft_note=True
        )
    assert published_version() != before
