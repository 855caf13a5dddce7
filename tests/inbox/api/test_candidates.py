"""The inbox's API for members (``inbox/api/views.py``): the list of a tab, one candidate, and
each move, as anonymous, a member, the claimant, an editor and another publication's editor;
a page's cost; the refusals in the API's error shape, changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inbox.enums import CandidateState
from inbox.models import Candidate, CandidateTransition, Interest
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation
from tests.api.helpers import _error
from tests.conftest import client_for
from tests.factories import PaperFactory, UserFactory
from tests.factories.inbox import CandidateFactory, WatchFactory

pytestmark = pytest.mark.django_db

ROLES = ("contributor", "claimant", "editor", "other_editor")


def _list(publication: Publication, **query: str) -> str:
    url = reverse("api:publication-candidates", args=[publication.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _url(name: str, candidate: Candidate) -> str:
    return reverse(f"api:candidate-{name}", args=[candidate.pk])


def _fresh(candidate: Candidate) -> Candidate:
    return Candidate.objects.get(pk=candidate.pk)


def _footprint() -> tuple[int, ...]:
    return (
        CandidateTransition.objects.count(),
        Interest.objects.count(),
        Recommendation.objects.count(),
        *Candidate.objects.order_by("pk").values_list("state", flat=True),
    )


@pytest.fixture
def claimed(publication: Publication, claimant: Any) -> Candidate:
    return CandidateFactory(
        publication=publication,
        claimed=True,
        claimed_by=claimant,
        paper=PaperFactory(authors=["Ada Lovelace", "Alan Turing"]),
    )


# --- the list -----------------------------------------------------------------------------------


def test_list_anonymous_is_asked_to_sign_in(publication: Publication) -> None:
    CandidateFactory(publication=publication)
    response = client_for(None).get(_list(publication))
    _error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("role", ROLES)
def test_list_every_member_reads_the_tabs(
    request: pytest.FixtureRequest, publication: Publication, claimed: Candidate, role: str
) -> None:
    user = request.getfixturevalue(role)
    watch = WatchFactory(publication=publication, name="Pretraining 预训练")
    best = CandidateFactory(publication=publication, score=0.9, watch=watch)
    second = CandidateFactory(publication=publication, score=0.4)
    client = client_for(user)

    new = client.get(_list(publication)).json()
    claimed_tab = client.get(_list(publication, view="claimed")).json()
    mine = client.get(_list(publication, view="mine")).json()

    assert [row["id"] for row in new["results"]] == [best.pk, second.pk]
    assert new["count"] == 2
    row = new["results"][0]
    assert row["watch"] == "Pretraining 预训练"
    assert (row["state"], row["score"], row["claim"], row["dismissal"]) == ("new", 0.9, None, None)
    assert row["actions"] == ["claim", "write_up", "dismiss", "interest"]
    assert row["paper"]["web_url"] == "http://testserver" + reverse(
        "papers:paper-detail", args=[best.paper_id]
    )
    assert [row["id"] for row in claimed_tab["results"]] == [claimed.pk]
    shown = claimed_tab["results"][0]
    assert shown["claim"]["by"] == {"username": "xiaoming", "name": "王小明"}
    assert shown["paper"]["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert [row["id"] for row in mine["results"]] == ([claimed.pk] if role == "claimant" else [])
    expected = {
        "contributor": ["interest"],
        "claimant": ["write_up", "release", "interest"],
        "editor": ["release", "interest"],
        "other_editor": ["interest"],
    }[role]
    assert shown["actions"] == expected


def test_list_by_date_and_the_dismissed_tab(
    publication: Publication, contributor: Any, claimant: Any
) -> None:
    older = CandidateFactory(publication=publication, score=0.9)
    newer = CandidateFactory(publication=publication, score=0.1)
    Candidate.objects.filter(pk=older.pk).update(found_at=newer.found_at.replace(year=2025))
    dismissed = CandidateFactory(publication=publication, dismissed=True, dismissed_by=claimant)
    client = client_for(contributor)

    by_date = client.get(_list(publication, sort="date")).json()["results"]
    gone = client.get(_list(publication, view="dismissed")).json()["results"]

    assert [row["id"] for row in by_date] == [newer.pk, older.pk]
    assert [row["id"] for row in gone] == [dismissed.pk]
    assert gone[0]["dismissal"]["by"] == {"username": "xiaoming", "name": "王小明"}
    assert gone[0]["dismissal"]["reason"] == "Off topic."
    # Only who dismissed it, or an editor, brings it back.
    assert gone[0]["actions"] == []


@pytest.mark.parametrize(("query", "field"), [({"view": "all"}, "view"), ({"sort": "x"}, "sort")])
def test_list_unknown_view_or_sort_names_the_parameter(
    publication: Publication, contributor: Any, query: dict[str, str], field: str
) -> None:
    error = _error(client_for(contributor).get(_list(publication, **query)), 400, "invalid")
    assert list(error["fields"]) == [field]


def test_list_unknown_publication_is_404(contributor: Any) -> None:
    url = reverse("api:publication-candidates", args=["no-such-weekly"])
    _error(client_for(contributor).get(url), 404, "not_found")


def test_list_shows_whether_the_caller_is_interested(
    publication: Publication, contributor: Any, editor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)
    client_for(editor).post(_url("interest", candidate))

    as_editor = client_for(editor).get(_list(publication)).json()["results"][0]
    as_member = client_for(contributor).get(_list(publication)).json()["results"][0]

    assert (as_editor["interested"], as_editor["interest_count"]) == (True, 1)
    assert "withdraw_interest" in as_editor["actions"]
    assert (as_member["interested"], as_member["interest_count"]) == (False, 1)
    assert "interest" in as_member["actions"]


def test_list_costs_the_same_queries_whatever_the_page_holds(
    publication: Publication, editor: Any
) -> None:
    """Each row's paper, authors, watch, claimant and the caller's interest come with the page."""

    def add(count: int) -> None:
        watch = WatchFactory(publication=publication)
        for _ in range(count):
            paper = PaperFactory(authors=["Ada Lovelace", "Alan Turing"])
            claimant = UserFactory()
            candidate = CandidateFactory(
                publication=publication, paper=paper, watch=watch, claimed=True, claimed_by=claimant
            )
            Interest.objects.create(candidate=candidate, member=editor)

    url = _list(publication, view="claimed")

    def cost() -> tuple[int, int]:
        # A fresh copy of the editor each time, as each request has: no roles read before.
        client = client_for(type(editor).objects.get(pk=editor.pk))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    add(2)
    few = cost()
    add(28)
    many = cost()

    assert (few[1], many[1]) == (2, 30)
    assert many[0] == few[0]
    assert few[0] <= 5


# --- one candidate ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_detail_every_member(request: pytest.FixtureRequest, claimed: Candidate, role: str) -> None:
    response = client_for(request.getfixturevalue(role)).get(_url("detail", claimed))
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["state"]) == (claimed.pk, "claimed")
    assert response.json()["publication"] == "pretraining-weekly"


def test_detail_anonymous_and_unknown(claimed: Candidate, contributor: Any) -> None:
    _error(client_for(None).get(_url("detail", claimed)), 401, "not_authenticated")
    missing = reverse("api:candidate-detail", args=[claimed.pk + 1000])
    _error(client_for(contributor).get(missing), 404, "not_found")


# --- claiming -----------------------------------------------------------------------------------


def test_two_members_claim_one_wins_the_other_reads_who(
    publication: Publication, claimant: Any, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)

    first = client_for(claimant).post(_url("claim", candidate))
    second = client_for(contributor).post(_url("claim", candidate))

    assert first.status_code == 200
    assert first.json()["claim"]["by"]["name"] == "王小明"
    error = _error(second, 409, "cannot_claim")
    assert "王小明 is already writing this up, since" in error["message"]
    stored = _fresh(candidate)
    assert (stored.state, stored.claimed_by) == (CandidateState.CLAIMED, claimant)
    assert CandidateTransition.objects.filter(candidate=candidate).count() == 1


def test_claim_anonymous_is_401_and_changes_nothing(publication: Publication) -> None:
    candidate = CandidateFactory(publication=publication)
    before = _footprint()
    _error(client_for(None).post(_url("claim", candidate)), 401, "not_authenticated")
    assert _footprint() == before


@pytest.mark.parametrize("role", ["contributor", "editor", "other_editor"])
def test_claim_any_member(
    request: pytest.FixtureRequest, publication: Publication, role: str
) -> None:
    user = request.getfixturevalue(role)
    candidate = CandidateFactory(publication=publication)
    response = client_for(user).post(_url("claim", candidate))
    assert response.status_code == 200
    assert _fresh(candidate).claimed_by == user


def test_claim_of_a_dismissed_candidate_says_why(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication, dismissed=True)
    error = _error(client_for(contributor).post(_url("claim", candidate)), 409)
    assert error["message"] == "This candidate was dismissed: Off topic."


# --- releasing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("claimant", 200), ("editor", 200), ("contributor", 403), ("other_editor", 403)],
)
def test_release_by_the_claimant_or_an_editor(
    request: pytest.FixtureRequest, claimed: Candidate, role: str, status: int
) -> None:
    before = _footprint()
    response = client_for(request.getfixturevalue(role)).post(
        _url("release", claimed), {"note": "No time this week."}, format="json"
    )
    assert response.status_code == status
    if status == 200:
        assert (response.json()["state"], response.json()["claim"]) == ("new", None)
        note = CandidateTransition.objects.get(candidate=claimed, action="release").note
        assert note == "No time this week."
    else:
        _error(response, 403, "not_allowed")
        assert _footprint() == before


def test_release_without_a_body(claimed: Candidate, claimant: Any) -> None:
    assert client_for(claimant).post(_url("release", claimed)).status_code == 200
    assert _fresh(claimed).state == CandidateState.NEW


# --- dismissing and restoring -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["contributor", "editor", "other_editor"])
def test_dismiss_any_member_with_a_reason(
    request: pytest.FixtureRequest, publication: Publication, role: str
) -> None:
    user = request.getfixturevalue(role)
    candidate = CandidateFactory(publication=publication)
    response = client_for(user).post(
        _url("dismiss", candidate), {"reason": "A survey, not new work."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["dismissal"]["reason"] == "A survey, not new work."
    assert response.json()["actions"] == ["restore"]
    assert _fresh(candidate).dismissed_by == user


def test_dismiss_of_a_claimed_candidate_names_the_claimant(
    claimed: Candidate, contributor: Any
) -> None:
    before = _footprint()
    response = client_for(contributor).post(
        _url("dismiss", claimed), {"reason": "Not for us."}, format="json"
    )
    assert "王小明" in _error(response, 409)["message"]
    assert _footprint() == before


@pytest.mark.parametrize(
    ("role", "status"),
    [("claimant", 200), ("editor", 200), ("contributor", 403), ("other_editor", 403)],
)
def test_restore_by_who_dismissed_it_or_an_editor(
    request: pytest.FixtureRequest,
    publication: Publication,
    claimant: Any,
    role: str,
    status: int,
) -> None:
    candidate = CandidateFactory(publication=publication, dismissed=True, dismissed_by=claimant)
    response = client_for(request.getfixturevalue(role)).post(_url("restore", candidate))
    assert response.status_code == status
    expected = CandidateState.NEW if status == 200 else CandidateState.DISMISSED
    assert _fresh(candidate).state == expected


# --- interest -----------------------------------------------------------------------------------


def test_interest_marked_once_and_withdrawn(publication: Publication, contributor: Any) -> None:
    candidate = CandidateFactory(publication=publication)
    client = client_for(contributor)

    marked = client.post(_url("interest", candidate))
    again = client.post(_url("interest", candidate))
    withdrawn = client.delete(_url("interest", candidate))

    assert (marked.status_code, marked.json()["interested"], marked.json()["interest_count"]) == (
        200,
        True,
        1,
    )
    assert again.json()["interest_count"] == 1
    assert (withdrawn.json()["interested"], withdrawn.json()["interest_count"]) == (False, 0)
    assert not Interest.objects.exists()


def test_interest_in_a_dismissed_candidate_is_refused(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication, dismissed=True)
    _error(client_for(contributor).post(_url("interest", candidate)), 409)
    assert not Interest.objects.exists()


def test_interest_anonymous(publication: Publication) -> None:
    candidate = CandidateFactory(publication=publication)
    _error(client_for(None).delete(_url("interest", candidate)), 401)


# --- writing up ---------------------------------------------------------------------------------


def test_write_up_makes_the_draft_recommendation_of_the_paper(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)

    response = client_for(contributor).post(
        _url("write-up", candidate), {"summary": "Why this paper matters."}, format="json"
    )

    assert response.status_code == 201, response.content
    recommendation = Recommendation.objects.get(pk=response.json()["recommendation"])
    assert (recommendation.paper, recommendation.submitter, recommendation.status) == (
        candidate.paper,
        contributor,
        RecommendationStatus.DRAFT,
    )
    assert recommendation.publication == publication
    assert recommendation.summary == "Why this paper matters."
    assert response.json()["url"] == "http://testserver" + reverse(
        "api:recommendation-detail", args=[recommendation.pk]
    )
    assert response.json()["candidate"]["state"] == "recommended"
    assert response.json()["candidate"]["recommendation"] == recommendation.pk
    # The recommendation's own endpoint answers its submitter.
    assert client_for(contributor).get(response.json()["url"]).status_code == 200


def test_write_up_of_ones_own_claim(claimed: Candidate, claimant: Any) -> None:
    response = client_for(claimant).post(
        _url("write-up", claimed), {"summary": "Worth a read."}, format="json"
    )
    assert response.status_code == 201
    assert _fresh(claimed).recommendation_id == response.json()["recommendation"]


def test_write_up_without_a_summary_where_none_is_drafted(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)
    before = _footprint()
    error = _error(client_for(contributor).post(_url("write-up", candidate)), 400)
    assert list(error["fields"]) == ["summary"]
    assert _footprint() == before


def test_write_up_of_anothers_claim_names_them(claimed: Candidate, editor: Any) -> None:
    before = _footprint()
    response = client_for(editor).post(
        _url("write-up", claimed), {"summary": "Mine now."}, format="json"
    )
    assert "王小明 is already writing this up" in _error(response, 409)["message"]
    assert _footprint() == before


# --- hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("dismiss", {"reason": "x" * 301}),
        ("dismiss", {"reason": "x" * 100_000}),
        ("dismiss", {"reason": ["a list"]}),
        ("dismiss", {"reason": {"an": "object"}}),
        ("dismiss", {"reason": None}),
        ("dismiss", {}),
        ("dismiss", {"reason": "   "}),
        ("dismiss", ["reason"]),
        ("release", {"note": "x" * 301}),
        ("release", {"note": [1, 2]}),
        ("write-up", {"summary": ["a list"]}),
        ("write-up", {"summary": "x" * 20_001}),
        ("write-up", "a string"),
    ],
)
def test_hostile_bodies_are_refused_and_change_nothing(
    claimed: Candidate, publication: Publication, claimant: Any, name: str, body: Any
) -> None:
    # Dismissing needs a new candidate; releasing and writing up, the claimant's.
    target = CandidateFactory(publication=publication) if name == "dismiss" else claimed
    before = _footprint()
    response = client_for(claimant).post(_url(name, target), body, format="json")
    error = _error(response, 400, "invalid")
    assert error["fields"] or error["message"]
    assert _footprint() == before


@pytest.mark.parametrize(
    "name", ["detail", "claim", "release", "dismiss", "restore", "interest", "write-up"]
)
def test_unknown_candidates_are_404(contributor: Any, name: str) -> None:
    url = reverse(f"api:candidate-{name}", args=[987654])
    method = "get" if name == "detail" else "post"
    _error(getattr(client_for(contributor), method)(url, {}, format="json"), 404, "not_found")


def test_an_id_that_is_no_number_is_404(contributor: Any) -> None:
    response = client_for(contributor).post("/api/v1/candidates/x%0A/claim/")
    _error(response, 404, "not_found")
