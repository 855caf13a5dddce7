"""The recommendation, review and paper-metadata endpoints: recommending, the duplicate check,
the lists and their filters, reviews and their rounds, the throttles; and ``PUT
papers/{id}/metadata/`` and ``POST papers/{id}/refetch/`` under attack: who may fill in a paper's
metadata by hand, and when. What is stored afterwards is checked, not only the status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from issues.services import create_issue, schedule_recommendation
from papers.enums import MetadataSource, MetadataStatus
from papers.identifiers import ACCEPTED_FORMS
from papers.models import MetadataEntry, Paper, PaperMerge
from publications.enums import TeamRole
from publications.models import Publication, Topic
from publications.permissions import REFUSALS
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.models import Recommendation
from recommendations.services import create_recommendation
from tests.api.helpers import API, _error, _recommend
from tests.conftest import client_for
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FAKE = {"title": "Fake Title", "authors": ["Mallory"], "abstract": "Not the abstract."}
STILL_FETCHING = (
    "This paper's metadata is still being fetched from arXiv. It may be filled in by hand only "
    "if that fails."
)


def _stored(paper: Paper) -> tuple[Any, ...]:
    row = Paper.objects.get(pk=paper.pk)
    authors = [a.author.name for a in row.authorships.select_related("author")]
    return (row.metadata_status, row.metadata_source, row.title, row.abstract, authors)


def test_metadata_put_on_a_new_draft_paper_is_refused_and_after_withdrawal_too(
    contributor: Any,
    publication: Publication,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    api = client_for(contributor)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        created = api.post(
            "/api/v1/recommendations/",
            {
                "identifier": "2401.00042",
                "summary": "A draft.",
                "publication": publication.slug,
                "draft": True,
            },
            format="json",
        )
    assert created.status_code == 201, created.content
    paper = Paper.objects.get(arxiv_id="2401.00042")
    url = f"/api/v1/papers/{paper.pk}/metadata/"

    response = api.put(url, FAKE, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["message"] == STILL_FETCHING
    assert _stored(paper) == (MetadataStatus.PENDING, "", "", "", [])
    assert not MetadataEntry.objects.exists()

    for callback in queued:  # the fetch: arXiv is down (a closed port), and it gives up
        callback()
    withdrawn = api.post(f"/api/v1/recommendations/{created.json()['id']}/withdraw/", {})
    assert withdrawn.status_code == 200, withdrawn.content

    response = api.put(url, FAKE, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == REFUSALS["recommendations.enter_paper_metadata"]
    assert _stored(paper) == (MetadataStatus.FAILED, "", "", "", [])
    assert not MetadataEntry.objects.exists()


@pytest.mark.parametrize(
    "where", ["recommended only in B", "scheduled in B's draft issue", "published in B"]
)
def test_metadata_put_by_an_editor_of_another_publication_is_refused(
    publication: Publication, other_publication: Publication, where: str
) -> None:
    """``publication`` is B; the editor edits A (``other_publication``) only, and recommended the
    paper to A where B has it in an issue."""
    editor_of_a = UserFactory()
    MembershipFactory(publication=other_publication, user=editor_of_a, role=TeamRole.EDITOR)
    paper = PaperFactory(
        title="The Real Title", authors=["Real Author"], metadata_source=MetadataSource.MANUAL
    )
    if where == "recommended only in B":
        RecommendationFactory(publication=publication, paper=paper)
    else:
        IssueEntryFactory(
            issue__publication=publication,
            issue__published=where == "published in B",
            recommendation__paper=paper,
        )
        RecommendationFactory(publication=other_publication, paper=paper, submitter=editor_of_a)
    before = _stored(paper)

    response = client_for(editor_of_a).put(
        f"/api/v1/papers/{paper.pk}/metadata/", {**FAKE, "keep": True}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == REFUSALS["recommendations.enter_paper_metadata"]
    assert _stored(paper) == before
    assert before[2] == "The Real Title"
    assert not MetadataEntry.objects.exists()
    assert Paper.objects.get(pk=paper.pk).metadata_kept is False


def test_refetch_by_an_editor_of_another_publication_is_refused(
    publication: Publication, other_publication: Publication
) -> None:
    editor_of_a = UserFactory()
    MembershipFactory(publication=other_publication, user=editor_of_a, role=TeamRole.EDITOR)
    paper = PaperFactory(metadata_status=MetadataStatus.FAILED, title="")
    RecommendationFactory(publication=publication, paper=paper)
    before = _stored(paper)

    response = client_for(editor_of_a).post(f"/api/v1/papers/{paper.pk}/refetch/")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == REFUSALS["recommendations.refetch_paper_metadata"]
    assert _stored(paper) == before


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


def test_recommendation_post_unknown_publication_names_the_field(
    publication: Publication, contributor: Any
) -> None:
    response = _recommend(client_for(contributor), publication="no-such-weekly")

    error = _error(response, 400, "invalid")
    assert error["fields"] == {"publication": ["There is no publication “no-such-weekly”."]}
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize("where", ["another publication's", "unknown"])
def test_recommendation_post_topic_not_of_the_publication_names_the_field(
    publication: Publication, other_publication: Publication, contributor: Any, where: str
) -> None:
    if where == "another publication's":
        TopicFactory(publication=other_publication, slug="agents")

    response = _recommend(client_for(contributor), topic="agents")

    error = _error(response, 400, "invalid")
    assert error["fields"] == {
        "topic": [f"{publication.name} has no topic “agents”: choose one of its topics."]
    }
    assert not Recommendation.objects.exists()


def test_recommendation_patch_takes_a_topic_of_its_publication_only(
    publication: Publication, other_publication: Publication, contributor: Any, topic: Topic
) -> None:
    TopicFactory(publication=other_publication, slug="elsewhere")
    recommendation = RecommendationFactory(publication=publication, submitter=contributor)
    client = client_for(contributor)
    url = f"/api/v1/recommendations/{recommendation.pk}/"

    refused = client.patch(url, {"topic": "elsewhere"}, format="json")
    taken = client.patch(url, {"topic": topic.slug}, format="json")

    assert _error(refused, 400, "invalid")["fields"] == {
        "topic": [f"{publication.name} has no topic “elsewhere”: choose one of its topics."]
    }
    assert taken.status_code == 200, taken.content
    assert taken.json()["topic"] == topic.slug
    recommendation.refresh_from_db()
    assert recommendation.topic == topic


def test_recommendation_list_unknown_status_is_400(db: None) -> None:
    error = _error(APIClient().get(f"{API}/recommendations/?status=bogus"), 400, "invalid")
    assert list(error["fields"]) == ["status"]


def test_recommendation_post_anonymous_is_401(publication: Publication) -> None:
    _error(_recommend(APIClient()), 401, "not_authenticated")
    assert not Recommendation.objects.exists()


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


# ================================================================ the team edits an entry


def _entry_url(recommendation: Recommendation) -> str:
    return f"{API}/recommendations/{recommendation.pk}/entry/"


def test_entry_patch_by_a_reviewer_edits_what_the_entry_shows(
    publication: Publication, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication)
    response = client_for(reviewer).patch(
        _entry_url(recommendation),
        {
            "summary": "The team's summary.",
            "shown_authors": "A. One\nB. Two\n等",
            "subject_zh": "段落检索",
            "paper_url": "https://www.aminer.cn/pub/5e8d92b69fced0a24b5d3a30",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary"] == "The team's summary."
    assert body["shown_authors"] == "A. One\nB. Two\n等"
    assert body["subject_zh"] == "段落检索"
    assert body["status"] == RecommendationStatus.SUBMITTED
    recommendation.refresh_from_db()
    assert recommendation.paper_url == "https://www.aminer.cn/pub/5e8d92b69fced0a24b5d3a30"


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("submitter", 403), ("stranger", 403), ("other_editor", 403)],
)
def test_entry_patch_outside_the_team_is_refused(
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    who: str | None,
    status: int,
) -> None:
    recommendation = RecommendationFactory(publication=publication, submitter=contributor)
    users: dict[str | None, Any] = {None: None, "submitter": contributor, "stranger": UserFactory()}
    if who == "other_editor":
        users[who] = UserFactory()
        MembershipFactory(publication=other_publication, user=users[who], role="editor")
    response = client_for(users[who]).patch(
        _entry_url(recommendation), {"summary": "Taken over."}, format="json"
    )
    # A recommendation one may not see is not found; one seen but not one's to edit, refused.
    assert response.status_code in (status, 404)
    recommendation.refresh_from_db()
    assert recommendation.summary != "Taken over."


def test_entry_patch_with_a_bad_link_names_the_field(
    publication: Publication, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication)
    response = client_for(reviewer).patch(
        _entry_url(recommendation), {"paper_url": "javascript:alert(1)"}, format="json"
    )
    error = _error(response, 400)
    assert "paper_url" in error["fields"]


def test_entry_patch_of_a_published_recommendation_is_409(
    publication: Publication, editor: Any
) -> None:
    recommendation = RecommendationFactory(
        publication=publication, status=RecommendationStatus.PUBLISHED
    )
    response = client_for(editor).patch(
        _entry_url(recommendation), {"summary": "Too late."}, format="json"
    )
    _error(response, 409, "cannot_revise")


# ================================================================ merging two rows of one paper


def _two_rows(publication: Publication, contributor: Any) -> tuple[Paper, Paper]:
    paper = PaperFactory(arxiv_id="2109.08133")
    other = PaperFactory(arxiv_id=None, aminer_id="614407b25244ab9dcbd29c5c", title_zh="短语检索")
    for row in (paper, other):
        RecommendationFactory(publication=publication, submitter=contributor, paper=row)
    return paper, other


def test_merge_endpoint_merges_by_link_and_returns_the_record(
    publication: Publication, contributor: Any, editor: Any
) -> None:
    paper, other = _two_rows(publication, contributor)

    response = client_for(editor).post(
        f"{API}/papers/{paper.pk}/merge/",
        {"other": "https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c", "note": "One paper."},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["into"]["id"] == paper.pk
    assert (body["removed_id"], body["note"]) == (other.pk, "One paper.")
    assert body["removed_identifiers"] == {
        "arxiv_id": None,
        "aminer_id": "614407b25244ab9dcbd29c5c",
        "doi": None,
        "acl_id": None,
        "openreview_id": None,
        "s2_id": None,
    }
    assert body["removed"]["title_zh"] == "短语检索"
    assert body["merged_by"]["username"] == editor.username
    assert Paper.objects.get().title_zh == "短语检索"
    assert PaperMerge.objects.count() == 1


@pytest.mark.parametrize(
    ("other", "status", "code"),
    [("self", 400, "same_paper"), ("#999999", 400, "invalid"), ("nonsense", 400, "invalid")],
)
def test_merge_endpoint_refuses_and_changes_nothing(
    publication: Publication, contributor: Any, editor: Any, other: str, status: int, code: str
) -> None:
    paper, _other = _two_rows(publication, contributor)

    response = client_for(editor).post(
        f"{API}/papers/{paper.pk}/merge/",
        {"other": str(paper.pk) if other == "self" else other},
        format="json",
    )

    error = _error(response, status, code)
    if code == "invalid":
        assert error["fields"]["other"] == ["No paper in the catalogue answers to this."]
    assert Paper.objects.count() == 2
    assert not PaperMerge.objects.exists()


def test_merge_endpoint_needs_the_editors_word_on_a_published_issue(
    publication: Publication, contributor: Any, editor: Any
) -> None:
    paper, other = _two_rows(publication, contributor)
    issue = IssueFactory(publication=publication, published=True, number=2)
    for row in (paper, other):
        IssueEntryFactory(issue=issue, recommendation=row.recommendations.get())
    url = f"{API}/papers/{paper.pk}/merge/"

    _error(client_for(editor).post(url, {"other": str(other.pk)}), 400, "same_published_issue")
    assert Paper.objects.count() == 2

    decided = client_for(editor).post(
        url, {"other": str(other.pk), "keep_published_entries": True}, format="json"
    )

    assert decided.status_code == 201
    assert len(decided.json()["moved"]["issues"]["detached"]) == 1


def test_recommendation_names_the_members_credited_on_the_same_entry(
    publication: Publication, contributor: Any, editor: Any
) -> None:
    paper = PaperFactory()
    other = UserFactory(display_name="乙")
    issue = create_issue(publication, by=editor, title="Shared")
    mine, theirs = (
        RecommendationFactory(
            publication=publication,
            submitter=member,
            paper=paper,
            status=RecommendationStatus.ACCEPTED,
        )
        for member in (contributor, other)
    )
    for recommendation in (mine, theirs):
        schedule_recommendation(recommendation, issue=issue, by=editor)
    api = client_for(contributor)

    detail = api.get(f"{API}/recommendations/{mine.pk}/").json()
    listed = {r["id"]: r for r in api.get(f"{API}/recommendations/?mine=true").json()["results"]}

    assert [m["name"] for m in detail["credited_with"]] == ["乙"]
    assert [m["name"] for m in listed[mine.pk]["credited_with"]] == ["乙"]
    theirs_seen = client_for(other).get(f"{API}/recommendations/{theirs.pk}/").json()
    assert [m["username"] for m in theirs_seen["credited_with"]] == [contributor.username]
