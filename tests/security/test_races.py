"""Races, run for real: threads released together by a barrier, each on its own PostgreSQL
connection (SQLite serialises all writers, so it could never show one).

Every case is a user-visible story: a double click (the same request several times at once), two
reviewers or two editors acting at the same moment, twenty members recommending one paper, two
workers fetching one paper, two schedulers publishing the due issues. Each asserts one outcome,
one audit row and a consistent state; the losers get a domain error with a message, never a 500.

``tests/issues/test_concurrency.py`` holds the first three races (numbering, withdraw twice, one
paper row); these extend them. Each double click is repeated ``ROUNDS`` times with ``CLICKS``
requests at once, so that a window that is only sometimes hit still shows.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.utils import timezone

from common.exceptions import Conflict, WorkflowError
from issues.enums import IssueAction, IssueStatus
from issues.models import Issue, IssueEntry, IssueTransition
from issues.services import (
    assemble_issue,
    publish_due_issues,
    publish_issue,
    schedule_issue,
    schedule_recommendation,
    unschedule_recommendation,
)
from papers import services as paper_services
from papers.models import Authorship, Paper
from publications.models import Publication
from recommendations.enums import RecommendationAction, RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review, Transition
from recommendations.services import (
    accept_recommendation,
    create_recommendation,
    edit_recommendation,
    review_recommendation,
    submit_recommendation,
)
from tests.conftest import client_for
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    PaperFactory,
    PublicationFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: Requests sent at once for one double click, and how many times each double click is tried.
CLICKS = 4
ROUNDS = 5
#: Members recommending one paper at the same moment.
MEMBERS = 20


def at_once(work: Callable[[int], Any], count: int) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(0)`` … ``work(count - 1)`` in threads released together; results and errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            result = work(index)
            with lock:
                results.append(result)
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing thread never finished"
    return results, errors


def one_wins(results: list[Any], errors: list[BaseException], count: int = CLICKS) -> Any:
    """Exactly one request succeeded; every other one was refused with a readable domain error."""
    unexpected = [e for e in errors if not isinstance(e, WorkflowError)]
    assert unexpected == [], unexpected
    assert len(results) == 1, (results, errors)
    assert len(errors) == count - 1
    assert all(str(error) for error in errors)
    return results[0]


def double_click(action: Callable[..., Any], copies: list[Any], *, by: Any, **kwargs: Any) -> Any:
    """Call ``action`` on each copy at once, as the member who clicked; the one result."""
    return one_wins(*at_once(lambda i: action(copies[i], by=_user(by.pk), **kwargs), len(copies)))


def _user(pk: int) -> Any:
    """A fresh copy of a member, as each request loads its own."""
    return get_user_model().objects.get(pk=pk)


def _copies(model: type, pk: int, count: int = CLICKS) -> list[Any]:
    """``count`` copies of one row, all loaded before anyone writes: what each request reads."""
    return [model.objects.get(pk=pk) for _ in range(count)]


def _transitions(obj: Recommendation | Issue, action: str) -> int:
    if isinstance(obj, Recommendation):
        return Transition.objects.filter(recommendation=obj, action=action).count()
    return IssueTransition.objects.filter(issue=obj, action=action).count()


@pytest.fixture
def no_fetch(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """Metadata fetches requested, recorded instead of run (no worker in these tests)."""
    requested: list[list[int]] = []
    monkeypatch.setattr(
        paper_services, "request_metadata_fetch", lambda ids, **kw: requested.append(list(ids))
    )
    return requested


# --- many members, one paper ----------------------------------------------------------------------


def test_recommendation_post_twenty_members_same_paper_make_one_paper(
    publication: Publication, no_fetch: list[list[int]]
) -> None:
    members = [UserFactory() for _ in range(MEMBERS)]
    spellings = [
        "2305.14314",
        "arXiv:2305.14314v2",
        "https://arxiv.org/abs/2305.14314",
        "https://arxiv.org/pdf/2305.14314v1.pdf",
        "10.48550/arXiv.2305.14314",
    ]

    def recommend(index: int) -> Any:
        return client_for(_user(members[index].pk)).post(
            "/api/v1/recommendations/",
            {
                "publication": publication.slug,
                "identifier": spellings[index % len(spellings)],
                "summary": f"Member {index}: quantised fine-tuning that fits on one GPU.",
            },
            format="json",
        )

    responses, errors = at_once(recommend, MEMBERS)

    assert errors == []
    assert sorted(r.status_code for r in responses) == [201] * MEMBERS
    paper = Paper.objects.get()
    assert paper.arxiv_id == "2305.14314"
    assert {r.json()["paper"]["arxiv_id"] for r in responses} == {"2305.14314"}
    recommendations = Recommendation.objects.filter(paper=paper)
    assert recommendations.count() == MEMBERS
    assert set(recommendations.values_list("submitter", flat=True)) == {m.pk for m in members}
    assert set(recommendations.values_list("status", flat=True)) == {RecommendationStatus.SUBMITTED}
    assert Transition.objects.filter(action=RecommendationAction.SUBMIT).count() == MEMBERS
    # The fetch of the new paper is asked for (by whoever saw it pending), and only for it.
    assert no_fetch
    assert {pk for ids in no_fetch for pk in ids} == {paper.pk}


def test_create_recommendation_double_click_makes_one_recommendation(
    publication: Publication, contributor: Any, no_fetch: list[list[int]]
) -> None:
    for round_ in range(ROUNDS):
        identifier = f"2401.{10000 + round_}"
        if round_ % 2:
            # A paper already in the catalogue: no insert of a new Paper row to queue behind.
            PaperFactory(arxiv_id=identifier)

        def recommend(index: int, identifier: str = identifier) -> Recommendation:
            return create_recommendation(
                by=_user(contributor.pk),
                publication=publication,
                identifier=identifier,
                summary="Clicked twice by an impatient member.",
            )

        winner = one_wins(*at_once(recommend, CLICKS))
        assert Recommendation.objects.filter(paper__arxiv_id=identifier).count() == 1
        assert Recommendation.objects.get(paper__arxiv_id=identifier) == winner
    assert Paper.objects.count() == ROUNDS


# --- a double click on each transition ------------------------------------------------------------


def test_submit_recommendation_double_click_one_transition(
    publication: Publication, contributor: Any
) -> None:
    for _ in range(ROUNDS):
        draft = RecommendationFactory(
            publication=publication,
            submitter=contributor,
            status=RecommendationStatus.DRAFT,
            submitted_at=None,
        )
        copies = _copies(Recommendation, draft.pk)
        double_click(submit_recommendation, copies, by=contributor)
        draft.refresh_from_db()
        assert draft.status == RecommendationStatus.SUBMITTED
        assert _transitions(draft, RecommendationAction.SUBMIT) == 1


@pytest.mark.parametrize("approvals_required", [1, 2])
@pytest.mark.parametrize("verdict", [Verdict.APPROVE, Verdict.REQUEST_CHANGES, Verdict.REJECT])
def test_review_recommendation_double_click_one_review(
    publication: Publication, reviewer: Any, verdict: str, approvals_required: int
) -> None:
    Publication.objects.filter(pk=publication.pk).update(approvals_required=approvals_required)
    expected = {
        Verdict.APPROVE: (
            RecommendationStatus.ACCEPTED
            if approvals_required == 1
            else RecommendationStatus.SUBMITTED
        ),
        Verdict.REQUEST_CHANGES: RecommendationStatus.CHANGES_REQUESTED,
        Verdict.REJECT: RecommendationStatus.REJECTED,
    }[verdict]
    for _ in range(ROUNDS):
        recommendation = RecommendationFactory(publication=publication)
        copies = _copies(Recommendation, recommendation.pk)

        double_click(review_recommendation, copies, by=reviewer, verdict=verdict, comment="Seen.")
        recommendation.refresh_from_db()
        assert recommendation.reviews.count() == 1
        assert recommendation.status == expected
        moves = Transition.objects.filter(recommendation=recommendation).exclude(
            action=RecommendationAction.CREATE
        )
        assert moves.count() == (0 if expected == RecommendationStatus.SUBMITTED else 1)


def test_review_recommendation_two_reviewers_at_once_reach_two_approvals(
    publication: Publication,
) -> None:
    """Each approval sees the other's: the second of two required approvals accepts."""
    Publication.objects.filter(pk=publication.pk).update(approvals_required=2)
    reviewers = [UserFactory() for _ in range(2)]
    for user in reviewers:
        publication.memberships.create(user=user, role="reviewer")
    for _ in range(ROUNDS):
        recommendation = RecommendationFactory(publication=publication)
        copies = _copies(Recommendation, recommendation.pk, 2)

        def approve(index: int, copies: list[Recommendation] = copies) -> Review:
            return review_recommendation(
                copies[index], by=_user(reviewers[index].pk), verdict=Verdict.APPROVE
            )

        results, errors = at_once(approve, 2)

        assert errors == []
        assert len(results) == 2
        recommendation.refresh_from_db()
        assert recommendation.status == RecommendationStatus.ACCEPTED
        assert _transitions(recommendation, RecommendationAction.APPROVE) == 1


def test_edit_and_second_approval_at_once_never_accept_the_unseen_text(
    publication: Publication,
) -> None:
    """The submitter edits while the second of two required approvals comes in, each first in
    turn (the other held back a moment): the approval first accepts the approved text and the
    edit is refused; the edit first starts round 2, naming the first approval as lapsed, and the
    second approval counts there alone."""
    publication.approvals_required = 2
    publication.save(update_fields=["approvals_required"])
    first, second = UserFactory(), UserFactory()
    for user in (first, second):
        publication.memberships.create(user=user, role="reviewer")
    for attempt in range(2 * ROUNDS):
        recommendation = RecommendationFactory(publication=publication, summary="Approved text.")
        review_recommendation(recommendation, by=first, verdict=Verdict.APPROVE)
        edit_copy, review_copy = _copies(Recommendation, recommendation.pk, 2)
        edit_first = attempt % 2 == 1

        def act(
            index: int,
            edit_first: bool = edit_first,
            copies: tuple[Recommendation, Recommendation] = (edit_copy, review_copy),
            submitter_pk: int = recommendation.submitter_id,
        ) -> Any:
            edit_copy, review_copy = copies
            if index == 0:
                if not edit_first:
                    time.sleep(0.05)
                return edit_recommendation(
                    edit_copy, by=_user(submitter_pk), summary="Unseen text."
                )
            if edit_first:
                time.sleep(0.05)
            return review_recommendation(review_copy, by=_user(second.pk), verdict=Verdict.APPROVE)

        _results, errors = at_once(act, 2)

        recommendation.refresh_from_db()
        if edit_first:
            assert errors == []
            assert (recommendation.status, recommendation.summary) == (
                RecommendationStatus.SUBMITTED,
                "Unseen text.",
            )
            assert list(recommendation.reviews.values_list("reviewer", "round")) == [
                (first.pk, 1),
                (second.pk, 2),
            ]
            edit = Transition.objects.get(recommendation=recommendation, action="edit")
            assert edit.note.endswith(
                f"the approval of round 1 by {first.username} no longer counts."
            )
        else:
            assert [type(error) for error in errors] == [Conflict], errors
            assert (recommendation.status, recommendation.summary) == (
                RecommendationStatus.ACCEPTED,
                "Approved text.",
            )
            assert _transitions(recommendation, RecommendationAction.EDIT) == 0


def test_accept_recommendation_double_click_one_transition_one_mail(
    publication: Publication, editor: Any
) -> None:
    for _ in range(ROUNDS):
        mail.outbox.clear()
        recommendation = RecommendationFactory(publication=publication)
        copies = _copies(Recommendation, recommendation.pk)
        double_click(accept_recommendation, copies, by=editor)
        recommendation.refresh_from_db()
        assert recommendation.status == RecommendationStatus.ACCEPTED
        assert _transitions(recommendation, RecommendationAction.ACCEPT) == 1
        assert [m.to for m in mail.outbox] == [[recommendation.submitter.email]]


def test_schedule_recommendation_double_click_one_entry(
    publication: Publication, editor: Any
) -> None:
    issue = IssueFactory(publication=publication)
    for _ in range(ROUNDS):
        recommendation = RecommendationFactory(
            publication=publication, status=RecommendationStatus.ACCEPTED
        )
        copies = _copies(Recommendation, recommendation.pk)
        double_click(schedule_recommendation, copies, by=editor, issue=issue)
        recommendation.refresh_from_db()
        assert recommendation.status == RecommendationStatus.SCHEDULED
        assert IssueEntry.objects.filter(recommendation=recommendation).count() == 1
        assert _transitions(recommendation, RecommendationAction.SCHEDULE) == 1
    positions = list(issue.entries.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, ROUNDS + 1))


def test_unschedule_recommendation_double_click_one_transition(
    publication: Publication, editor: Any
) -> None:
    issue = IssueFactory(publication=publication)
    for _ in range(ROUNDS):
        entry = IssueEntryFactory(issue=issue)
        copies = _copies(IssueEntry, entry.pk)
        double_click(unschedule_recommendation, copies, by=editor)
        recommendation = Recommendation.objects.get(pk=entry.recommendation_id)
        assert recommendation.status == RecommendationStatus.ACCEPTED
        assert not IssueEntry.objects.filter(pk=entry.pk).exists()
        assert _transitions(recommendation, RecommendationAction.UNSCHEDULE) == 1


def test_schedule_issue_double_click_one_transition(publication: Publication, editor: Any) -> None:
    publish_at = timezone.now() + dt.timedelta(days=2)
    for _ in range(ROUNDS):
        issue = IssueFactory(publication=publication)
        IssueEntryFactory(issue=issue)
        copies = _copies(Issue, issue.pk)
        double_click(schedule_issue, copies, by=editor, publish_at=publish_at)
        issue.refresh_from_db()
        assert (issue.status, issue.publish_at) == (IssueStatus.SCHEDULED, publish_at)
        assert _transitions(issue, IssueAction.SCHEDULE) == 1


def test_publish_issue_double_click_one_number(publication: Publication, editor: Any) -> None:
    for round_ in range(ROUNDS):
        issue = IssueFactory(publication=publication)
        entries = [IssueEntryFactory(issue=issue) for _ in range(3)]
        copies = _copies(Issue, issue.pk)
        published = double_click(publish_issue, copies, by=editor)
        issue.refresh_from_db()
        assert (issue.status, issue.number) == (IssueStatus.PUBLISHED, round_ + 1)
        assert published.number == issue.number
        assert _transitions(issue, IssueAction.PUBLISH) == 1
        for entry in entries:
            recommendation = Recommendation.objects.get(pk=entry.recommendation_id)
            assert recommendation.status == RecommendationStatus.PUBLISHED
            assert _transitions(recommendation, RecommendationAction.PUBLISH) == 1
    assert sorted(Issue.objects.values_list("number", flat=True)) == list(range(1, ROUNDS + 1))


# --- editors and schedulers at once -------------------------------------------------------------


def test_publish_issue_eight_editors_at_once_continue_the_numbering(
    publication: Publication,
) -> None:
    """Two issues already out; eight editors publish eight drafts at once: numbers 3 to 10."""
    IssueFactory(publication=publication, published=True, number=1)
    IssueFactory(publication=publication, published=True, number=2)
    other = PublicationFactory()
    IssueFactory(publication=other, published=True, number=7)
    drafts = [IssueFactory(publication=publication) for _ in range(8)]
    editors = []
    for draft in drafts:
        IssueEntryFactory(issue=draft)
        editors.append(UserFactory())
        publication.memberships.create(user=editors[-1], role="editor")

    def publish(index: int) -> int:
        issue = Issue.objects.get(pk=drafts[index].pk)
        return publish_issue(issue, by=_user(editors[index].pk)).number

    numbers, errors = at_once(publish, len(drafts))

    assert errors == []
    assert sorted(numbers) == list(range(3, 11))
    assert sorted(publication.issues.values_list("number", flat=True)) == list(range(1, 11))
    assert list(other.issues.values_list("number", flat=True)) == [7]


def test_publish_due_issues_two_schedulers_publish_each_issue_once(
    publication: Publication,
) -> None:
    due = []
    for _ in range(4):
        issue = IssueFactory(publication=publication, scheduled=True)
        IssueEntryFactory(issue=issue)
        due.append(issue)
    Issue.objects.filter(pk__in=[i.pk for i in due]).update(
        publish_at=timezone.now() - dt.timedelta(minutes=1)
    )

    results, errors = at_once(lambda _i: publish_due_issues(), 2)

    assert errors == []
    assert sorted(i.pk for batch in results for i in batch) == sorted(i.pk for i in due)
    assert sorted(Issue.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert IssueTransition.objects.filter(action=IssueAction.PUBLISH).count() == 4


def test_assemble_issue_two_editors_at_once_schedule_each_recommendation_once(
    publication: Publication, editor: Any
) -> None:
    accepted = [
        RecommendationFactory(publication=publication, status=RecommendationStatus.ACCEPTED)
        for _ in range(6)
    ]
    issues = [IssueFactory(publication=publication) for _ in range(2)]

    def assemble(index: int) -> list[IssueEntry]:
        issue = Issue.objects.get(pk=issues[index].pk)
        return assemble_issue(issue, by=_user(editor.pk))

    _results, errors = at_once(assemble, 2)

    assert [e for e in errors if not isinstance(e, WorkflowError)] == []
    for recommendation in accepted:
        recommendation.refresh_from_db()
        assert recommendation.status == RecommendationStatus.SCHEDULED
        assert IssueEntry.objects.filter(recommendation=recommendation).count() == 1
        assert _transitions(recommendation, RecommendationAction.SCHEDULE) == 1


# --- two workers, one paper -------------------------------------------------------------------


def test_apply_paper_metadata_two_workers_at_once_write_the_authors_once() -> None:
    """A sweep re-enqueues a paper whose first task is still running: both store its metadata."""
    metadata = paper_services.PaperMetadata(
        title="Heat-bath random walks with Markov bases",
        authors=[paper_services.AuthorData(f"Author {n}") for n in range(12)],
        institutions=["Stanford", "Korea University"],
    )
    for _ in range(ROUNDS):
        paper = PaperFactory()

        def store(_index: int, paper_pk: int = paper.pk) -> Paper:
            return paper_services.apply_paper_metadata(
                Paper.objects.get(pk=paper_pk), metadata, source="arxiv"
            )

        results, errors = at_once(store, CLICKS)

        assert errors == []
        assert len(results) == CLICKS
        positions = Authorship.objects.filter(paper=paper).values_list("position", flat=True)
        assert sorted(positions) == list(range(1, 13))
        assert paper.paper_institutions.count() == 2
