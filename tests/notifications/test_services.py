"""Tests for the e-mails that tell members what became of their recommendations: after each
review, after an editor's acceptance, and once per issue that publishes them; never twice, and
never to a member who turned them off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from contributors import services as member_services
from issues.services import create_issue, publish_issue, schedule_recommendation
from notifications import tasks
from notifications.models import Notification
from notifications.services import notify_reviewed
from publications.models import Publication
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.models import Recommendation
from recommendations.services import accept_recommendation, review_recommendation
from tests.factories import PaperFactory, RecommendationFactory, UserFactory

pytestmark = pytest.mark.django_db

Run = Callable[..., Any]


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks: Run) -> Run:
    """Call a service and run what it leaves for after the commit (the notification tasks)."""

    def run(service: Run, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return service(*args, **kwargs)

    return run


@pytest.fixture
def submitted(publication: Publication, contributor: Any) -> Recommendation:
    return RecommendationFactory(
        publication=publication,
        submitter=contributor,
        paper=PaperFactory(title="Sparse <b>attention</b>"),
    )


def test_a_review_asking_for_changes_tells_the_submitter_with_the_comment(
    submitted: Recommendation, reviewer: Any, contributor: Any, after_commit: Run
) -> None:
    after_commit(
        review_recommendation,
        submitted,
        by=reviewer,
        verdict=Verdict.REQUEST_CHANGES,
        comment="Say what the baseline is.\n<script>x</script>",
    )

    (message,) = mail.outbox
    assert message.to == [contributor.email]
    assert message.subject == "Changes requested: Sparse <b>attention</b>"
    assert "Say what the baseline is." in message.body
    assert f"/en/papers/{submitted.paper_id}/" in message.body
    html = message.alternatives[0][0]
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>" not in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (contributor, Notification.Kind.REVIEWED)


@pytest.mark.parametrize(
    ("verdict", "comment", "subject", "says"),
    [
        (Verdict.APPROVE, "", "Approved: ", "It is accepted and will appear in a coming issue."),
        (Verdict.REJECT, "Off topic.", "Not accepted: ", "Off topic."),
    ],
)
def test_each_verdict_has_its_own_message(
    submitted: Recommendation,
    reviewer: Any,
    after_commit: Run,
    verdict: str,
    comment: str,
    subject: str,
    says: str,
) -> None:
    after_commit(review_recommendation, submitted, by=reviewer, verdict=verdict, comment=comment)

    (message,) = mail.outbox
    assert message.subject == subject + "Sparse <b>attention</b>"
    assert says in message.body


def test_an_editors_acceptance_tells_the_submitter_once(
    submitted: Recommendation, editor: Any, after_commit: Run
) -> None:
    after_commit(accept_recommendation, submitted, by=editor)
    tasks.task_notify_accepted(submitted.pk)  # the task run again

    assert [m.subject for m in mail.outbox] == ["Accepted: Sparse <b>attention</b>"]
    assert Notification.objects.filter(kind=Notification.Kind.ACCEPTED).count() == 1


def test_a_review_task_run_twice_mails_once(
    submitted: Recommendation, reviewer: Any, after_commit: Run
) -> None:
    review = after_commit(review_recommendation, submitted, by=reviewer, verdict=Verdict.APPROVE)
    assert tasks.task_notify_reviewed(review.pk) is False

    assert len(mail.outbox) == 1


def test_publication_tells_each_contributor_once_listing_all_their_items(
    publication: Publication, editor: Any, contributor: Any, after_commit: Run
) -> None:
    other = UserFactory()
    issue = create_issue(publication, by=editor, title="Week one")
    for submitter, title in [(contributor, "Paper A"), (contributor, "Paper B"), (other, "C")]:
        recommendation = RecommendationFactory(
            publication=publication,
            submitter=submitter,
            paper=PaperFactory(title=title),
            status=RecommendationStatus.ACCEPTED,
        )
        schedule_recommendation(recommendation, issue=issue, by=editor)

    after_commit(publish_issue, issue, by=editor)
    assert tasks.task_notify_published(issue.pk) == 0  # run again: nothing more

    by_member = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_member) == sorted([contributor.email, other.email])
    mine = by_member[contributor.email]
    assert mine.subject == f"Published in {publication.name} #1: your recommendations"
    assert "- Paper A\n- Paper B\n" in mine.body
    assert f"/en/p/{publication.slug}/1/" in mine.body
    assert by_member[other.email].subject == f"Published in {publication.name} #1: C"


def test_a_member_credited_on_anothers_entry_is_told_once_and_at_publication(
    publication: Publication, editor: Any, contributor: Any, after_commit: Run
) -> None:
    other = UserFactory(display_name="李四")
    paper = PaperFactory(title="Shared Paper")
    issue = create_issue(publication, by=editor, title="Week one")
    first, second = (
        RecommendationFactory(
            publication=publication,
            submitter=member,
            paper=paper,
            status=RecommendationStatus.ACCEPTED,
        )
        for member in (contributor, other)
    )
    after_commit(schedule_recommendation, first, issue=issue, by=editor)
    assert mail.outbox == []  # the first recommender is not told of anything yet

    after_commit(schedule_recommendation, second, issue=issue, by=editor)

    (told,) = mail.outbox
    assert told.to == [other.email]
    assert told.subject == "Credited together: Shared Paper"
    assert contributor.public_name in told.body
    joined = Notification.objects.get(kind=Notification.Kind.CO_CREDITED)
    assert (joined.user, joined.transition) == (other, second.transitions.order_by("-pk")[0])
    assert tasks.task_notify_co_credited(joined.transition_id) is False  # once

    mail.outbox.clear()
    after_commit(publish_issue, issue, by=editor)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([contributor.email, other.email])
    assert {m.subject for m in mail.outbox} == {f"Published in {publication.name} #1: Shared Paper"}


def test_a_member_who_turned_notifications_off_gets_none(
    submitted: Recommendation, reviewer: Any, contributor: Any, after_commit: Run
) -> None:
    contributor.notify_by_email = False
    contributor.save(update_fields=["notify_by_email"])

    after_commit(review_recommendation, submitted, by=reviewer, verdict=Verdict.APPROVE)

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_member_without_an_address_gets_none(
    submitted: Recommendation, reviewer: Any, contributor: Any, after_commit: Run
) -> None:
    contributor.email = ""
    contributor.save(update_fields=["email"])

    after_commit(review_recommendation, submitted, by=reviewer, verdict=Verdict.APPROVE)

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_mail_that_fails_is_not_recorded_so_the_retry_sends_it(
    submitted: Recommendation, reviewer: Any, settings: Any, after_commit: Run
) -> None:
    review = review_recommendation(submitted, by=reviewer, verdict=Verdict.APPROVE)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    with pytest.raises(OSError):  # noqa: PT011 (any connection error of the mail server)
        notify_reviewed(review)
    assert not Notification.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notify_reviewed(review) is True
    assert len(mail.outbox) == 1


def test_the_stop_link_asks_then_turns_notifications_off(contributor: Any) -> None:
    token = member_services.notifications_off_token(contributor)
    url = reverse("contributors:notifications-off", args=[token])
    client = Client(enforce_csrf_checks=True)  # mail clients post without a CSRF token

    page = client.get(url)
    contributor.refresh_from_db()
    assert page.status_code == 200
    assert contributor.notify_by_email is True

    done = client.post(url, "List-Unsubscribe=One-Click", content_type="text/plain")
    contributor.refresh_from_db()
    assert done.status_code == 200
    assert contributor.notify_by_email is False
    assert "you will get no more e-mails" in done.content.decode()


@pytest.mark.parametrize("token", ["forged", "x" * 400, "eyJ1IjoxfQ:1xVy:bad"])
def test_the_stop_link_refuses_a_forged_token(client: Client, contributor: Any, token: str) -> None:
    response = client.post(reverse("contributors:notifications-off", args=[token]))

    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()
    contributor.refresh_from_db()
    assert contributor.notify_by_email is True
