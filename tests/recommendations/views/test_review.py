"""The reviewers' pages (``recommendations/views/review.py``): the queue, the review form, an
editor's acceptance and the list of accepted recommendations, through Django's test client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from publications.enums import TeamRole
from publications.models import Publication
from publications.permissions import REFUSALS
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review, Transition
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    PublicationFactory,
    RecommendationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")
ACCEPTED = reverse("review:accepted")
COMMENT_NEEDED = "Say in a comment what should change, or why it is rejected."


def _review_url(recommendation: Recommendation) -> str:
    return reverse("review:recommendation", kwargs={"pk": recommendation.pk})


def _accept_url(recommendation: Recommendation) -> str:
    return reverse("review:accept", kwargs={"pk": recommendation.pk})


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def _queued_titles(response: HttpResponse) -> list[str]:
    return [recommendation.paper.title for recommendation in response.context["page"]]


# --- who may come in -----------------------------------------------------------------------------


def test_pages_send_anonymous_visitors_to_login(publication: Publication) -> None:
    recommendation = RecommendationFactory(publication=publication)
    client = Client()
    for url in (QUEUE, ACCEPTED, _review_url(recommendation)):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
    response = client.post(_accept_url(recommendation))
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert Recommendation.objects.get(pk=recommendation.pk).status == RecommendationStatus.SUBMITTED


def test_pages_refuse_plain_members_with_a_readable_page(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication, submitter=other_contributor)
    client = _client(contributor)
    for url in (QUEUE, _review_url(recommendation)):
        response = client.get(url)
        assert response.status_code == 403
        assert REFUSALS["recommendations.view_review_queue"] in response.content.decode()
        assert "<h1>Not allowed</h1>" in response.content.decode()
    response = client.post(_review_url(recommendation), {"verdict": Verdict.APPROVE})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_accepted_list_is_for_editors_only(reviewer: Any) -> None:
    response = _client(reviewer).get(ACCEPTED)
    assert response.status_code == 403
    assert REFUSALS["recommendations.schedule_recommendation"] in response.content.decode()


def test_review_page_of_another_publication_is_not_found(
    reviewer: Any, other_publication: Publication
) -> None:
    recommendation = RecommendationFactory(publication=other_publication)
    assert _client(reviewer).get(_review_url(recommendation)).status_code == 404


def test_nav_links_to_the_queue_only_for_the_team(reviewer: Any, contributor: Any) -> None:
    link = f'href="{QUEUE}"'
    assert link in _client(reviewer).get(reverse("issues:home")).content.decode()
    assert link not in _client(contributor).get(reverse("issues:home")).content.decode()


# --- the queue -----------------------------------------------------------------------------------


def test_queue_lists_oldest_first_only_reviewed_publications_and_never_own(
    publication: Publication, other_publication: Publication, reviewer: Any
) -> None:
    RecommendationFactory(publication=publication, paper__title="Newest", submitted_at=_ago(1))
    RecommendationFactory(publication=publication, paper__title="Oldest", submitted_at=_ago(30))
    RecommendationFactory(publication=publication, paper__title="Middle", submitted_at=_ago(10))
    RecommendationFactory(
        publication=other_publication, paper__title="Not my publication", submitted_at=_ago(60)
    )
    RecommendationFactory(
        publication=publication, paper__title="Mine", submitter=reviewer, submitted_at=_ago(90)
    )
    RecommendationFactory(
        publication=publication,
        paper__title="Already accepted",
        status=RecommendationStatus.ACCEPTED,
        submitted_at=_ago(90),
    )

    response = _client(reviewer).get(QUEUE)

    assert response.status_code == 200
    assert _queued_titles(response) == ["Oldest", "Middle", "Newest"]
    body = response.content.decode()
    assert "Not my publication" not in body
    assert "Mine" not in body
    assert "<title>Review queue</title>" in body


def test_queue_shows_what_a_reviewer_needs(
    publication: Publication, reviewer: Any, topic: Any
) -> None:
    submitter = UserFactory(display_name="Ada Submitter")
    paper = PaperFactory(title="Phrase Retrieval", title_zh="短语检索", pending=False)
    RecommendationFactory(publication=publication, paper=paper, topic=topic, submitter=submitter)

    body = _client(reviewer).get(QUEUE).content.decode()

    for shown in (
        "Phrase Retrieval",
        "短语检索",
        f"arXiv:{paper.arxiv_id}",
        "Ada Submitter",
        "Pretraining Weekly",
        "Language models",
        "Fetched",  # the metadata status
    ):
        assert shown in body, shown


def test_queue_filters_by_publication_and_topic(
    publication: Publication, other_publication: Publication, reviewer: Any, topic: Any
) -> None:
    MembershipFactory(publication=other_publication, user=reviewer, role=TeamRole.REVIEWER)
    other_topic = TopicFactory(slug="rl", name_en="Reinforcement learning")
    RecommendationFactory(publication=publication, topic=topic, paper__title="P-lm")
    RecommendationFactory(publication=publication, topic=other_topic, paper__title="P-rl")
    RecommendationFactory(publication=other_publication, topic=topic, paper__title="R-lm")
    client = _client(reviewer)

    assert sorted(_queued_titles(client.get(QUEUE))) == ["P-lm", "P-rl", "R-lm"]
    by_publication = client.get(QUEUE, {"publication": publication.slug})
    assert sorted(_queued_titles(by_publication)) == ["P-lm", "P-rl"]
    by_topic = client.get(QUEUE, {"topic": topic.slug})
    assert sorted(_queued_titles(by_topic)) == ["P-lm", "R-lm"]
    both = client.get(QUEUE, {"publication": other_publication.slug, "topic": topic.slug})
    assert _queued_titles(both) == ["R-lm"]
    # The select offers the publications one reviews, labelled.
    body = by_publication.content.decode()
    assert '<label for="id_publication">Publication</label>' in body
    assert '<label for="id_topic">Topic</label>' in body
    assert f'<option value="{publication.slug}" selected>' in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"publication": "no-such-weekly"},
            "There is no publication by that name among those you review.",
        ),
        (
            {"publication": "rl-weekly"},  # exists, but this reviewer does not review it
            "There is no publication by that name among those you review.",
        ),
        ({"publication": "bad\x00slug"}, "There is no publication by that name"),
        ({"topic": "no-such-topic"}, "There is no topic by that name."),
        ({"topic": "x" * 500}, "There is no topic by that name."),
    ],
)
def test_queue_unknown_filter_gives_a_clear_message(
    publication: Publication,
    other_publication: Publication,
    reviewer: Any,
    params: dict[str, str],
    message: str,
) -> None:
    RecommendationFactory(publication=publication)
    RecommendationFactory(publication=other_publication)

    response = _client(reviewer).get(QUEUE, params)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(response.context["page"]) == []


def test_queue_is_paginated_keeping_its_filters(
    publication: Publication, reviewer: Any, topic: Any
) -> None:
    for minutes in range(25):
        RecommendationFactory(
            publication=publication, topic=topic, submitted_at=_ago(100 - minutes)
        )
    client = _client(reviewer)

    first = client.get(QUEUE, {"topic": topic.slug})
    assert len(first.context["page"]) == 20
    assert f"?topic={topic.slug}&amp;page=2" in first.content.decode()
    second = client.get(QUEUE, {"topic": topic.slug, "page": 2})
    assert len(second.context["page"]) == 5
    assert client.get(QUEUE, {"page": "nonsense"}).status_code == 200


def test_queue_query_count_does_not_grow_with_rows(
    publication: Publication, reviewer: Any, topic: Any
) -> None:
    client = _client(reviewer)

    def queries_for_queue() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE)
        assert response.status_code == 200
        return len(captured)

    RecommendationFactory.create_batch(2, publication=publication, topic=topic)
    few = queries_for_queue()
    RecommendationFactory.create_batch(15, publication=publication, topic=topic)
    RecommendationFactory.create_batch(3, publication=publication, news=True)
    assert len(client.get(QUEUE).context["page"]) == 20
    assert queries_for_queue() == few
    assert few <= 10


# --- reviewing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "comment", "status", "message"),
    [
        (
            Verdict.APPROVE,
            "",
            RecommendationStatus.ACCEPTED,
            "Approved. The recommendation is accepted and waits for an issue.",
        ),
        (
            Verdict.REQUEST_CHANGES,
            "Say what the code does.",
            RecommendationStatus.CHANGES_REQUESTED,
            "Changes requested. The submitter is told what to change.",
        ),
        (
            Verdict.REJECT,
            "Off topic.",
            RecommendationStatus.REJECTED,
            "Rejected. The submitter is told why.",
        ),
    ],
)
def test_review_changes_state_and_records_review_and_audit(
    publication: Publication,
    reviewer: Any,
    verdict: str,
    comment: str,
    status: str,
    message: str,
) -> None:
    recommendation = RecommendationFactory(publication=publication)

    response = _client(reviewer).post(
        _review_url(recommendation), {"verdict": verdict, "comment": comment}
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert _messages(response) == [message]
    recommendation.refresh_from_db()
    assert recommendation.status == status
    review = Review.objects.get(recommendation=recommendation)
    assert (review.reviewer, review.verdict, review.comment) == (reviewer, verdict, comment)
    transition = Transition.objects.get(recommendation=recommendation)
    assert (transition.actor, transition.action, transition.from_status, transition.to_status) == (
        reviewer,
        verdict,
        RecommendationStatus.SUBMITTED,
        status,
    )
    assert transition.note == comment


def test_review_page_shows_the_recommendation_in_full(
    publication: Publication, reviewer: Any, topic: Any
) -> None:
    paper = PaperFactory(
        title="Dense Phrase Retrieval",
        title_zh="稠密短语检索",
        abstract="We retrieve phrases densely.",
        authors=["Jinhyuk Lee", "Danqi Chen"],
        institutions=["Princeton University", "Korea University"],
        code_url="https://github.com/example/phrases",
    )
    recommendation = RecommendationFactory(
        publication=publication,
        paper=paper,
        topic=topic,
        summary="A **bold** claim, see [the repo](https://example.org/repo).",
    )
    earlier_comment = "Earlier note from another reviewer."
    Review.objects.create(
        recommendation=recommendation,
        reviewer=UserFactory(display_name="Other Reviewer"),
        verdict=Verdict.APPROVE,
        comment=earlier_comment,
    )

    response = _client(reviewer).get(_review_url(recommendation))

    body = response.content.decode()
    assert response.status_code == 200
    for shown in (
        "Dense Phrase Retrieval",
        "稠密短语检索",
        "We retrieve phrases densely.",
        "Jinhyuk Lee, Danqi Chen",
        "Princeton University; Korea University",
        "https://github.com/example/phrases",
        f"https://arxiv.org/abs/{paper.arxiv_id}",
        "<strong>bold</strong>",
        '<a href="https://example.org/repo" rel="nofollow noopener noreferrer">the repo</a>',
        "Other Reviewer",
        earlier_comment,
        "Nobody recommended this paper before.",
    ):
        assert shown in body, shown
    assert 'type="radio" name="verdict" value="approve"' in body
    assert 'type="radio" name="verdict" value="request_changes"' in body
    assert 'type="radio" name="verdict" value="reject"' in body
    assert '<label for="id_comment">Comment' in body
    assert "Accept for an issue" not in body  # a reviewer, not an editor


def test_review_page_names_earlier_recommendations_and_the_issue_that_featured_the_paper(
    publication: Publication, reviewer: Any
) -> None:
    paper = PaperFactory()
    earlier = IssueEntryFactory(
        issue=IssueFactory(publication=publication, published=True, number=7),
        recommendation__paper=paper,
        recommendation__submitter=UserFactory(display_name="Grace Earlier"),
    )
    assert earlier.recommendation.status == RecommendationStatus.PUBLISHED
    recommendation = RecommendationFactory(publication=publication, paper=paper)

    body = _client(reviewer).get(_review_url(recommendation)).content.decode()

    assert "Already featured in Pretraining Weekly, issue 7." in body
    assert "Grace Earlier for Pretraining Weekly: Published" in body
    assert earlier.issue.get_absolute_url() in body


def test_review_page_names_no_hidden_recommendation_of_another_publication(
    publication: Publication, other_publication: Publication, reviewer: Any
) -> None:
    paper = PaperFactory()
    RecommendationFactory(
        publication=other_publication,
        paper=paper,
        submitter=UserFactory(display_name="Dave Rejected"),
        status=RecommendationStatus.REJECTED,
    )
    RecommendationFactory(
        publication=PublicationFactory(name="Robotics Weekly"),
        paper=paper,
        submitter=UserFactory(display_name="Erin Pending"),
    )
    RecommendationFactory(
        publication=publication,
        paper=paper,
        submitter=UserFactory(display_name="Grace Queued"),
        status=RecommendationStatus.REJECTED,
    )
    recommendation = RecommendationFactory(publication=publication, paper=paper)

    body = _client(reviewer).get(_review_url(recommendation)).content.decode()

    assert "Grace Queued for Pretraining Weekly: Rejected" in body
    for hidden in ("Dave Rejected", "RL Weekly", "Erin Pending", "Robotics Weekly"):
        assert hidden not in body


def test_review_page_shows_the_audit_history(publication: Publication, reviewer: Any) -> None:
    recommendation = RecommendationFactory(publication=publication)
    submitter = recommendation.submitter
    Transition.objects.create(
        recommendation=recommendation,
        actor=submitter,
        action="submit",
        from_status="draft",
        to_status="submitted",
    )

    body = _client(reviewer).get(_review_url(recommendation)).content.decode()

    assert f"Submitted (Draft → Submitted) — {submitter.public_name}" in body


@pytest.mark.parametrize("verdict", [Verdict.REQUEST_CHANGES, Verdict.REJECT])
def test_review_without_a_required_comment_is_a_form_error(
    publication: Publication, reviewer: Any, verdict: str
) -> None:
    recommendation = RecommendationFactory(publication=publication)

    response = _client(reviewer).post(
        _review_url(recommendation), {"verdict": verdict, "comment": "   "}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"comment": [COMMENT_NEEDED]}
    assert COMMENT_NEEDED in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.SUBMITTED
    assert not Review.objects.exists()
    assert not Transition.objects.exists()


def test_review_without_a_verdict_is_a_form_error(publication: Publication, reviewer: Any) -> None:
    recommendation = RecommendationFactory(publication=publication)

    response = _client(reviewer).post(_review_url(recommendation), {"verdict": "maybe"})

    assert response.status_code == 200
    assert "verdict" in response.context["form"].errors
    assert not Review.objects.exists()


def test_reviewing_ones_own_submission_is_refused(publication: Publication, reviewer: Any) -> None:
    recommendation = RecommendationFactory(publication=publication, submitter=reviewer)
    client = _client(reviewer)

    page = client.get(_review_url(recommendation)).content.decode()
    assert "This is your own submission" in page
    assert 'name="verdict"' not in page

    response = client.post(_review_url(recommendation), {"verdict": Verdict.APPROVE})
    assert response.status_code == 403
    assert REFUSALS["recommendations.review_recommendation"] in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.SUBMITTED
    assert not Review.objects.exists()


def test_double_post_records_one_review_and_tells_the_second(
    publication: Publication, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication)
    client = _client(reviewer)
    data = {"verdict": Verdict.REJECT, "comment": "Not about pretraining."}

    client.post(_review_url(recommendation), data, follow=True)  # the message is shown
    second = client.post(_review_url(recommendation), data)

    assert second.status_code == 302
    assert second["Location"] == _review_url(recommendation)
    assert _messages(second) == [
        "Only a submitted recommendation can be reviewed; this one is rejected."
    ]
    assert Review.objects.filter(recommendation=recommendation).count() == 1
    assert Transition.objects.filter(recommendation=recommendation).count() == 1


def test_double_approve_while_more_approvals_are_needed_is_refused(reviewer: Any) -> None:
    publication = Publication.objects.get(slug="pretraining-weekly")
    publication.approvals_required = 2
    publication.save(update_fields=["approvals_required"])
    recommendation = RecommendationFactory(publication=publication)
    client = _client(reviewer)

    first = client.post(_review_url(recommendation), {"verdict": Verdict.APPROVE}, follow=True)
    assert _messages(first) == [
        "Your approval is recorded. The recommendation needs more approvals to be accepted."
    ]
    second = client.post(_review_url(recommendation), {"verdict": Verdict.APPROVE})

    assert _messages(second) == ["You have already reviewed this version of the recommendation."]
    assert Review.objects.filter(recommendation=recommendation).count() == 1
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.SUBMITTED
    page = client.get(_review_url(recommendation)).content.decode()
    assert "You have reviewed this version already." in page
    assert 'name="verdict"' not in page


def test_approval_before_the_submitters_edit_does_not_count_after_it(
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
    _client(reviewer).post(_review_url(recommendation), {"verdict": Verdict.APPROVE})

    edited = _client(contributor).post(
        reverse("recommendations:edit", args=[recommendation.pk]),
        {"summary": "Buy our product.", "code_url": "https://example.com/payload"},
    )
    second = _client(editor).post(_review_url(recommendation), {"verdict": Verdict.APPROVE})

    assert edited.status_code == 302
    assert _messages(second) == [
        "Your approval is recorded. The recommendation needs more approvals to be accepted."
    ]
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round, recommendation.summary) == (
        RecommendationStatus.SUBMITTED,
        2,
        "Buy our product.",
    )
    assert list(
        recommendation.reviews.order_by("created_at", "id").values_list("reviewer", "round")
    ) == [(reviewer.pk, 1), (editor.pk, 2)]
    assert list(recommendation.transitions.values_list("action", "note")) == [
        (
            "edit",
            "Changed: code_url, summary. Review round 2 begins; the approval of round 1 by "
            "reviewer no longer counts.",
        )
    ]


def test_review_form_read_before_the_submitters_edit_is_refused(
    publication: Publication, contributor: Any, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(
        publication=publication, submitter=contributor, summary="What the reviewer reads."
    )
    client = _client(reviewer)
    page = client.get(_review_url(recommendation))
    form = page.context["form"]
    assert '<input type="hidden" name="review_round" value="1"' in page.content.decode()

    _client(contributor).post(
        reverse("recommendations:edit", args=[recommendation.pk]), {"summary": "Another text."}
    )
    response = client.post(
        _review_url(recommendation), {**form.initial, "verdict": Verdict.APPROVE}
    )

    assert response["Location"] == _review_url(recommendation)
    assert _messages(response) == [
        "The recommendation has changed since you opened it; it is now in review round 2. "
        "Read this version, then review it."
    ]
    assert not Review.objects.exists()
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.review_round) == (
        RecommendationStatus.SUBMITTED,
        2,
    )


def test_review_page_tells_a_reviewer_what_changed_since_their_approval(
    publication: Publication, contributor: Any, reviewer: Any
) -> None:
    publication.approvals_required = 2
    publication.save(update_fields=["approvals_required"])
    recommendation = RecommendationFactory(
        publication=publication,
        submitter=contributor,
        summary="A careful benchmark.",
        code_url="https://github.com/org/repo",
    )
    client = _client(reviewer)
    client.post(_review_url(recommendation), {"verdict": Verdict.APPROVE, "comment": "Sound."})
    _client(contributor).post(
        reverse("recommendations:edit", args=[recommendation.pk]),
        {"summary": "Buy our product.", "code_url": "https://example.com/payload"},
    )

    response = client.get(_review_url(recommendation))

    body = response.content.decode()
    assert response.context["reviewed_this_round"] is False
    assert response.context["can_review"] is True
    assert (
        "You reviewed round 1 (Approve). The submitter has changed the recommendation since: "
        "this is round 2, and your review no longer counts." in body
    )
    assert [
        (str(change["label"]), change["old"], change["new"])
        for change in response.context["changed_since_my_review"]
    ] == [
        ("Summary", "A careful benchmark.", "Buy our product."),
        ("Code", "https://github.com/org/repo", "https://example.com/payload"),
    ]
    for shown in ("A careful benchmark.", "https://example.com/payload", "Buy our product."):
        assert shown in body
    # The earlier review stays, marked with its round.
    assert "Sound." in body
    assert "round 1" in body
    assert '<input type="hidden" name="review_round" value="2"' in body


# --- an editor's acceptance ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [RecommendationStatus.SUBMITTED, RecommendationStatus.CHANGES_REQUESTED]
)
def test_editor_accepts_for_an_issue(publication: Publication, editor: Any, status: str) -> None:
    recommendation = RecommendationFactory(
        publication=publication, status=status, paper__title="To the builder"
    )
    client = _client(editor)
    assert "Accept for an issue" in client.get(_review_url(recommendation)).content.decode()

    response = client.post(_accept_url(recommendation))

    assert response.status_code == 302
    assert response["Location"] == f"{ACCEPTED}#publication-{publication.pk}"
    assert _messages(response) == ["Accepted. The recommendation is ready for the issue builder."]
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.ACCEPTED
    assert recommendation.decided_at is not None
    transition = Transition.objects.get(recommendation=recommendation)
    assert (transition.actor, transition.action, transition.from_status, transition.to_status) == (
        editor,
        "accept",
        status,
        RecommendationStatus.ACCEPTED,
    )
    listing = client.get(ACCEPTED)
    assert listing.status_code == 200
    assert [r.pk for _p, recs in listing.context["sections"] for r in recs] == [recommendation.pk]
    assert "To the builder" in listing.content.decode()


def test_accept_by_a_reviewer_is_refused(publication: Publication, reviewer: Any) -> None:
    recommendation = RecommendationFactory(publication=publication)

    response = _client(reviewer).post(_accept_url(recommendation))

    assert response.status_code == 403
    assert REFUSALS["recommendations.accept_recommendation"] in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.SUBMITTED
    assert not Transition.objects.exists()


def test_accept_in_a_wrong_state_is_a_message(publication: Publication, editor: Any) -> None:
    recommendation = RecommendationFactory(
        publication=publication, status=RecommendationStatus.REJECTED
    )
    client = _client(editor)
    assert "Accept for an issue" not in client.get(_review_url(recommendation)).content.decode()

    response = client.post(_accept_url(recommendation))

    assert response.status_code == 302
    assert _messages(response) == ["A recommendation that is rejected cannot be accepted."]
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.REJECTED


def test_accepted_list_shows_only_the_editors_publications(
    publication: Publication, other_publication: Publication, editor: Any
) -> None:
    mine = RecommendationFactory(
        publication=publication, status=RecommendationStatus.ACCEPTED, decided_at=_ago(5)
    )
    RecommendationFactory(
        publication=other_publication, status=RecommendationStatus.ACCEPTED, decided_at=_ago(5)
    )
    RecommendationFactory(publication=publication, status=RecommendationStatus.SCHEDULED)

    response = _client(editor).get(ACCEPTED)

    assert [(p.slug, [r.pk for r in recs]) for p, recs in response.context["sections"]] == [
        ("pretraining-weekly", [mine.pk])
    ]
    assert "<title>Accepted recommendations</title>" in response.content.decode()


def test_accepted_list_costs_the_same_queries_for_more_publications(
    publication: Publication, editor: Any, django_assert_max_num_queries: Any
) -> None:
    RecommendationFactory(publication=publication, status=RecommendationStatus.ACCEPTED)
    client = _client(editor)
    client.get(ACCEPTED)  # the session and the member, read once
    with CaptureQueriesContext(connection) as one:
        client.get(ACCEPTED)
    others = [PublicationFactory() for _ in range(3)]
    for other in others:
        MembershipFactory(publication=other, user=editor, role=TeamRole.EDITOR)
        RecommendationFactory.create_batch(
            2, publication=other, status=RecommendationStatus.ACCEPTED
        )

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(ACCEPTED)

    waiting = {p.pk: len(recs) for p, recs in response.context["sections"]}
    assert waiting == {publication.pk: 1, **{other.pk: 2 for other in others}}


# --- escaping ------------------------------------------------------------------------------------


def test_script_in_summary_and_title_is_escaped(publication: Publication, reviewer: Any) -> None:
    recommendation = RecommendationFactory(
        publication=publication,
        paper__title="<script>alert('title')</script>",
        title_zh="<script>alert('zh')</script>",
        summary="<script>alert('summary')</script> and <b onclick=\"x()\">bold</b>",
    )
    client = _client(reviewer)

    for url in (QUEUE, _review_url(recommendation)):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in body, url
        assert "&lt;script&gt;alert(&#x27;zh&#x27;)&lt;/script&gt;" in body, url
    page = client.get(_review_url(recommendation)).content.decode()
    # Neither the rendered summary nor the team's edit form carries the attribute as markup; the
    # form holds the member's text escaped, to edit.
    assert 'onclick="x()"' not in page
    assert "&lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt;</textarea>" in page


# ================================================================ the team edits an entry


def _revise_url(recommendation: Recommendation) -> str:
    return reverse("review:revise", args=[recommendation.pk])


def _revision(recommendation: Recommendation, **values: str) -> dict[str, str]:
    """The edit form as a browser posts it: every field, the changed ones with their values."""
    prefix = f"entry-{recommendation.pk}-"
    fields = {
        "summary": recommendation.summary,
        "title_zh": recommendation.title_zh,
        "subject_zh": "",
        "subject_en": "",
        "shown_authors": "",
        "shown_institutions": "",
        "code_url": "",
        "paper_url": "",
        "topic": "",
    }
    fields.update(values)
    return {prefix + name: value for name, value in fields.items()}


def test_review_page_offers_the_team_the_entry_to_edit(
    publication: Publication, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication)
    page = _client(reviewer).get(_review_url(recommendation)).content.decode()
    assert 'id="edit-entry"' in page
    assert f'action="{_revise_url(recommendation)}"' in page
    assert f'name="entry-{recommendation.pk}-shown_authors"' in page


def test_review_page_offers_no_edit_of_a_published_entry(
    publication: Publication, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(
        publication=publication, status=RecommendationStatus.PUBLISHED
    )
    page = _client(reviewer).get(_review_url(recommendation)).content.decode()
    assert 'id="edit-entry"' not in page


def test_edit_posted_from_the_builder_saves_and_goes_back_there(
    publication: Publication, editor: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication)
    builder = "/en/editor/issues/7/#entry-3"
    response = _client(editor).post(
        _revise_url(recommendation),
        {
            **_revision(recommendation, summary="Polished.\r\n", subject_zh="段落检索"),
            "next": builder,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == builder
    assert "Saved. The submitter is told what changed." in _messages(response)
    recommendation.refresh_from_db()
    assert (recommendation.summary, recommendation.subject_zh) == ("Polished.", "段落检索")
    row = Transition.objects.filter(recommendation=recommendation, action="revise").get()
    assert row.actor == editor


def test_edit_never_redirects_to_another_host(publication: Publication, editor: Any) -> None:
    recommendation = RecommendationFactory(publication=publication)
    response = _client(editor).post(
        _revise_url(recommendation),
        {**_revision(recommendation, summary="Polished."), "next": "https://evil.example/"},
    )
    assert response["Location"] == _review_url(recommendation)


def test_edit_with_a_bad_link_shows_the_form_again_and_stores_nothing(
    publication: Publication, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication)
    response = _client(reviewer).post(
        _revise_url(recommendation),
        _revision(recommendation, summary="Kept out.", paper_url="javascript:alert(1)"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "javascript:alert(1)" in page  # what was typed, escaped in the field, to correct
    assert 'class="errorlist' in page
    recommendation.refresh_from_db()
    assert recommendation.summary != "Kept out."
    assert not Transition.objects.filter(recommendation=recommendation, action="revise").exists()


def test_edit_by_someone_outside_the_team_is_refused(
    publication: Publication, contributor: Any, other_contributor: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication, submitter=other_contributor)
    response = _client(contributor).post(
        _revise_url(recommendation), _revision(recommendation, summary="Taken over.")
    )
    assert response.status_code in (403, 404)
    recommendation.refresh_from_db()
    assert recommendation.summary != "Taken over."


def test_the_submitter_sees_who_changed_what(
    publication: Publication, reviewer: Any, contributor: Any
) -> None:
    recommendation = RecommendationFactory(
        publication=publication, submitter=contributor, summary="My words."
    )
    _client(reviewer).post(
        _revise_url(recommendation), _revision(recommendation, summary="The team's words.")
    )
    page = _client(contributor).get(f"/en/submissions/{recommendation.pk}/").content.decode()
    assert "Edited by the team" in page
    assert reviewer.public_name in page
    assert "<dt>Summary</dt>" in page
    assert "My words." in page
    assert "The team&#x27;s words." in page
