"""The newsletter over real SMTP, against a local server (aiosmtpd): what arrives, and what
happens when the server refuses a recipient, asks to try later, or is down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from issues.models import Issue
from newsletter import services, tasks
from newsletter.enums import DeliveryStatus, SubscriberStatus, SuppressionReason
from newsletter.models import Delivery, SoftBounce, Suppression
from publications.models import Publication
from tests.factories import SubscriberFactory
from tests.servers.smtp import MailSink, free_port

pytestmark = pytest.mark.django_db


def _statuses(issue: Issue) -> dict[str, str]:
    return dict(Delivery.objects.filter(issue=issue).values_list("subscriber__email", "status"))


def test_each_subscriber_receives_one_multipart_copy(
    smtp: MailSink, publication: Publication, publish: Callable[..., Issue], settings: Any
) -> None:
    settings.NEWSLETTER_BATCH_SIZE = 3
    subscribers = SubscriberFactory.create_batch(7, publication=publication)
    issue = publish(title="Seven readers", papers=("Mixture of experts, again",))

    tasks.task_send_issue_newsletter(issue.pk)
    tasks.task_send_issue_newsletter(issue.pk)  # run twice: nothing more is sent

    assert sorted(r for received in smtp.received for r in received.recipients) == sorted(
        s.email for s in subscribers
    )
    message = smtp.to(subscribers[0].email)[0]
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert "Mixture of experts, again" in message.get_body(("plain",)).get_content()
    assert "Mixture of experts, again" in message.get_body(("html",)).get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A long header is folded onto a second line; unfolded it is the link in angle brackets.
    link = message["List-Unsubscribe"].strip()
    prefix = "<http://127.0.0.1:8000/en/newsletter/unsubscribe/"
    assert link.startswith(prefix)
    assert link.endswith("/>")
    token = link.removeprefix(prefix).removesuffix("/>")
    assert services.subscriber_from_unsubscribe_token(token) == subscribers[0]
    assert set(_statuses(issue).values()) == {DeliveryStatus.SENT}


def test_a_refused_recipient_fails_alone(
    smtp: MailSink, publication: Publication, publish: Callable[..., Issue]
) -> None:
    good = SubscriberFactory(publication=publication, email="good@example.org")
    SubscriberFactory(publication=publication, email="gone@example.org")
    also_good = SubscriberFactory(publication=publication, email="also@example.org")
    smtp.refuse_permanently.add("gone@example.org")
    issue = publish()

    tasks.task_send_issue_newsletter(issue.pk)

    assert _statuses(issue) == {
        "good@example.org": DeliveryStatus.SENT,
        "gone@example.org": DeliveryStatus.FAILED,
        "also@example.org": DeliveryStatus.SENT,
    }
    failed = Delivery.objects.get(subscriber__email="gone@example.org")
    assert "550" in failed.error
    assert len(smtp.to(good.email)) == len(smtp.to(also_good.email)) == 1


def test_an_address_refused_for_good_is_suppressed_and_never_mailed_again(
    smtp: MailSink, publication: Publication, publish: Callable[..., Issue]
) -> None:
    SubscriberFactory(publication=publication, email="good@example.org")
    gone = SubscriberFactory(publication=publication, email="gone@example.org")
    smtp.refuse_permanently.add("gone@example.org")
    tasks.task_send_issue_newsletter(publish(title="First").pk)

    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason, suppression.source) == (
        "gone@example.org",
        SuppressionReason.BOUNCE,
        "smtp",
    )
    assert "5.1.1 No such mailbox" in suppression.detail
    gone.refresh_from_db()
    assert gone.status == SubscriberStatus.SUPPRESSED

    # The next issue is not even queued for it, though the server would take it now.
    smtp.refuse_permanently.clear()
    second = publish(title="Second")
    tasks.task_send_issue_newsletter(second.pk)
    assert _statuses(second) == {"good@example.org": DeliveryStatus.SENT}
    assert len(smtp.to("gone@example.org")) == 0


def test_a_refusal_of_the_message_suppresses_no_address(
    smtp: MailSink, publication: Publication, publish: Callable[..., Issue]
) -> None:
    # A 550 5.7.1 says the server will not take this message, not that the address is gone:
    # suppressing on it could empty the list after one over-eager spam filter.
    subscriber = SubscriberFactory(publication=publication, email="filtered@example.org")
    smtp.refuse_by_policy.add("filtered@example.org")
    issue = publish()

    tasks.task_send_issue_newsletter(issue.pk)

    assert _statuses(issue) == {"filtered@example.org": DeliveryStatus.FAILED}
    assert not Suppression.objects.exists()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_a_passing_refusal_is_tried_again_later_and_sent_once(
    smtp: MailSink, publication: Publication, publish: Callable[..., Issue]
) -> None:
    SubscriberFactory(publication=publication, email="first@example.org")
    SubscriberFactory(publication=publication, email="busy@example.org")
    SubscriberFactory(publication=publication, email="last@example.org")
    smtp.refuse_for_now.add("busy@example.org")
    issue = publish()

    tasks.task_send_issue_newsletter(issue.pk)

    # The batch stops at the passing fault; the rest wait in the queue, none is lost.
    assert _statuses(issue) == {
        "first@example.org": DeliveryStatus.SENT,
        "busy@example.org": DeliveryStatus.QUEUED,
        "last@example.org": DeliveryStatus.QUEUED,
    }
    busy = Delivery.objects.get(subscriber__email="busy@example.org")
    assert busy.attempts == 1
    assert "451" in busy.error

    smtp.refuse_for_now.clear()
    assert tasks.task_resume_newsletters() == [issue.pk]

    assert set(_statuses(issue).values()) == {DeliveryStatus.SENT}
    assert [len(smtp.to(f"{name}@example.org")) for name in ("first", "busy", "last")] == [1, 1, 1]


def test_a_recipient_that_keeps_failing_is_given_up_after_the_last_attempt(
    smtp: MailSink, publication: Publication, publish: Callable[..., Issue], settings: Any
) -> None:
    settings.NEWSLETTER_MAX_ATTEMPTS = 2
    SubscriberFactory(publication=publication, email="busy@example.org")
    smtp.refuse_for_now.add("busy@example.org")
    issue = publish()

    tasks.task_send_issue_newsletter(issue.pk)
    tasks.task_resume_newsletters()

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 2
    assert tasks.task_resume_newsletters() == []


def test_an_address_refused_for_now_three_issues_running_is_suppressed(
    smtp: MailSink, publication: Publication, publish: Callable[..., Issue], settings: Any
) -> None:
    """Soft bounces: each issue refused counts once, however often it is tried; the third
    within 30 days suppresses the address (docs/DEPLOY.md, Bounces and complaints)."""
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    SubscriberFactory(publication=publication, email="full@example.org")
    reader = SubscriberFactory(publication=publication, email="reader@example.org")
    smtp.refuse_for_now.add("full@example.org")

    issues = []
    for number in range(3):
        issues.append(publish(title=f"Issue {number}"))
        tasks.task_send_issue_newsletter(issues[-1].pk)
        tasks.task_resume_newsletters()  # a retry of the same issue counts no second time
        assert SoftBounce.objects.count() == number + 1
        if number < 2:
            assert not Suppression.objects.exists()

    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason, suppression.source) == (
        "full@example.org",
        SuppressionReason.SOFT_BOUNCES,
        "smtp",
    )
    assert suppression.detail.startswith("3 soft bounces within 30 days:")
    assert suppression.detail.count("451 4.3.0") == 3
    assert _statuses(issues[-1]) == {
        "full@example.org": DeliveryStatus.FAILED,
        "reader@example.org": DeliveryStatus.SENT,
    }
    # Never tried again, for this issue or the next.
    tasks.task_resume_newsletters()
    fourth = publish(title="Issue 3")
    tasks.task_send_issue_newsletter(fourth.pk)
    assert _statuses(fourth) == {"reader@example.org": DeliveryStatus.SENT}
    assert len(smtp.to(reader.email)) == 4
    assert smtp.to("full@example.org") == []


def test_a_server_that_is_down_loses_nothing(
    publication: Publication, publish: Callable[..., Issue], settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    SubscriberFactory.create_batch(2, publication=publication)
    issue = publish()

    tasks.task_send_issue_newsletter(issue.pk)

    deliveries = list(Delivery.objects.filter(issue=issue))
    assert [d.status for d in deliveries] == [DeliveryStatus.QUEUED] * 2
    assert all(d.error.startswith("SMTP unreachable:") for d in deliveries)
    assert all(d.attempts == 0 for d in deliveries)  # the server never saw them
