"""The members' inbox page and its actions (``inbox/views/inbox.py``): who gets in, what a row
shows, the tabs and their counts, the actions and their refusals, and a page's cost."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from inbox.enums import CandidateAction, CandidateState
from inbox.models import Candidate, DigestSubscription, Interest
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation
from tests.factories import PaperFactory
from tests.factories.inbox import CandidateFactory, WatchFactory
from tests.inbox.views.conftest import messages_of, signed_in
from tests.languages import reverse_in

pytestmark = pytest.mark.django_db


def _inbox(publication: Publication, **query: str) -> str:
    url = reverse("inbox:inbox", args=[publication.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _action(name: str, candidate: Candidate, publication: Publication | None = None) -> str:
    slug = (publication or candidate.publication).slug
    return reverse(f"inbox:{name}", args=[slug, candidate.pk])


def _state(candidate: Candidate) -> tuple[str, int | None, int]:
    candidate.refresh_from_db()
    return candidate.state, candidate.claimed_by_id, candidate.transitions.count()


# --- who gets in --------------------------------------------------------------------------------


def test_inbox_sends_anonymous_readers_to_sign_in_and_is_never_cached(
    publication: Publication,
) -> None:
    response = signed_in(None).get(_inbox(publication))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("contributors:login"))
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["claim", "release", "dismiss", "restore", "interest", "write-up"])
def test_actions_of_anonymous_readers_change_nothing(publication: Publication, name: str) -> None:
    candidate = CandidateFactory(publication=publication)

    response = signed_in(None).post(_action(name, candidate), {"reason": "x", "do": "mark"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("contributors:login"))
    assert _state(candidate) == (CandidateState.NEW, None, 0)


def test_inbox_of_an_unknown_publication_is_not_found(contributor: Any) -> None:
    response = signed_in(contributor).get(reverse("inbox:inbox", args=["no-such-weekly"]))

    assert response.status_code == 404


def test_inbox_is_private_to_the_member(publication: Publication, contributor: Any) -> None:
    response = signed_in(contributor).get(_inbox(publication))

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


# --- what it shows ------------------------------------------------------------------------------


def test_a_row_shows_the_paper_its_score_watch_interest_and_claim(
    publication: Publication, contributor: Any, claimant: Any
) -> None:
    paper = PaperFactory(
        title="Pretraining at scale", arxiv_id="2412.00042", authors=["Ada Lovelace", "Alan Turing"]
    )
    watch = WatchFactory(publication=publication, name="Pretraining 预训练")
    claimed_on = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 0))  # a Tuesday
    candidate = CandidateFactory(
        publication=publication,
        paper=paper,
        watch=watch,
        score=0.734,
        submitted_at=timezone.make_aware(dt.datetime(2026, 11, 30, 9, 0)),
        claimed=True,
        claimed_by=claimant,
        claimed_at=claimed_on,
        interest_count=2,
    )

    response = signed_in(contributor).get(_inbox(publication, view="claimed"))

    page = response.content.decode()
    assert reverse("papers:paper-detail", args=[paper.pk]) in page
    assert "Pretraining at scale" in page
    assert "Ada Lovelace, Alan Turing" in page
    assert "arXiv:2412.00042" in page
    assert "2026-11-30" in page
    assert 'value="0.734"' in page
    assert "73%" in page
    assert "found by “Pretraining 预训练”" in page
    assert "2 members interested" in page
    assert "王小明 is writing this up, since Tuesday 1 December." in page
    assert response.context["rows"][0].candidate == candidate


def test_editors_see_who_is_interested_and_members_only_how_many(
    publication: Publication, contributor: Any, editor: Any, claimant: Any
) -> None:
    candidate = CandidateFactory(publication=publication)
    Interest.objects.create(candidate=candidate, member=claimant)
    Candidate.objects.filter(pk=candidate.pk).update(interest_count=1)

    as_member = signed_in(contributor).get(_inbox(publication)).content.decode()
    as_editor = signed_in(editor).get(_inbox(publication)).content.decode()

    assert "1 member interested" in as_member
    assert "王小明" not in as_member
    assert "1 member interested: 王小明" in as_editor


def test_tabs_show_their_counts_and_their_candidates(
    publication: Publication, contributor: Any, claimant: Any
) -> None:
    now = timezone.now()
    old_best = CandidateFactory(publication=publication, score=0.9, found_at=now - dt.timedelta(2))
    new_low = CandidateFactory(publication=publication, score=0.1, found_at=now)
    mine = CandidateFactory(publication=publication, claimed=True, claimed_by=contributor)
    theirs = CandidateFactory(publication=publication, claimed=True, claimed_by=claimant)
    dismissed = CandidateFactory(publication=publication, dismissed=True)
    client = signed_in(contributor)

    def shown(**query: str) -> list[Candidate]:
        return [row.candidate for row in client.get(_inbox(publication, **query)).context["rows"]]

    response = client.get(_inbox(publication))
    assert response.context["tabs"] == [
        ("new", "New", 2),
        ("claimed", "Claimed", 2),
        ("mine", "Mine", 1),
        ("dismissed", "Dismissed", 1),
    ]
    assert shown() == [old_best, new_low]
    assert shown(sort="date") == [new_low, old_best]
    assert set(shown(view="claimed")) == {mine, theirs}
    assert shown(view="mine") == [mine]
    assert shown(view="dismissed") == [dismissed]
    # An unknown tab or order is the default one, not an error.
    assert shown(view="everything", sort="random") == [old_best, new_low]


def test_the_inbox_is_paginated_by_fifty(publication: Publication, contributor: Any) -> None:
    for n in range(51):
        CandidateFactory(publication=publication, score=n / 100)
    client = signed_in(contributor)

    first = client.get(_inbox(publication))
    second = client.get(_inbox(publication, page="2"))
    beyond = client.get(_inbox(publication, page="x"))

    assert len(first.context["rows"]) == 50
    assert [row.candidate.score for row in second.context["rows"]] == [0.0]
    assert "Page 1 of 2" in first.content.decode()
    assert beyond.context["page"].number == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_a_page_costs_the_same_queries_whatever_its_length(
    django_assert_num_queries: Any, publication: Publication, editor: Any, claimant: Any, rows: int
) -> None:
    watch = WatchFactory(publication=publication)
    for n in range(rows):
        candidate = CandidateFactory(
            publication=publication,
            watch=watch,
            paper=PaperFactory(authors=[f"Author {n}", "Grace Hopper"]),
            **({"claimed": True, "claimed_by": claimant} if n % 3 == 0 else {}),
        )
        Interest.objects.create(candidate=candidate, member=claimant)
    client = signed_in(editor)
    client.get(_inbox(publication))  # the session is read; the site's caches filled

    # The session and its user, the publication, the member's roles, the page's count, the
    # tabs' counts, the page's rows, their authors, the member's interests, everyone's interests
    # (an editor sees who), the digest subscription.
    with django_assert_num_queries(QUERIES_PER_PAGE):
        response = client.get(_inbox(publication, view="claimed" if rows == 3 else "new"))
    assert response.status_code == 200


# --- claiming and releasing ---------------------------------------------------------------------


def test_a_member_claims_a_candidate_and_returns_to_the_tab(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)
    back = _inbox(publication, view="new", sort="date")

    response = signed_in(contributor).post(_action("claim", candidate), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert _state(candidate) == (CandidateState.CLAIMED, contributor.pk, 1)
    assert messages_of(response) == [f"You are writing up “{candidate.paper.title}”."]


def test_claim_of_a_claimed_candidate_names_the_claimant(
    publication: Publication, contributor: Any, claimant: Any
) -> None:
    claimed_on = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 0))
    candidate = CandidateFactory(
        publication=publication, claimed=True, claimed_by=claimant, claimed_at=claimed_on
    )

    response = signed_in(contributor).post(_action("claim", candidate))

    assert response.status_code == 302
    assert _state(candidate) == (CandidateState.CLAIMED, claimant.pk, 0)
    assert messages_of(response) == ["王小明 is already writing this up, since Tuesday 1 December."]


def test_next_outside_the_inbox_is_not_followed(publication: Publication, contributor: Any) -> None:
    candidate = CandidateFactory(publication=publication)

    response = signed_in(contributor).post(
        _action("claim", candidate), {"next": "https://evil.example.org/"}
    )

    assert response["Location"] == _inbox(publication)


@pytest.mark.parametrize("who", ["claimant", "editor"])
def test_the_claimant_or_an_editor_releases_a_claim(
    publication: Publication, claimant: Any, editor: Any, who: str
) -> None:
    candidate = CandidateFactory(publication=publication, claimed=True, claimed_by=claimant)
    user = {"claimant": claimant, "editor": editor}[who]

    response = signed_in(user).post(_action("release", candidate))

    assert _state(candidate) == (CandidateState.NEW, None, 1)
    assert messages_of(response) == [
        f"“{candidate.paper.title}” is free for another member to write up."
    ]


def test_another_member_may_not_release_a_claim(
    publication: Publication, contributor: Any, claimant: Any
) -> None:
    candidate = CandidateFactory(publication=publication, claimed=True, claimed_by=claimant)

    response = signed_in(contributor).post(_action("release", candidate))

    assert response.status_code == 302
    assert _state(candidate) == (CandidateState.CLAIMED, claimant.pk, 0)
    assert messages_of(response) == [
        "Only the member who claimed this candidate, or an editor, may release it."
    ]


def test_buttons_follow_what_each_member_may_do(
    publication: Publication, contributor: Any, claimant: Any, editor: Any
) -> None:
    candidate = CandidateFactory(publication=publication, claimed=True, claimed_by=claimant)
    release = _action("release", candidate)

    def page(user: Any) -> str:
        return signed_in(user).get(_inbox(publication, view="claimed")).content.decode()

    assert release not in page(contributor)
    assert release in page(claimant)
    assert release in page(editor)
    assert _action("write-up", candidate) in page(claimant)
    assert _action("write-up", candidate) not in page(contributor)


# --- dismissing and restoring -------------------------------------------------------------------


def test_a_member_dismisses_a_candidate_with_a_reason(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)

    response = signed_in(contributor).post(
        _action("dismiss", candidate), {"reason": "  Not about pretraining.  "}
    )

    candidate.refresh_from_db()
    assert candidate.state == CandidateState.DISMISSED
    assert candidate.dismiss_reason == "Not about pretraining."
    assert candidate.transitions.get().note == "Not about pretraining."
    assert messages_of(response) == [f"“{candidate.paper.title}” is dismissed."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Say why this candidate is dismissed."),
        ({"reason": "   "}, "Say why this candidate is dismissed."),
        ({"reason": "x" * 301}, "At most 300 characters, please."),
    ],
)
def test_dismissal_without_a_fit_reason_changes_nothing(
    publication: Publication, contributor: Any, data: dict[str, str], message: str
) -> None:
    candidate = CandidateFactory(publication=publication)

    response = signed_in(contributor).post(_action("dismiss", candidate), data)

    assert response.status_code == 302
    assert _state(candidate) == (CandidateState.NEW, None, 0)
    assert messages_of(response) == [message]


def test_the_dismisser_restores_and_another_member_may_not(
    publication: Publication, contributor: Any, claimant: Any
) -> None:
    candidate = CandidateFactory(publication=publication, dismissed=True, dismissed_by=claimant)

    refused = signed_in(contributor).post(_action("restore", candidate))
    assert _state(candidate) == (CandidateState.DISMISSED, None, 0)
    assert messages_of(refused) == [
        "Only the member who dismissed this candidate, or an editor, may restore it."
    ]

    restored = signed_in(claimant).post(_action("restore", candidate))
    assert _state(candidate) == (CandidateState.NEW, None, 1)
    assert messages_of(restored) == [f"“{candidate.paper.title}” is back in the inbox."]


# --- forged posts -------------------------------------------------------------------------------


def test_a_candidate_of_another_publication_is_refused(
    publication: Publication, other_publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=other_publication)

    response = signed_in(contributor).post(_action("claim", candidate, publication))

    assert response["Location"] == _inbox(publication)
    assert _state(candidate) == (CandidateState.NEW, None, 0)
    assert messages_of(response) == ["There is no such candidate in this inbox."]


def test_a_candidate_in_the_wrong_state_is_refused(publication: Publication, editor: Any) -> None:
    candidate = CandidateFactory(publication=publication)

    response = signed_in(editor).post(_action("restore", candidate))

    assert _state(candidate) == (CandidateState.NEW, None, 0)
    assert messages_of(response) == ["This candidate is in the inbox already: nobody dismissed it."]


def test_a_candidate_id_that_is_no_number_is_not_found(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)
    url = _action("claim", candidate).replace(f"/{candidate.pk}/", "/one/")

    response = signed_in(contributor).post(url)

    assert response.status_code == 404
    assert _state(candidate) == (CandidateState.NEW, None, 0)


def test_actions_answer_only_posts(publication: Publication, contributor: Any) -> None:
    candidate = CandidateFactory(publication=publication)

    response = signed_in(contributor).get(_action("claim", candidate))

    assert response.status_code == 405
    assert _state(candidate) == (CandidateState.NEW, None, 0)


# --- interest -----------------------------------------------------------------------------------


def test_a_member_marks_and_withdraws_interest(publication: Publication, contributor: Any) -> None:
    candidate = CandidateFactory(publication=publication)
    client = signed_in(contributor)

    client.post(_action("interest", candidate), {"do": "mark"})
    client.post(_action("interest", candidate), {"do": "mark"})
    candidate.refresh_from_db()
    assert candidate.interest_count == 1
    page = client.get(_inbox(publication)).content.decode()
    assert "(you too)" in page
    assert 'value="withdraw"' in page

    response = client.post(_action("interest", candidate), {"do": "withdraw"})
    candidate.refresh_from_db()
    assert candidate.interest_count == 0
    assert not Interest.objects.exists()
    assert messages_of(response) == [f"Your interest in “{candidate.paper.title}” is withdrawn."]


def test_interest_without_saying_which_changes_nothing(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)

    response = signed_in(contributor).post(_action("interest", candidate), {"do": "maybe"})

    assert not Interest.objects.exists()
    assert messages_of(response) == ["Say whether to mark or to withdraw your interest."]


def test_interest_in_a_dismissed_candidate_is_refused(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication, dismissed=True)

    response = signed_in(contributor).post(_action("interest", candidate), {"do": "mark"})

    assert not Interest.objects.exists()
    assert messages_of(response) == ["This candidate was dismissed: Off topic."]


# --- writing it up ------------------------------------------------------------------------------


def test_write_up_asks_for_the_summary_first_where_no_model_drafts_it(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)
    client = signed_in(contributor)

    page = client.get(_inbox(publication)).content.decode()
    form = client.get(_action("write-up", candidate))
    bare_post = client.post(_action("write-up", candidate))
    empty = client.post(_action("write-up", candidate), {"summary": "  "})

    assert f'href="{_action("write-up", candidate)}?next=' in page
    assert form.status_code == 200
    assert 'name="summary"' in form.content.decode()
    assert bare_post.status_code == 200
    assert 'name="summary"' in bare_post.content.decode()
    assert empty.status_code == 400
    assert empty.context["form"].errors["summary"]
    assert _state(candidate) == (CandidateState.NEW, None, 0)
    assert not Recommendation.objects.exists()


def test_write_up_makes_a_draft_and_opens_its_edit_page(
    publication: Publication, contributor: Any
) -> None:
    candidate = CandidateFactory(publication=publication)

    response = signed_in(contributor).post(
        _action("write-up", candidate),
        {"summary": "It pretrains a language model on less data, and says why that works."},
    )

    recommendation = Recommendation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("recommendations:edit", args=[recommendation.pk])
    assert recommendation.status == RecommendationStatus.DRAFT
    assert recommendation.paper_id == candidate.paper_id
    assert recommendation.submitter_id == contributor.pk
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.RECOMMENDED
    assert candidate.recommendation_id == recommendation.pk
    assert list(candidate.transitions.values_list("action", flat=True).order_by("pk")) == [
        CandidateAction.CLAIM,
        CandidateAction.RECOMMEND,
    ]


def test_write_up_without_a_summary_posts_at_once_where_a_model_drafts_it(
    publication: Publication, contributor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("inbox.services.summary_needed", lambda publication: False)
    candidate = CandidateFactory(publication=publication)

    page = signed_in(contributor).get(_inbox(publication)).content.decode()

    assert f'action="{_action("write-up", candidate)}"' in page


def test_write_up_of_someone_elses_claim_is_refused(
    publication: Publication, contributor: Any, claimant: Any
) -> None:
    candidate = CandidateFactory(publication=publication, claimed=True, claimed_by=claimant)

    response = signed_in(contributor).post(
        _action("write-up", candidate), {"summary": "A summary long enough to be one."}
    )

    assert response.status_code == 302
    assert not Recommendation.objects.exists()
    assert _state(candidate) == (CandidateState.CLAIMED, claimant.pk, 0)
    assert messages_of(response)[0].startswith("王小明 is already writing this up")


# --- the digest ---------------------------------------------------------------------------------


def test_a_member_subscribes_to_the_digest_and_stops_it(
    publication: Publication, contributor: Any
) -> None:
    client = signed_in(contributor)
    url = reverse("inbox:digest", args=[publication.slug])

    client.post(url, {"digest": "subscribe"})
    assert DigestSubscription.objects.filter(member=contributor, publication=publication).exists()
    assert 'value="unsubscribe"' in client.get(_inbox(publication)).content.decode()

    response = client.post(url, {"digest": "unsubscribe"})
    assert not DigestSubscription.objects.exists()
    assert messages_of(response) == ["You will no longer be mailed the weekly digest."]

    client.get(_inbox(publication))  # the message read
    bogus = client.post(url, {"digest": "yes"})
    assert not DigestSubscription.objects.exists()
    assert messages_of(bogus) == ["Say whether to subscribe to the digest or not."]


def test_digest_refuses_anonymous_readers(publication: Publication) -> None:
    response = signed_in(None).post(
        reverse("inbox:digest", args=[publication.slug]), {"digest": "subscribe"}
    )

    assert response.status_code == 302
    assert not DigestSubscription.objects.exists()


# --- languages ----------------------------------------------------------------------------------


def test_the_inbox_speaks_chinese_under_its_chinese_address(
    publication: Publication, contributor: Any
) -> None:
    CandidateFactory(publication=publication)
    url = reverse_in("zh-hans", "inbox:inbox", args=[publication.slug])

    response = signed_in(contributor).get(url)

    assert url.startswith("/zh/")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert len(response.context["rows"]) == 1


QUERIES_PER_PAGE = 11
