"""What the API does: tokens, recommending, the catalogue's filters and pages, throttles, the one
error shape, and an editor's way from accepted recommendations to a published, corrected issue."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from issues.enums import IssueStatus, Section
from issues.models import Correction, Issue, IssueEntry
from issues.services import assemble_issue, create_issue, publish_issue, schedule_recommendation
from papers.enums import MetadataStatus
from papers.identifiers import ACCEPTED_FORMS
from papers.models import Paper, Topic
from publications.models import Publication
from publications.services import grant_role
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.models import Recommendation
from recommendations.services import create_recommendation
from tests.conftest import client_for
from tests.factories import (
    TEST_PASSWORD,
    IssueFactory,
    PaperFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is ``status`` in the one error shape (exactly code, message, fields)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code
    return error


# ================================================================ tokens


def _token_header(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_token_obtain_valid_credentials_answers_a_working_token(contributor: Any) -> None:
    api = APIClient()

    first = api.post(f"{API}/auth/token/", {"username": "contributor", "password": TEST_PASSWORD})
    again = api.post(f"{API}/auth/token/", {"username": "contributor", "password": TEST_PASSWORD})

    assert first.status_code == 200
    key = first.json()["token"]
    assert again.json() == {"token": key}
    assert Token.objects.get(user=contributor).key == key
    me = api.get(f"{API}/me/", **_token_header(key))
    assert me.status_code == 200
    assert me.json()["username"] == "contributor"


def test_token_obtain_wrong_password_is_invalid_credentials(contributor: Any) -> None:
    response = APIClient().post(
        f"{API}/auth/token/", {"username": "contributor", "password": "not-the-password"}
    )

    error = _error(response, 400, "invalid_credentials")
    assert error["message"] == "The user name or the password is wrong."
    assert error["fields"] == {}
    assert not Token.objects.exists()


def test_token_obtain_inactive_user_is_invalid_credentials(db: None) -> None:
    UserFactory(username="gone", is_active=False)

    response = APIClient().post(
        f"{API}/auth/token/", {"username": "gone", "password": TEST_PASSWORD}
    )

    _error(response, 400, "invalid_credentials")
    assert not Token.objects.exists()


def test_token_obtain_missing_password_names_the_field(contributor: Any) -> None:
    response = APIClient().post(f"{API}/auth/token/", {"username": "contributor"})

    error = _error(response, 400, "invalid")
    assert list(error["fields"]) == ["password"]


def test_token_revoke_token_stops_working(contributor: Any) -> None:
    api = APIClient()
    key = api.post(
        f"{API}/auth/token/", {"username": "contributor", "password": TEST_PASSWORD}
    ).json()["token"]

    revoked = api.delete(f"{API}/auth/token/", **_token_header(key))
    after = api.get(f"{API}/me/", **_token_header(key))

    assert revoked.status_code == 204
    assert not Token.objects.filter(user=contributor).exists()
    _error(after, 401, "not_authenticated")
    assert after.headers["WWW-Authenticate"] == "Token"


def test_token_revoke_anonymous_is_401(db: None) -> None:
    _error(APIClient().delete(f"{API}/auth/token/"), 401, "not_authenticated")


# ================================================================ recommending


def _recommend(client: APIClient, **fields: Any) -> Any:
    body = {
        "publication": "pretraining-weekly",
        "identifier": "https://arxiv.org/abs/2305.14314v2",
        "summary": "Fine-tunes quantised models with low-rank adapters.",
        **fields,
    }
    return client.post(f"{API}/recommendations/", body, format="json")


def test_recommendation_post_submits_with_paper_and_metadata_status(
    publication: Publication, contributor: Any, topic: Topic
) -> None:
    response = _recommend(client_for(contributor), topic="language-models")

    assert response.status_code == 201, response.content
    body = response.json()
    recommendation = Recommendation.objects.get()
    assert body["id"] == recommendation.pk
    assert (body["status"], body["publication"], body["topic"], body["kind"]) == (
        "submitted",
        "pretraining-weekly",
        "language-models",
        "paper",
    )
    assert body["submitter"] == {"username": "contributor", "name": contributor.public_name}
    assert body["paper"]["arxiv_id"] == "2305.14314"
    assert body["paper"]["url"] == "https://arxiv.org/abs/2305.14314"
    assert body["paper"]["metadata"]["status"] == MetadataStatus.PENDING
    assert body["paper_metadata_status"] == MetadataStatus.PENDING
    assert body["submitted_at"] is not None
    assert (recommendation.status, recommendation.submitter, recommendation.paper.arxiv_id) == (
        RecommendationStatus.SUBMITTED,
        contributor,
        "2305.14314",
    )


def test_recommendation_post_known_paper_answers_its_metadata(
    publication: Publication, contributor: Any
) -> None:
    paper = PaperFactory(title="QLoRA", authors=["Tim Dettmers"], institutions=["UW"])

    response = _recommend(client_for(contributor), identifier=paper.arxiv_id)

    body = response.json()
    assert response.status_code == 201
    assert (body["paper"]["id"], body["paper"]["title"]) == (paper.pk, "QLoRA")
    assert (body["paper"]["authors"], body["paper"]["institutions"]) == (["Tim Dettmers"], ["UW"])
    assert body["paper_metadata_status"] == "ok"
    assert Paper.objects.count() == 1


def test_recommendation_post_draft_stays_draft(publication: Publication, contributor: Any) -> None:
    response = _recommend(client_for(contributor), draft=True)

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["submitted_at"]) == ("draft", None)
    assert Recommendation.objects.get().status == RecommendationStatus.DRAFT


def test_recommendation_post_bad_identifier_lists_accepted_forms(
    publication: Publication, contributor: Any
) -> None:
    response = _recommend(client_for(contributor), identifier="my favourite paper")

    error = _error(response, 400)
    assert list(error["fields"]) == ["identifier"]
    [message] = error["fields"]["identifier"]
    assert "'my favourite paper' is not a paper identifier we recognise" in message
    assert ACCEPTED_FORMS in message
    assert error["message"] == message
    assert not Recommendation.objects.exists()
    assert not Paper.objects.exists()


def test_recommendation_post_duplicate_is_refused(
    publication: Publication, contributor: Any
) -> None:
    client = client_for(contributor)
    assert _recommend(client).status_code == 201

    again = _recommend(client, identifier="arXiv:2305.14314")

    error = _error(again, 400, "duplicate")
    assert list(error["fields"]) == ["identifier"]
    assert Recommendation.objects.count() == 1


def test_recommendation_post_malformed_json_is_400(
    publication: Publication, contributor: Any
) -> None:
    response = client_for(contributor).post(
        f"{API}/recommendations/", '{"summary": "unterminated', content_type="application/json"
    )

    error = _error(response, 400, "invalid")
    assert "JSON parse error" in error["message"]
    assert not Recommendation.objects.exists()


def test_recommendation_post_body_too_large_is_413_and_stores_nothing(
    publication: Publication, contributor: Any
) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps(
        {
            "publication": "pretraining-weekly",
            "identifier": "2305.14314",
            "summary": "x" * (limit + 1),
        }
    )

    response = client_for(contributor).post(
        f"{API}/recommendations/", body, content_type="application/json"
    )

    error = _error(response, 413, "too_large")
    assert error["message"] == "The request body is too large."
    assert not Recommendation.objects.exists()
    assert not Paper.objects.exists()


def test_recommendation_post_form_encoded_is_415(
    publication: Publication, contributor: Any
) -> None:
    response = client_for(contributor).post(
        f"{API}/recommendations/",
        "publication=pretraining-weekly&identifier=2305.14314&summary=Good",
        content_type="application/x-www-form-urlencoded",
    )

    _error(response, 415, "unsupported_media_type")
    assert not Recommendation.objects.exists()


def test_recommendation_post_unknown_publication_names_the_field(
    publication: Publication, contributor: Any
) -> None:
    response = _recommend(client_for(contributor), publication="no-such-weekly")

    error = _error(response, 400, "invalid")
    assert error["fields"] == {"publication": ["There is no publication “no-such-weekly”."]}
    assert not Recommendation.objects.exists()


def test_recommendation_post_json_array_is_400(publication: Publication, contributor: Any) -> None:
    response = client_for(contributor).post(
        f"{API}/recommendations/", "[]", content_type="application/json"
    )

    error = _error(response, 400, "invalid")
    assert error["message"] == "Invalid data. Expected a dictionary, but got list."
    assert error["fields"] == {}


def test_recommendation_list_unknown_status_is_400(db: None) -> None:
    error = _error(APIClient().get(f"{API}/recommendations/?status=bogus"), 400, "invalid")
    assert list(error["fields"]) == ["status"]


def test_method_not_allowed_is_405_in_the_error_shape(db: None) -> None:
    error = _error(APIClient().delete(f"{API}/papers/"), 405, "method_not_allowed")
    assert error["message"] == 'Method "DELETE" not allowed.'


def test_unservable_accept_header_is_406_in_the_error_shape(db: None) -> None:
    response = APIClient().get(f"{API}/papers/", HTTP_ACCEPT="application/xml")

    _error(response, 406, "not_acceptable")


def test_recommendation_post_anonymous_is_401(publication: Publication) -> None:
    _error(_recommend(APIClient()), 401, "not_authenticated")
    assert not Recommendation.objects.exists()


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


# ================================================================ throttling


@pytest.fixture
def two_per_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    # DRF copies the rates into the throttle class when it is imported; change them there.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "submissions", "2/hour")


def test_recommendation_post_throttled_after_rate_with_retry_after(
    publication: Publication, contributor: Any, two_per_hour: None
) -> None:
    client = client_for(contributor)
    statuses = [_recommend(client, identifier=f"2305.1431{n}").status_code for n in range(2)]

    third = _recommend(client, identifier="2305.14319")

    assert statuses == [201, 201]
    _error(third, 429, "throttled")
    assert 3000 < int(third.headers["Retry-After"]) <= 3600
    assert Recommendation.objects.count() == 2
    # Reading is not a submission, and another member has their own allowance.
    assert client.get(f"{API}/recommendations/").status_code == 200
    assert _recommend(client_for(UserFactory()), identifier="2305.14319").status_code == 201


def test_review_post_throttled_after_rate(
    publication: Publication, reviewer: Any, two_per_hour: None
) -> None:
    client = client_for(reviewer)
    recommendations = RecommendationFactory.create_batch(3, publication=publication)
    statuses = [
        client.post(
            f"{API}/recommendations/{r.pk}/reviews/",
            {"verdict": "request_changes", "comment": "Say more about the baselines."},
        ).status_code
        for r in recommendations
    ]

    assert statuses == [201, 201, 429]
    assert [r.reviews.count() for r in recommendations] == [1, 1, 0]


def test_token_obtain_throttled_after_login_rate(
    contributor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "2/minute")
    api = APIClient()
    wrong = {"username": "contributor", "password": "guess"}
    statuses = [api.post(f"{API}/auth/token/", wrong).status_code for _ in range(3)]

    assert statuses == [400, 400, 429]


# ================================================================ reviewing


def test_review_post_approve_accepts(
    publication: Publication, contributor: Any, reviewer: Any
) -> None:
    recommendation = create_recommendation(
        by=contributor,
        publication=publication,
        identifier=PaperFactory().arxiv_id,
        summary="Worth a read.",
    )

    response = client_for(reviewer).post(
        f"{API}/recommendations/{recommendation.pk}/reviews/", {"verdict": "approve"}
    )
    listed = client_for(contributor).get(f"{API}/recommendations/{recommendation.pk}/reviews/")

    assert response.status_code == 201
    assert response.json()["verdict"] == Verdict.APPROVE
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.ACCEPTED
    assert [(r["verdict"], r["reviewer"]["username"]) for r in listed.json()] == [
        ("approve", "reviewer")
    ]


def test_review_post_after_the_submitters_edit_does_not_accept_the_unseen_text(
    publication: Publication, contributor: Any, reviewer: Any, editor: Any
) -> None:
    publication.approvals_required = 2
    publication.save(update_fields=["approvals_required"])
    recommendation = RecommendationFactory(
        publication=publication,
        submitter=contributor,
        summary="A careful benchmark.",
        code_url="https://github.com/org/repo",
    )
    reviews = f"{API}/recommendations/{recommendation.pk}/reviews/"
    first = client_for(reviewer).post(reviews, {"verdict": "approve"})

    edited = client_for(contributor).patch(
        f"{API}/recommendations/{recommendation.pk}/",
        {"summary": "Buy our product.", "code_url": "https://example.com/payload"},
    )
    second = client_for(editor).post(reviews, {"verdict": "approve"})

    assert (first.json()["round"], edited.json()["review_round"], second.json()["round"]) == (
        1,
        2,
        2,
    )
    assert edited.json()["status"] == "submitted"
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (
        RecommendationStatus.SUBMITTED,
        2,
    )
    assert recommendation.decided_at is None
    listed = client_for(contributor).get(reviews).json()
    assert [(r["reviewer"]["username"], r["verdict"], r["round"]) for r in listed] == [
        ("reviewer", "approve", 1),
        ("editor", "approve", 2),
    ]
    assert list(recommendation.transitions.values_list("action", "to_status", "note")) == [
        (
            "edit",
            "submitted",
            "Changed: code_url, summary. Review round 2 begins; the approval of round 1 by "
            "reviewer no longer counts.",
        )
    ]


def test_review_post_of_the_round_before_an_edit_is_409(
    publication: Publication, contributor: Any, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication, submitter=contributor)
    url = f"{API}/recommendations/{recommendation.pk}/"
    read = client_for(reviewer).get(url).json()["review_round"]
    client_for(contributor).patch(url, {"summary": "Another text."})

    response = client_for(reviewer).post(
        f"{url}reviews/", {"verdict": "approve", "review_round": read}
    )

    error = _error(response, 409, "changed_since_read")
    assert "it is now in review round 2" in error["message"]
    assert not recommendation.reviews.exists()
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.SUBMITTED


def test_review_post_reject_without_comment_names_the_field(
    publication: Publication, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication)

    response = client_for(reviewer).post(
        f"{API}/recommendations/{recommendation.pk}/reviews/", {"verdict": "reject"}
    )

    error = _error(response, 400, "invalid")
    assert list(error["fields"]) == ["comment"]
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.SUBMITTED


def test_review_post_own_submission_is_403(publication: Publication, reviewer: Any) -> None:
    recommendation = RecommendationFactory(publication=publication, submitter=reviewer)

    response = client_for(reviewer).post(
        f"{API}/recommendations/{recommendation.pk}/reviews/", {"verdict": "approve"}
    )

    _error(response, 403, "not_allowed")
    assert not recommendation.reviews.exists()


def test_recommendation_detail_of_someone_else_draft_is_404(
    publication: Publication, contributor: Any
) -> None:
    draft = RecommendationFactory(publication=publication, status=RecommendationStatus.DRAFT)

    _error(client_for(contributor).get(f"{API}/recommendations/{draft.pk}/"), 404, "not_found")


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


def test_unknown_issue_number_is_404(publication: Publication) -> None:
    IssueFactory(publication=publication)

    response = APIClient().get(f"{API}/publications/{publication.slug}/issues/1/")

    _error(response, 404, "not_found")


def test_reviews_list_hidden_from_other_members(
    publication: Publication, other_contributor: Any
) -> None:
    recommendation = RecommendationFactory(
        publication=publication, status=RecommendationStatus.PUBLISHED
    )

    response = client_for(other_contributor).get(
        f"{API}/recommendations/{recommendation.pk}/reviews/"
    )

    _error(response, 403, "not_allowed")


# ================================================================ hostile input


def test_recommendation_post_deeply_nested_json_is_400(contributor: Any) -> None:
    response = client_for(contributor).post(
        "/api/v1/recommendations/", "[" * 100_000, content_type="application/json"
    )
    assert "nested too deeply" in _error(response, 400, "invalid")["message"]


NOT_IN_XML = (
    "This text contains characters that are not allowed (U+FFFE, U+FFFF or a lone surrogate)."
)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("\uffff", NOT_IN_XML),
        ("\ufffe", NOT_IN_XML),
        ("\ud800", None),  # not text at all: refused by the JSON parser
    ],
)
def test_recommendation_post_characters_xml_cannot_carry_are_refused(
    publication: Publication, contributor: Any, bad: str, message: str | None
) -> None:
    body = json.dumps(
        {"identifier": "2109.08133", "summary": f"Good{bad}paper", "publication": publication.slug}
    )
    response = client_for(contributor).post(
        "/api/v1/recommendations/", body, content_type="application/json"
    )
    error = _error(response, 400)
    if message is None:
        assert (error["fields"], "lone surrogate" in error["message"]) == ({}, True)
    else:
        assert error["fields"] == {"summary": [message]}
    assert Recommendation.objects.count() == 0


def test_unknown_api_path_is_404_in_the_error_shape(db: None) -> None:
    response = APIClient().get("/api/v1/no-such-thing/")
    assert response["Content-Type"] == "application/json"
    _error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/papers/?year=2024.5", "year"),
        ("/api/v1/papers/?has_code=maybe", "has_code"),
        ("/api/v1/papers/?featured=perhaps", "featured"),
        ("/api/v1/recommendations/?mine=sometimes", "mine"),
    ],
)
def test_list_filters_refuse_values_they_cannot_read(db: None, path: str, field: str) -> None:
    assert set(_error(APIClient().get(path), 400, "invalid")["fields"]) == {field}


@pytest.mark.parametrize(("value", "expected"), [("true", 1), ("1", 1), ("false", 0), ("0", 0)])
def test_papers_list_has_code_reads_true_and_false(db: None, value: str, expected: int) -> None:
    PaperFactory(code_url="https://github.com/example/code")
    response = APIClient().get(f"/api/v1/papers/?has_code={value}")
    assert [bool(p["code_url"]) for p in response.json()["results"]].count(True) == expected
