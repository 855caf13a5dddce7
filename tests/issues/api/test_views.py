"""The endpoints of publications and issues: the catalogue's filters and pages, and an editor's
way from accepted recommendations to a published, corrected issue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from issues.enums import IssueStatus, Section
from issues.models import Correction, Issue, IssueEntry
from issues.services import assemble_issue, create_issue, publish_issue, schedule_recommendation
from papers.models import Paper
from publications.models import Publication, Topic
from publications.services import grant_role
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation
from tests.api.helpers import API, _error
from tests.conftest import client_for
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    PaperFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# ================================================================ the catalogue: filters


@pytest.fixture
def catalogue(
    publication: Publication,
    other_publication: Publication,
    editor: Any,
    topic: Topic,
) -> dict[str, Paper]:
    """Three papers: ``scaling`` featured in pretraining-weekly under ``topic``, ``reward`` only
    submitted, ``strings`` featured in rl-weekly without a topic."""
    scaling = PaperFactory(
        title="Scaling Laws for Sparse Mixtures",
        abstract="Experts routed by tokens.",
        year=2023,
        code_url="https://github.com/example/scaling",
        primary_category="cs.CL",
        categories=["cs.CL", "cs.LG"],
        authors=["Ada Lovelace"],
    )
    reward = PaperFactory(
        title="Reward Models Revisited",
        abstract="We observe grokking in preference data.",
        year=2024,
        primary_category="cs.LG",
        categories=["cs.LG", "stat.ML"],
        authors=["Alan Turing"],
    )
    strings = PaperFactory(
        title="Tokenizers on the Worldsheet",
        abstract="Strings, again.",
        year=2022,
        primary_category="hep-th",
        categories=["hep-th"],
        authors=["Grace Hopper"],
    )
    RecommendationFactory(publication=publication, paper=reward, topic=topic)
    _publish(publication, editor, [(scaling, topic)])
    rl_editor = UserFactory(username="rl-editor")
    grant_role(rl_editor, role="editor", publication=other_publication)
    _publish(other_publication, rl_editor, [(strings, None)])
    return {"scaling": scaling, "reward": reward, "strings": strings}


def _publish(publication: Publication, editor: Any, papers: list[tuple[Paper, Any]]) -> Issue:
    issue = create_issue(publication, by=editor, title="An issue")
    for paper, topic in papers:
        recommendation = RecommendationFactory(
            publication=publication,
            paper=paper,
            topic=topic,
            status=RecommendationStatus.ACCEPTED,
            decided_at=timezone.now(),
        )
        schedule_recommendation(recommendation, issue=issue, by=editor)
    return publish_issue(issue, by=editor)


def _titles(query: str) -> list[str]:
    response = APIClient().get(f"{API}/papers/{query}")
    assert response.status_code == 200, response.content
    return [paper["title"] for paper in response.json()["results"]]


SCALING, REWARD, STRINGS = (
    "Scaling Laws for Sparse Mixtures",
    "Reward Models Revisited",
    "Tokenizers on the Worldsheet",
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("?q=sparse", {SCALING}, id="q-title"),
        pytest.param("?q=GROKKING", {REWARD}, id="q-abstract-any-case"),
        pytest.param("?q=hopper", {STRINGS}, id="q-author"),
        pytest.param("?q=tokens+lovelace", {SCALING}, id="q-every-word"),
        pytest.param("?q=tokens+turing", set(), id="q-words-of-different-papers"),
        pytest.param("?topic=language-models", {SCALING}, id="topic-published-only"),
        pytest.param("?topic=no-such-topic", set(), id="topic-unknown"),
        pytest.param(
            "?topic=language-models&publication=pretraining-weekly",
            {SCALING},
            id="topic-of-the-publication",
        ),
        pytest.param(
            "?topic=language-models&publication=rl-weekly", set(), id="topic-of-another-publication"
        ),
        pytest.param("?publication=pretraining-weekly", {SCALING}, id="publication"),
        pytest.param("?publication=rl-weekly", {STRINGS}, id="publication-other"),
        pytest.param("?year=2024", {REWARD}, id="year"),
        pytest.param("?has_code=true", {SCALING}, id="has-code"),
        pytest.param("?has_code=false", {REWARD, STRINGS}, id="has-no-code"),
        pytest.param("?category=cs.CL", {SCALING}, id="category-primary"),
        pytest.param("?category=cs.LG", {SCALING, REWARD}, id="category-cross-listed"),
        pytest.param("?category=stat.ML", {REWARD}, id="category-only-cross-listed"),
        pytest.param("?category=cs.C", set(), id="category-whole-name-only"),
        pytest.param("?featured=true", {SCALING, STRINGS}, id="featured"),
        pytest.param("?featured=false", {REWARD}, id="not-featured"),
        pytest.param("?featured=true&has_code=false", {STRINGS}, id="combined"),
    ],
)
def test_papers_list_filters(catalogue: dict[str, Paper], query: str, expected: set[str]) -> None:
    titles = _titles(query)
    assert set(titles) == expected
    assert len(titles) == len(expected)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        pytest.param("title", [REWARD, SCALING, STRINGS], id="title"),
        pytest.param("-title", [STRINGS, SCALING, REWARD], id="title-descending"),
        pytest.param("year", [STRINGS, SCALING, REWARD], id="year"),
        pytest.param("-year", [REWARD, SCALING, STRINGS], id="year-descending"),
    ],
)
def test_papers_list_ordering(
    catalogue: dict[str, Paper], ordering: str, expected: list[str]
) -> None:
    assert _titles(f"?ordering={ordering}") == expected


def test_papers_list_default_order_is_newest_first(catalogue: dict[str, Paper]) -> None:
    assert _titles("") == [STRINGS, REWARD, SCALING]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("?year=abc", "year", id="year-not-a-number"),
        pytest.param("?year=1800", "year", id="year-too-early"),
        pytest.param("?category=not%20a%20category", "category", id="category"),
        pytest.param("?ordering=abstract", "ordering", id="ordering-unknown-field"),
        pytest.param("?q=" + "x" * 201, "q", id="q-too-long"),
    ],
)
def test_papers_list_invalid_filter_is_400(
    catalogue: dict[str, Paper], query: str, field: str
) -> None:
    error = _error(APIClient().get(f"{API}/papers/{query}"), 400, "invalid")
    assert list(error["fields"]) == [field]


# ================================================================ pagination


def test_papers_list_pages(db: None) -> None:
    for n in range(7):
        PaperFactory(title=f"Paper {n}")
    api = APIClient()

    first = api.get(f"{API}/papers/?page_size=3&ordering=title").json()
    last = api.get(f"{API}/papers/?page_size=3&ordering=title&page=3").json()

    assert first["count"] == 7
    assert [p["title"] for p in first["results"]] == ["Paper 0", "Paper 1", "Paper 2"]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/papers/?ordering=title&page=2&page_size=3"
    assert [p["title"] for p in last["results"]] == ["Paper 6"]
    assert last["next"] is None


def test_papers_list_page_size_default_50_and_at_most_100(db: None) -> None:
    for _ in range(101):
        PaperFactory()
    api = APIClient()

    assert len(api.get(f"{API}/papers/").json()["results"]) == 50
    assert len(api.get(f"{API}/papers/?page_size=1000").json()["results"]) == 100


def test_papers_list_page_beyond_the_last_is_404(db: None) -> None:
    PaperFactory()

    response = APIClient().get(f"{API}/papers/?page=2")

    _error(response, 404, "not_found")


def test_papers_list_page_not_a_number_is_404(db: None) -> None:
    _error(APIClient().get(f"{API}/papers/?page=last-but-one"), 404, "not_found")


# ================================================================ an editor's issue


@pytest.fixture
def accepted(publication: Publication, contributor: Any) -> dict[str, Recommendation]:
    """Accepted recommendations: two under a later topic, one under an earlier, one news."""
    later = TopicFactory(slug="agents", name_en="Agents", name_zh="智能体", position=20)
    earlier = TopicFactory(slug="data", name_en="Data", name_zh="数据", position=10)

    def rec(name: str, **fields: Any) -> Recommendation:
        return RecommendationFactory(
            publication=publication,
            status=RecommendationStatus.ACCEPTED,
            decided_at=timezone.now(),
            summary=f"Why {name} matters.",
            **fields,
        )

    return {
        "agent-1": rec("agent-1", topic=later, paper=PaperFactory(title="Agents One")),
        "data": rec("data", topic=earlier, paper=PaperFactory(title="Data Matters")),
        "agent-2": rec("agent-2", topic=later, paper=PaperFactory(title="Agents Two")),
        "news": rec("news", news=True, news_title="A new benchmark", submitter=contributor),
    }


def _entry_titles(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["section"], e["title"]) for e in entries]


def test_editor_flow_assemble_reorder_remove_schedule_publish_correct(
    publication: Publication, editor: Any, accepted: dict[str, Recommendation]
) -> None:
    client = client_for(editor)

    # A draft issue.
    created = client.post(f"{API}/publications/{publication.slug}/issues/", {})
    assert created.status_code == 201, created.content
    issue_id = created.json()["id"]
    assert (created.json()["status"], created.json()["number"]) == ("draft", None)
    base = f"{API}/issues/{issue_id}"

    # Assembled: papers by topic in the topics' order, oldest decision first; news last.
    assembled = client.post(f"{base}/assemble/")
    assert assembled.status_code == 200, assembled.content
    body = assembled.json()
    assert _entry_titles(body["entries"]) == [
        ("papers", "Data Matters"),
        ("papers", "Agents One"),
        ("papers", "Agents Two"),
        ("news", "A new benchmark"),
    ]
    assert body["title"] == "Data Matters、A new benchmark"
    assert body["intro_en"].startswith(
        "This issue picks 3 papers, on data and agents. In research news we picked 1 item: "
        "A new benchmark."
    )
    assert body["intro_zh"].startswith("本期周刊，我们选择了3篇论文，涉及数据、智能体。")
    in_order = [accepted[name].submitter for name in ("data", "agent-1", "agent-2", "news")]
    assert body["credits"] == " ".join(user.public_name for user in in_order)
    assert {r.status for r in Recommendation.objects.all()} == {RecommendationStatus.SCHEDULED}

    # Reordered: positions restart in each section.
    ids = {e["title"]: e["id"] for e in body["entries"]}
    order = [ids["Agents Two"], ids["A new benchmark"], ids["Data Matters"], ids["Agents One"]]
    reordered = client.put(f"{base}/entries/", {"order": order})
    assert reordered.status_code == 200, reordered.content
    assert [(e["title"], e["position"]) for e in reordered.json()] == [
        ("Agents Two", 1),
        ("Data Matters", 2),
        ("Agents One", 3),
        ("A new benchmark", 1),
    ]

    # An incomplete order is refused and changes nothing.
    refused = client.put(f"{base}/entries/", {"order": order[:2]})
    _error(refused, 400, "bad_order")

    # An entry taken out: its recommendation waits for a later issue.
    removed = client.delete(f"{base}/entries/{ids['Agents One']}/")
    assert removed.status_code == 204
    assert not IssueEntry.objects.filter(pk=ids["Agents One"]).exists()
    accepted["agent-1"].refresh_from_db()
    assert accepted["agent-1"].status == RecommendationStatus.ACCEPTED
    entries = client.get(f"{base}/entries/").json()
    assert _entry_titles(entries) == [
        ("papers", "Agents Two"),
        ("papers", "Data Matters"),
        ("news", "A new benchmark"),
    ]

    # Scheduled for later.
    later = timezone.now() + dt.timedelta(days=2)
    scheduled = client.post(f"{base}/publish/", {"publish_at": later.isoformat()})
    assert scheduled.status_code == 200, scheduled.content
    assert scheduled.json()["status"] == "scheduled"
    assert dt.datetime.fromisoformat(scheduled.json()["publish_at"]) == later
    assert Issue.objects.get(pk=issue_id).status == IssueStatus.SCHEDULED

    # A time without its time zone is refused, not guessed.
    naive = (timezone.now() + dt.timedelta(days=3)).replace(tzinfo=None).isoformat()
    error = _error(client.post(f"{base}/publish/", {"publish_at": naive}), 400, "invalid")
    assert error["fields"] == {
        "publish_at": ["Give the time with its time zone, e.g. 2026-12-01T08:00:00+08:00."]
    }

    # A time in the past is refused.
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    error = _error(client.post(f"{base}/publish/", {"publish_at": past}), 400, "invalid")
    assert list(error["fields"]) == ["publish_at"]

    # Published now: number 1.
    published = client.post(f"{base}/publish/")
    assert published.status_code == 200, published.content
    assert (published.json()["status"], published.json()["number"]) == ("published", 1)
    assert published.json()["published_at"] is not None
    issue = Issue.objects.get(pk=issue_id)
    assert (issue.status, issue.number) == (IssueStatus.PUBLISHED, 1)
    assert set(issue.entries.values_list("recommendation__status", flat=True)) == {
        RecommendationStatus.PUBLISHED
    }
    by_number = APIClient().get(f"{API}/publications/{publication.slug}/issues/1/")
    assert by_number.json()["id"] == issue_id

    # Published once only.
    again = client.post(f"{base}/publish/")
    _error(again, 409, "cannot_publish")
    assert Issue.objects.get(pk=issue_id).number == 1

    # A published issue's entries cannot be removed any more.
    _error(client.delete(f"{base}/entries/{ids['Data Matters']}/"), 409, "issue_published")

    # Corrected, visible to readers.
    corrected = client.post(
        f"{base}/corrections/",
        {
            "note": "The second paper's title was misspelt.",
            "entries": {str(ids["Data Matters"]): {"title": "Data Matters (2nd ed.)"}},
        },
    )
    assert corrected.status_code == 201, corrected.content
    correction = Correction.objects.get()
    assert corrected.json()["id"] == correction.pk
    assert corrected.json()["note"] == "The second paper's title was misspelt."
    assert corrected.json()["changes"] == [
        {
            "entry": ids["Data Matters"],
            "field": "shown_title",
            "old": "Data Matters",
            "new": "Data Matters (2nd ed.)",
        }
    ]
    reader = APIClient()
    listed = reader.get(f"{base}/corrections/").json()
    assert [c["note"] for c in listed] == ["The second paper's title was misspelt."]
    shown = reader.get(f"{base}/").json()
    assert [c["note"] for c in shown["corrections"]] == ["The second paper's title was misspelt."]
    assert ("papers", "Data Matters (2nd ed.)") in _entry_titles(shown["entries"])


def test_issue_publish_without_entries_is_refused(publication: Publication, editor: Any) -> None:
    issue = create_issue(publication, by=editor)

    response = client_for(editor).post(f"{API}/issues/{issue.pk}/publish/")

    _error(response, 400, "empty")
    issue.refresh_from_db()
    assert (issue.status, issue.number) == (IssueStatus.DRAFT, None)


def test_correction_of_draft_issue_is_409(
    publication: Publication, editor: Any, accepted: dict[str, Recommendation]
) -> None:
    issue = create_issue(publication, by=editor)
    assemble_issue(issue, by=editor)

    response = client_for(editor).post(
        f"{API}/issues/{issue.pk}/corrections/", {"note": "Too early.", "issue": {"title": "X"}}
    )

    _error(response, 409, "cannot_correct")
    assert not Correction.objects.exists()


def test_correction_of_entry_of_another_issue_names_entries(
    publication: Publication, editor: Any
) -> None:
    issue = _publish(publication, editor, [(PaperFactory(), None)])
    other = _publish(publication, editor, [(PaperFactory(), None)])
    foreign = other.entries.get()

    response = client_for(editor).post(
        f"{API}/issues/{issue.pk}/corrections/",
        {"note": "Fix.", "entries": {str(foreign.pk): {"title": "Hijacked"}}},
    )

    error = _error(response, 400, "invalid")
    assert error["fields"] == {"entries": [f"Entry {foreign.pk} is not part of this issue."]}
    foreign.refresh_from_db()
    assert foreign.shown_title != "Hijacked"
    assert not Correction.objects.exists()


def test_issue_publish_by_reviewer_is_404(
    publication: Publication, editor: Any, reviewer: Any, accepted: dict[str, Recommendation]
) -> None:
    issue = create_issue(publication, by=editor)
    assemble_issue(issue, by=editor)

    response = client_for(reviewer).post(f"{API}/issues/{issue.pk}/publish/")

    # A reviewer does not see a draft issue at all.
    _error(response, 404, "not_found")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT


def test_draft_issue_hidden_from_readers(publication: Publication, editor: Any) -> None:
    issue = create_issue(publication, by=editor, title="Not yet")

    _error(APIClient().get(f"{API}/issues/{issue.pk}/"), 404, "not_found")
    listed = APIClient().get(f"{API}/publications/{publication.slug}/issues/").json()
    assert listed["count"] == 0
    as_editor = client_for(editor).get(f"{API}/publications/{publication.slug}/issues/").json()
    assert [i["title"] for i in as_editor["results"]] == ["Not yet"]


def test_published_issue_entries_keep_frozen_title_after_paper_changes(
    publication: Publication, editor: Any
) -> None:
    paper = PaperFactory(title="The Title at Publication", authors=["First Author"])
    issue = _publish(publication, editor, [(paper, None)])
    Paper.objects.filter(pk=paper.pk).update(title="A Title Revised on arXiv")
    api = APIClient()

    by_number = api.get(f"{API}/publications/{publication.slug}/issues/{issue.number}/").json()
    by_id = api.get(f"{API}/issues/{issue.pk}/entries/").json()

    [entry] = by_number["entries"]
    assert entry["title"] == "The Title at Publication"
    assert entry["authors"] == ["First Author"]
    assert entry["section"] == Section.PAPERS
    assert entry["paper"]["title"] == "A Title Revised on arXiv"
    assert [e["title"] for e in by_id] == ["The Title at Publication"]


def test_issue_entry_names_the_co_recommenders_credited_on_it(
    publication: Publication, editor: Any
) -> None:
    paper = PaperFactory()
    issue = create_issue(publication, by=editor, title="Shared")
    members = [UserFactory(display_name=name) for name in ("甲", "乙", "丙")]
    for member in members:
        recommendation = RecommendationFactory(
            publication=publication,
            paper=paper,
            submitter=member,
            status=RecommendationStatus.ACCEPTED,
        )
        schedule_recommendation(recommendation, issue=issue, by=editor)
    publish_issue(issue, by=editor)

    body = APIClient().get(f"{API}/publications/{publication.slug}/issues/1/").json()

    [entry] = body["entries"]
    assert entry["contributor"]["name"] == "甲"
    assert [c["name"] for c in entry["co_contributors"]] == ["乙", "丙"]
    assert [c["name"] for c in body["contributors"]] == ["甲", "乙", "丙"]


def test_unknown_issue_number_is_404(publication: Publication) -> None:
    IssueFactory(publication=publication)

    response = APIClient().get(f"{API}/publications/{publication.slug}/issues/1/")

    _error(response, 404, "not_found")


@pytest.mark.parametrize(("value", "expected"), [("true", 1), ("1", 1), ("false", 0), ("0", 0)])
def test_papers_list_has_code_reads_true_and_false(db: None, value: str, expected: int) -> None:
    PaperFactory(code_url="https://github.com/example/code")
    response = APIClient().get(f"/api/v1/papers/?has_code={value}")
    assert [bool(p["code_url"]) for p in response.json()["results"]].count(True) == expected


def test_leads_put_by_the_editor_picks_the_headline_and_others_are_refused(
    publication: Publication, editor: Any, reviewer: Any
) -> None:
    issue = IssueFactory(publication=publication, title="")
    first = IssueEntryFactory(issue=issue, recommendation__paper__title="First paper")
    second = IssueEntryFactory(issue=issue, recommendation__paper__title="Second paper")
    url = f"{API}/issues/{issue.pk}/leads/"

    refused = client_for(reviewer).put(url, {"entries": [second.pk]}, format="json")
    assert refused.status_code in (403, 404)
    assert not IssueEntry.objects.filter(is_lead=True).exists()

    response = client_for(editor).put(url, {"entries": [second.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert {row["id"]: row["is_lead"] for row in response.json()} == {
        first.pk: False,
        second.pk: True,
    }
    _error(client_for(editor).put(url, {"entries": [999999]}, format="json"), 400)
