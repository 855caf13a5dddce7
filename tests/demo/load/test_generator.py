"""generate_load_data: a small run makes data the pages serve and the constraints accept, as
publishing would have made it; it refuses a database that holds content."""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import Client

from demo.load.generator import LoadSpec, generate_load_data
from demo.load.words import SEARCH_WORDS
from issues.enums import IssueStatus, Section
from issues.models import Issue, IssueEntry
from newsletter.models import Subscriber
from papers.models import Paper
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation, Review, Transition

pytestmark = pytest.mark.django_db

PAPERS, ISSUES, PUBLICATIONS = 300, 10, 2


@pytest.fixture
def output() -> str:
    out = io.StringIO()
    call_command(
        "generate_load_data",
        papers=PAPERS,
        issues=ISSUES,
        publications=PUBLICATIONS,
        seed=3,
        stdout=out,
    )
    return out.getvalue()


def test_generate_load_data_makes_the_counts_asked(output: str) -> None:
    assert Paper.objects.count() == PAPERS
    assert Publication.objects.count() == PUBLICATIONS
    assert Issue.objects.filter(status=IssueStatus.PUBLISHED).count() == ISSUES
    assert Subscriber.objects.count() == PAPERS // 10
    # Every paper was recommended; the per-model counts and the time are printed.
    assert not Paper.objects.filter(recommendations=None).exists()
    assert re.search(rf"^papers\.Paper +{PAPERS}$", output, re.MULTILINE)
    assert re.search(r"^Generated in [0-9.]+ s", output, re.MULTILINE)


def test_generate_load_data_numbers_issues_consecutively(output: str) -> None:
    for publication in Publication.objects.all():
        numbers = list(
            publication.issues.filter(status=IssueStatus.PUBLISHED)
            .order_by("number")
            .values_list("number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
        dates = list(
            publication.issues.filter(status=IssueStatus.PUBLISHED)
            .order_by("number")
            .values_list("published_at", flat=True)
        )
        assert dates == sorted(dates)
    # Unpublished issues have no number.
    assert not Issue.objects.exclude(status=IssueStatus.PUBLISHED).exclude(number=None).exists()


def test_generate_load_data_features_a_paper_once_per_publication(output: str) -> None:
    featured = (
        IssueEntry.objects.filter(issue__status=IssueStatus.PUBLISHED, paper__isnull=False)
        .values("issue__publication", "paper")
        .annotate(times=Count("id"))
    )
    assert featured
    assert max(row["times"] for row in featured) == 1


def test_generate_load_data_freezes_entries_as_publishing_would(output: str) -> None:
    entries = IssueEntry.objects.filter(
        issue__status=IssueStatus.PUBLISHED, section=Section.PAPERS
    ).select_related("recommendation", "paper")
    for entry in entries:
        paper, rec = entry.paper, entry.recommendation
        assert rec.status == RecommendationStatus.PUBLISHED
        assert rec.paper_id == paper.pk
        assert entry.shown_title == paper.title
        assert entry.shown_title_zh == (rec.title_zh or paper.title_zh)
        assert entry.shown_authors.splitlines() == [
            a.author.name for a in paper.authorships.order_by("position")
        ]
        assert entry.shown_summary == rec.summary
        assert entry.shown_url == paper.url
    news = IssueEntry.objects.filter(section=Section.NEWS)
    assert news.exists()
    assert not news.filter(shown_url="").exists()


def test_generate_load_data_records_each_recommendations_history(output: str) -> None:
    transitions = {}
    for t in Transition.objects.filter(recommendation__isnull=False).order_by("created_at", "id"):
        transitions.setdefault(t.recommendation_id, []).append(t)
    states = Counter()
    for rec in Recommendation.objects.all():
        history = transitions[rec.pk]
        assert history[0].action == "create"
        assert history[-1].to_status == rec.status
        for before, after in itertools.pairwise(history):
            assert after.from_status == before.to_status
        # A round per submission, as the services count them.
        resubmissions = [t for t in history if t.action == "submit"][1:]
        assert rec.review_round == 1 + len(resubmissions)
        for review in rec.reviews.all():
            assert review.round == 1 + sum(t.created_at < review.created_at for t in resubmissions)
        states[rec.status] += 1
    assert {"published", "submitted", "rejected"} <= set(states)
    # Nobody reviews their own recommendation.
    assert not Review.objects.filter(reviewer=F("recommendation__submitter")).exists()


def test_generate_load_data_pages_render(output: str) -> None:
    client = Client()
    issue = Issue.objects.filter(status=IssueStatus.PUBLISHED).order_by("-published_at").first()
    slug = issue.publication.slug
    paper = issue.entries.filter(section=Section.PAPERS).first().paper
    for url in [
        "/en/",
        f"/en/p/{slug}/",
        f"/en/p/{slug}/{issue.number}/",
        f"/en/papers/{paper.pk}/",
        f"/api/v1/publications/{slug}/issues/{issue.number}/",
        "/api/v1/papers/?page_size=50",
    ]:
        assert client.get(url).status_code == 200, url
    page = client.get(f"/en/p/{slug}/{issue.number}/").content.decode()
    assert issue.title in page
    listed = client.get("/api/v1/papers/?page_size=50").json()
    assert listed["count"] == PAPERS
    # The Chinese search word is in the generated titles, and search finds them.
    found = client.get(f"/api/v1/papers/?q={quote(SEARCH_WORDS['zh'])}").json()
    assert found["count"] > 0
    assert any(SEARCH_WORDS["zh"] in p["title_zh"] for p in found["results"])


def test_generate_load_data_refuses_a_database_with_content(output: str) -> None:
    with pytest.raises(CommandError, match="fills an empty one"):
        call_command(
            "generate_load_data", papers=10, issues=1, publications=1, stdout=io.StringIO()
        )
    assert Paper.objects.count() == PAPERS


def _archive() -> dict[str, list[tuple]]:
    """Enough of the generated rows to tell two runs apart."""
    return {
        "papers": list(Paper.objects.order_by("pk").values_list("pk", "arxiv_id", "title")),
        "recommendations": list(
            Recommendation.objects.order_by("pk").values_list("pk", "status", "summary")
        ),
        "reviews": list(Review.objects.order_by("pk").values_list("pk", "verdict", "comment")),
        "transitions": list(
            Transition.objects.order_by("pk").values_list("pk", "action", "created_at")
        ),
        "entries": list(
            IssueEntry.objects.order_by("pk").values_list("pk", "issue_id", "shown_authors")
        ),
        "subscribers": list(Subscriber.objects.order_by("pk").values_list("pk", "email")),
    }


def test_generate_load_data_gives_the_same_rows_for_the_same_seed() -> None:
    runs = []
    for _run in range(2):
        with transaction.atomic():
            generate_load_data(LoadSpec(papers=120, issues=4, publications=2, seed=5))
            runs.append(_archive())
            transaction.set_rollback(True)
    assert runs[0]["papers"]
    assert runs[0] == runs[1]


def test_generate_load_data_refuses_an_empty_spec() -> None:
    with pytest.raises(CommandError, match="at least one paper"):
        call_command("generate_load_data", papers=0, issues=1, stdout=io.StringIO())
