"""The paper page (``papers:paper-detail``, built by ``issues.views``): metadata, where the paper
stands, where it was featured, the metadata tools each role sees, and a number of queries
independent of its size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues import services
from issues.enums import Verdict
from issues.models import Issue, Publication
from papers.enums import MetadataSource, MetadataStatus
from papers.models import Paper
from papers.services import AuthorData, PaperMetadata, apply_paper_metadata
from tests.factories import PaperFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
PENDING_LINE = "A worker fills in this paper's title, authors and abstract shortly."
FETCH_AGAIN = "Fetch again</button>"
ENTER_BY_HAND = "Fill in the metadata by hand</a>"


def _page(client: Client, paper: Paper) -> str:
    response = client.get(reverse("papers:paper-detail", args=[paper.pk]))
    assert response.status_code == 200
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
    recommendation = services.create_recommendation(
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
    services.review_recommendation(recommendation, by=reviewer, verdict=Verdict.APPROVE)
    issue = services.create_issue(publication, by=editor, title="Retrieval")
    services.schedule_recommendation(recommendation, issue=issue, by=editor)
    services.publish_issue(issue, by=editor)
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
    recommendation = services.create_recommendation(
        by=contributor, publication=publication, identifier="2109.08133", summary="Why it matters."
    )
    apply_paper_metadata(
        recommendation.paper, PaperMetadata(title="Draft only"), source=MetadataSource.MANUAL
    )
    services.review_recommendation(recommendation, by=reviewer, verdict=Verdict.APPROVE)
    issue = services.create_issue(publication, by=editor, title="Not yet")
    services.schedule_recommendation(recommendation, issue=issue, by=editor)
    services.schedule_issue(issue, by=editor, publish_at=timezone.now() + dt.timedelta(days=1))

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
    form = f'<form method="post" action="{reverse("issues:paper-refetch", args=[paper.pk])}">'
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

    link = f'<a href="{reverse("issues:paper-enter-metadata", args=[paper.pk])}">'
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
    # The paper, its authors, its institutions, its issue entries; a member adds the session,
    # the user and the user's roles; an editor, whether the paper is recommended in their
    # publications (may they fetch it again).
    assert len(large_queries) == {"anonymous": 4, "contributor": 7, "editor": 8}[role]
    assert ", ".join(f"Author {n:02d}" for n in range(30)) in _page(client, large)
    assert issue.get_absolute_url() in _page(client, small)
