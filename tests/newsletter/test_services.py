"""Tests for newsletter.services: double opt-in, one-click unsubscribe, and sending each issue
to each confirmed subscriber exactly once (here with Django's in-memory outbox)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core import mail, signing
from django.utils import timezone

from common.exceptions import InvalidInput
from issues.models import Issue
from newsletter import services, tasks
from newsletter.enums import DeliveryStatus, SubscriberStatus, SuppressionReason
from newsletter.models import Delivery, SoftBounce, Subscriber, Suppression
from newsletter.services import sending
from publications.models import Publication
from tests.factories import PublicationFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"http://\S+/newsletter/confirm/(?P<token>[^/\s]+)/")


def _confirmation_token(message: mail.EmailMessage) -> str:
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    return match["token"]


@pytest.fixture
def subscribe(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Subscriber]:
    """``services.subscribe``, running what it leaves for after the commit (the mail task)."""

    def run(publication: Publication, email: str, **kwargs: Any) -> Subscriber:
        with django_capture_on_commit_callbacks(execute=True):
            return services.subscribe(publication, email=email, **kwargs)

    return run


# --- subscribing ----------------------------------------------------------------------------------


def test_subscribe_waits_for_confirmation_and_mails_the_link(
    subscribe: Callable[..., Subscriber],
    publication: Publication,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        subscriber = services.subscribe(publication, email="  Reader@Example.ORG ", language="en")

    assert len(callbacks) == 1
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.email == "Reader@example.org"  # the domain is case-insensitive
    assert subscriber.confirmed_at is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Reader@example.org"]
    assert message.subject == f"Confirm your subscription to {publication.name}"
    token = _confirmation_token(message)
    assert token in message.alternatives[0].content  # the HTML part has the same link
    assert services.confirm_subscription(token).status == SubscriberStatus.CONFIRMED


def test_subscribe_speaks_the_subscribers_language(
    subscribe: Callable[..., Subscriber], publication: Publication
) -> None:
    subscribe(publication, "lin@example.org", language="zh-hans")

    subscriber = Subscriber.objects.get()
    assert subscriber.language == "zh-hans"
    assert publication.name_zh in mail.outbox[0].subject


def test_subscribe_again_within_the_cooldown_sends_no_second_mail(
    subscribe: Callable[..., Subscriber], publication: Publication, settings: Any
) -> None:
    settings.NEWSLETTER_CONFIRM_COOLDOWN = 600
    subscribe(publication, "reader@example.org")
    subscribe(publication, "READER@example.org")

    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1

    Subscriber.objects.update(confirmation_sent_at=timezone.now() - dt.timedelta(minutes=11))
    subscribe(publication, "reader@example.org")
    assert len(mail.outbox) == 2


def test_subscribe_of_a_confirmed_address_changes_and_sends_nothing(
    subscribe: Callable[..., Subscriber],
    publication: Publication,
) -> None:
    existing = SubscriberFactory(publication=publication, email="reader@example.org")

    subscriber = subscribe(publication, "reader@example.org")

    assert subscriber.pk == existing.pk
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.confirmed_at == existing.confirmed_at
    assert mail.outbox == []


def test_subscribe_is_per_publication(
    subscribe: Callable[..., Subscriber], publication: Publication
) -> None:
    other = PublicationFactory()
    subscribe(publication, "reader@example.org")
    subscribe(other, "reader@example.org")

    assert Subscriber.objects.filter(email="reader@example.org").count() == 2
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your e-mail address."),
        ("not-an-address", "Enter a valid e-mail address."),
        ("reader@example.org\r\nBcc: victim@example.org", "Enter a valid e-mail address."),
        ("reader\x00@example.org", "This text contains control characters."),
        ("a" * 250 + "@example.org", "An e-mail address has at most 254 characters."),
    ],
)
def test_subscribe_refuses_a_bad_address(
    publication: Publication, email: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        services.subscribe(publication, email=email)

    assert refusal.value.message == message
    assert refusal.value.field == "email"
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_subscribe_after_unsubscribing_needs_a_new_confirmation(
    subscribe: Callable[..., Subscriber], publication: Publication
) -> None:
    SubscriberFactory(publication=publication, email="reader@example.org", unsubscribed=True)

    subscriber = subscribe(publication, "reader@example.org")

    assert subscriber.status == SubscriberStatus.PENDING
    assert len(mail.outbox) == 1


# --- confirming -----------------------------------------------------------------------------------


def test_confirm_twice_keeps_the_first_confirmation(
    subscribe: Callable[..., Subscriber], publication: Publication
) -> None:
    subscribe(publication, "reader@example.org")
    token = _confirmation_token(mail.outbox[0])

    first = services.confirm_subscription(token)
    again = services.confirm_subscription(token)

    assert first.status == again.status == SubscriberStatus.CONFIRMED
    assert again.confirmed_at == first.confirmed_at


def test_confirm_refuses_an_expired_link(publication: Publication, settings: Any) -> None:
    settings.NEWSLETTER_CONFIRM_MAX_AGE = 3600
    subscriber = SubscriberFactory(publication=publication, pending=True)
    with mock.patch(
        "django.core.signing.time.time", return_value=timezone.now().timestamp() - 7200
    ):
        token = services.confirmation_token(subscriber)

    with pytest.raises(InvalidInput) as refusal:
        services.confirm_subscription(token)

    assert refusal.value.code == "expired"
    assert refusal.value.message == (
        "This confirmation link has expired. Subscribe again to get a new one."
    )
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nonsense",
        "x" * 301,
        # Signed with this site's key, but for another purpose: its id is fixed, the token
        # (which holds the time of signing) is not.
        pytest.param(
            signing.dumps({"s": 1, "e": "reader@example.org"}, salt="another.salt"),
            id="another-salt",
        ),
    ],
)
def test_confirm_refuses_a_forged_link(publication: Publication, token: str) -> None:
    SubscriberFactory(publication=publication, pending=True)

    with pytest.raises(InvalidInput) as refusal:
        services.confirm_subscription(token)

    assert refusal.value.message == (
        "This confirmation link is not valid. Copy the whole link from the e-mail."
    )
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


def test_confirm_refuses_an_unsubscribe_token(publication: Publication) -> None:
    subscriber = SubscriberFactory(publication=publication, pending=True)

    with pytest.raises(InvalidInput):
        services.confirm_subscription(services.unsubscribe_token(subscriber))

    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING


def test_confirm_refuses_a_link_of_a_deleted_subscription(publication: Publication) -> None:
    subscriber = SubscriberFactory(publication=publication, pending=True)
    token = services.confirmation_token(subscriber)
    subscriber.delete()

    with pytest.raises(InvalidInput) as refusal:
        services.confirm_subscription(token)

    assert refusal.value.message == (
        "This confirmation link belongs to a subscription that no longer exists."
    )


def test_confirm_after_unsubscribing_is_refused(publication: Publication) -> None:
    subscriber = SubscriberFactory(publication=publication, pending=True)
    token = services.confirmation_token(subscriber)
    services.unsubscribe(services.unsubscribe_token(subscriber))

    with pytest.raises(InvalidInput) as refusal:
        services.confirm_subscription(token)

    assert refusal.value.code == "unsubscribed"
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


# --- unsubscribing --------------------------------------------------------------------------------


def test_unsubscribe_stops_queued_deliveries_and_is_idempotent(
    publication: Publication, publish: Callable[..., Issue]
) -> None:
    subscriber = SubscriberFactory(publication=publication)
    issue = publish()
    services.queue_issue_newsletter(issue)
    token = services.unsubscribe_token(subscriber)

    first = services.unsubscribe(token)
    again = services.unsubscribe(token)

    assert first.status == again.status == SubscriberStatus.UNSUBSCRIBED
    assert again.unsubscribed_at == first.unsubscribed_at
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED
    assert services.send_newsletter_batch(issue).sent == 0
    assert mail.outbox == []


# --- links and key rotation ----------------------------------------------------------------------

OLD_KEY = "old-secret-key-" + "o" * 50
NEW_KEY = "new-secret-key-" + "n" * 50


def test_unsubscribe_link_survives_a_rotation_of_the_secret_key(
    publication: Publication, settings: Any
) -> None:
    settings.SECRET_KEY = OLD_KEY
    subscriber = SubscriberFactory(publication=publication)
    token = services.unsubscribe_token(subscriber)
    assert token == subscriber.unsubscribe_key
    # The key is rotated, and the old one dropped at once: the link mailed before still works.
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []

    assert services.unsubscribe(token).status == SubscriberStatus.UNSUBSCRIBED


def test_every_subscriber_has_a_key_of_their_own(publication: Publication) -> None:
    first, second = SubscriberFactory.create_batch(2, publication=publication)
    assert len({first.unsubscribe_key, second.unsubscribe_key}) == 2
    assert len(first.unsubscribe_key) == 32
    assert services.subscriber_from_unsubscribe_token(second.unsubscribe_key) == second


def test_a_subscriber_from_before_the_keys_gets_one_when_mailed(publication: Publication) -> None:
    subscriber = SubscriberFactory(publication=publication)
    Subscriber.objects.filter(pk=subscriber.pk).update(unsubscribe_key=None)
    subscriber.refresh_from_db()

    token = services.unsubscribe_token(subscriber)

    assert token
    assert Subscriber.objects.get(pk=subscriber.pk).unsubscribe_key == token
    assert services.unsubscribe_token(subscriber) == token  # made once


def test_signed_link_mailed_before_the_keys_works_while_its_key_is_a_fallback(
    publication: Publication, settings: Any
) -> None:

    settings.SECRET_KEY = OLD_KEY
    subscriber = SubscriberFactory(publication=publication)
    signed = signing.dumps({"s": subscriber.pk}, salt=services.UNSUBSCRIBE_SALT)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert services.subscriber_from_unsubscribe_token(signed) == subscriber

    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(InvalidInput) as refusal:
        services.subscriber_from_unsubscribe_token(signed)
    assert refusal.value.code == "bad_link"


def test_confirmation_link_survives_a_rotation_while_the_old_key_is_a_fallback(
    publication: Publication, settings: Any
) -> None:
    settings.SECRET_KEY = OLD_KEY
    subscriber = SubscriberFactory(publication=publication, pending=True)
    token = services.confirmation_token(subscriber)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]

    assert services.confirm_subscription(token).status == SubscriberStatus.CONFIRMED


@pytest.mark.parametrize(
    "token",
    ["", "x" * 15, "x" * 65, "a" * 31 + "\x00", "no-such-key-" + "k" * 20, "bad key with spaces!"],
)
def test_unsubscribe_refuses_a_key_nobody_has(publication: Publication, token: str) -> None:
    SubscriberFactory(publication=publication)

    with pytest.raises(InvalidInput) as refusal:
        services.subscriber_from_unsubscribe_token(token)

    assert refusal.value.code == "bad_link"
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


# --- bounces and complaints ----------------------------------------------------------------------


def test_suppress_address_stops_every_subscription_of_it(
    publication: Publication, publish: Callable[..., Issue]
) -> None:
    here = SubscriberFactory(publication=publication, email="Gone@Example.org")
    elsewhere = SubscriberFactory(publication=PublicationFactory(), email="gone@example.org")
    other = SubscriberFactory(publication=publication, email="other@example.org")
    issue = publish()
    services.queue_issue_newsletter(issue)

    count = services.suppress_address(
        "gone@EXAMPLE.org", reason=SuppressionReason.BOUNCE, source="smtp", detail="550 5.1.1"
    )

    assert count == 2
    for subscriber in (here, elsewhere):
        subscriber.refresh_from_db()
        assert subscriber.status == SubscriberStatus.SUPPRESSED
    other.refresh_from_db()
    assert other.status == SubscriberStatus.CONFIRMED
    assert Delivery.objects.get(subscriber=here).status == DeliveryStatus.SKIPPED
    assert Delivery.objects.get(subscriber=other).status == DeliveryStatus.QUEUED
    services.send_newsletter_batch(issue)
    assert [message.to for message in mail.outbox] == [["other@example.org"]]


def test_suppress_address_twice_keeps_the_first_report(publication: Publication) -> None:
    SubscriberFactory(publication=publication, email="spam@example.org")
    services.suppress_address(
        "spam@example.org", reason=SuppressionReason.COMPLAINT, source="mailgun"
    )
    again = services.suppress_address(
        "SPAM@example.org", reason=SuppressionReason.BOUNCE, source="smtp"
    )

    assert again == 0
    suppression = Suppression.objects.get()
    assert (suppression.reason, suppression.source) == (SuppressionReason.COMPLAINT, "mailgun")


def test_suppress_address_refuses_nonsense(publication: Publication) -> None:
    with pytest.raises(InvalidInput):
        services.suppress_address("", reason=SuppressionReason.BOUNCE, source="smtp")
    with pytest.raises(InvalidInput):
        services.suppress_address("a@example.org", reason="bored", source="smtp")
    assert not Suppression.objects.exists()


def test_a_suppressed_address_gets_no_confirmation_mail(
    publication: Publication, subscribe: Callable[..., Subscriber]
) -> None:
    services.suppress_address("gone@example.org", reason=SuppressionReason.BOUNCE, source="smtp")

    subscriber = subscribe(publication, email="gone@example.org")

    assert subscriber.status == SubscriberStatus.SUPPRESSED
    assert mail.outbox == []


def test_lifting_a_suppression_lets_the_address_subscribe_again(
    publication: Publication, subscribe: Callable[..., Subscriber]
) -> None:
    subscriber = SubscriberFactory(publication=publication, email="back@example.org")
    services.suppress_address("back@example.org", reason=SuppressionReason.BOUNCE, source="smtp")

    assert services.lift_suppression(Suppression.objects.get()) == 1

    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert not Suppression.objects.exists()
    # Back only through a new double opt-in.
    assert subscribe(publication, email="back@example.org").status == SubscriberStatus.PENDING
    assert len(mail.outbox) == 1


# --- sending an issue -----------------------------------------------------------------------------


def test_queue_takes_exactly_the_subscribers_confirmed_when_it_was_published(
    publication: Publication, publish: Callable[..., Issue]
) -> None:
    confirmed = SubscriberFactory.create_batch(3, publication=publication)
    SubscriberFactory(publication=publication, pending=True)
    SubscriberFactory(publication=publication, unsubscribed=True)
    SubscriberFactory()  # another publication's
    issue = publish()
    SubscriberFactory(publication=publication, confirmed_at=issue.published_at + dt.timedelta(1))

    assert services.queue_issue_newsletter(issue) == 3
    assert services.queue_issue_newsletter(issue) == 3  # a second run adds none

    queued = Delivery.objects.filter(issue=issue)
    assert sorted(queued.values_list("subscriber_id", flat=True)) == sorted(s.pk for s in confirmed)
    assert set(queued.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}


def test_queue_of_an_unpublished_issue_queues_nothing(
    publication: Publication, editor: Any
) -> None:
    from issues import services as issue_services

    SubscriberFactory(publication=publication)
    draft = issue_services.create_issue(publication, by=editor, title="Draft")

    assert services.queue_issue_newsletter(draft) == 0
    assert not Delivery.objects.exists()


def test_sending_task_run_twice_mails_each_subscriber_once(
    publication: Publication, publish: Callable[..., Issue], settings: Any
) -> None:
    settings.NEWSLETTER_BATCH_SIZE = 2
    subscribers = SubscriberFactory.create_batch(5, publication=publication)
    issue = publish(title="Five readers")

    assert tasks.task_send_issue_newsletter(issue.pk) == 5
    assert tasks.task_send_issue_newsletter(issue.pk) == 0
    tasks.task_send_newsletter_batch(issue.pk)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscribers)
    deliveries = Delivery.objects.filter(issue=issue)
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert all(d.sent_at and d.attempts == 1 and d.claim is None for d in deliveries)


def test_issue_mail_has_text_html_and_one_click_unsubscribe(
    publication: Publication, publish: Callable[..., Issue], client: Any
) -> None:
    subscriber = SubscriberFactory(publication=publication, email="reader@example.org")
    issue = publish(title="Reward models", papers=("Scaling reward models",))
    tasks.task_send_issue_newsletter(issue.pk)

    (message,) = mail.outbox
    assert message.subject == f"{publication.name} #1: Reward models"
    assert message.from_email == "Weekly <weekly@localhost>"
    assert "Scaling reward models" in message.body
    assert "论文地址" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Scaling reward models" in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<http://127\.0\.0\.1:8000/en/newsletter/unsubscribe/[^>]+/>", unsubscribe)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Id"] == f"{publication.name} <{publication.slug}.127.0.0.1>"
    url = unsubscribe[1:-1]
    assert url in message.body
    assert url in html

    # The mail client's one-click POST (RFC 8058): no CSRF token, no session.
    response = client.post(
        url.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_issue_mail_with_hostile_text_keeps_one_subject_line_and_no_script(
    publication: Publication, publish: Callable[..., Issue]
) -> None:
    from tests.newsletter.conftest import HOSTILE_TITLE

    SubscriberFactory(publication=publication)
    issue = publish(title="Week", papers=(HOSTILE_TITLE,))
    Issue.objects.filter(pk=issue.pk).update(title=HOSTILE_TITLE)
    tasks.task_send_issue_newsletter(issue.pk)

    (message,) = mail.outbox
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parsed["To"] == Subscriber.objects.get().email
    assert parsed["Subject"].strip() == (
        f"{publication.name} #1: Attention <script>alert(1)</script> Bcc: victim@example.org "
        "]]> 注意力 🚀"
    )
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in message.body.replace("&lt;script>", "")


def test_publishing_mails_the_issue_only_after_commit(
    publication: Publication,
    publish: Callable[..., Issue],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    subscribers = SubscriberFactory.create_batch(2, publication=publication)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        issue = publish()
    assert mail.outbox == []
    assert not Delivery.objects.exists()

    for callback in callbacks:
        callback()
    issue_mails = [m for m in mail.outbox if m.subject.startswith(publication.name + " #1")]
    assert sorted(m.to[0] for m in issue_mails) == sorted(s.email for s in subscribers)
    assert Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count() == 2


def test_a_publication_that_fails_sends_nothing(
    publication: Publication,
    editor: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from issues import services as issue_services

    SubscriberFactory(publication=publication)
    empty = issue_services.create_issue(publication, by=editor, title="Empty")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(InvalidInput):
        issue_services.publish_issue(empty, by=editor)

    assert callbacks == []
    assert mail.outbox == []


def test_two_batches_never_claim_the_same_delivery(
    publication: Publication, publish: Callable[..., Issue]
) -> None:
    SubscriberFactory.create_batch(5, publication=publication)
    issue = publish()
    services.queue_issue_newsletter(issue)

    first = sending._claim(issue, 3)
    second = sending._claim(issue, 3)
    third = sending._claim(issue, 3)

    assert len(first) == 3
    assert len(second) == 2
    assert third == []
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert first[0].claim != second[0].claim


def test_stale_claims_are_requeued_unless_they_may_have_been_sent(
    publication: Publication, publish: Callable[..., Issue], settings: Any
) -> None:
    SubscriberFactory.create_batch(3, publication=publication)
    issue = publish()
    services.queue_issue_newsletter(issue)
    claimed = sending._claim(issue, 3)
    # A worker died after handing the first message to the SMTP server.
    Delivery.objects.filter(pk=claimed[0].pk).update(attempted_at=timezone.now(), attempts=1)
    Delivery.objects.update(claimed_at=timezone.now() - dt.timedelta(hours=1))

    assert services.release_stale_deliveries() == (2, 1)

    failed = Delivery.objects.get(pk=claimed[0].pk)
    assert failed.status == DeliveryStatus.FAILED
    assert failed.error.startswith("Interrupted while sending")
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 2
    tasks.task_send_newsletter_batch(issue.pk)
    assert len(mail.outbox) == 2  # never a second copy to the first subscriber


def test_a_fresh_claim_is_not_taken_for_stale(
    publication: Publication, publish: Callable[..., Issue]
) -> None:
    SubscriberFactory(publication=publication)
    issue = publish()
    services.queue_issue_newsletter(issue)
    sending._claim(issue, 1)

    assert services.release_stale_deliveries() == (0, 0)
    assert Delivery.objects.get().status == DeliveryStatus.SENDING


def test_resume_catches_up_an_issue_whose_newsletter_never_started(
    publication: Publication, publish: Callable[..., Issue]
) -> None:
    SubscriberFactory.create_batch(2, publication=publication)
    issue = publish()  # its on-commit enqueue never ran: the broker was down

    assert tasks.task_resume_newsletters() == [issue.pk]
    assert len(mail.outbox) == 2
    assert tasks.task_resume_newsletters() == []
    assert len(mail.outbox) == 2


def test_requeue_failed_sends_again_only_to_confirmed_subscribers(
    publication: Publication,
    publish: Callable[..., Issue],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    keep, leave = SubscriberFactory.create_batch(2, publication=publication)
    issue = publish()
    services.queue_issue_newsletter(issue)
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=5, error="451 later")
    services.unsubscribe_subscriber(leave)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.requeue_failed_deliveries(Delivery.objects.all()) == 1
    assert len(callbacks) == 1  # the sending is enqueued once committed
    assert Delivery.objects.get(subscriber=keep).status == DeliveryStatus.QUEUED
    assert Delivery.objects.get(subscriber=leave).status == DeliveryStatus.FAILED
    services.send_newsletter_batch(issue)
    assert [m.to for m in mail.outbox] == [[keep.email]]


# --- soft bounces ---------------------------------------------------------------------------------


def test_soft_bounces_older_than_the_window_do_not_count(publication: Publication) -> None:
    subscriber = SubscriberFactory(publication=publication, email="Full@Example.org")
    for message in ("issue:1", "issue:2"):
        assert not services.record_soft_bounce(
            "full@example.org", message=message, source="smtp", detail="452 4.2.2 Over quota"
        )
    SoftBounce.objects.filter(message="issue:1").update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )

    assert not services.record_soft_bounce("full@example.org", message="issue:3", source="smtp")
    assert not Suppression.objects.exists()
    assert services.record_soft_bounce("FULL@example.org", message="issue:4", source="smtp")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUPPRESSED
    assert Suppression.objects.get().detail.startswith("3 soft bounces within 30 days:")


def test_a_soft_bounce_of_a_suppressed_address_is_not_kept(publication: Publication) -> None:
    services.suppress_address("gone@example.org", reason=SuppressionReason.BOUNCE, source="smtp")
    assert not services.record_soft_bounce("gone@example.org", message="issue:1", source="smtp")
    assert not SoftBounce.objects.exists()
    assert Suppression.objects.get().reason == SuppressionReason.BOUNCE


def test_a_soft_bounce_needs_an_address_and_a_message() -> None:
    with pytest.raises(InvalidInput, match=r"An address and the refused message are needed\."):
        services.record_soft_bounce(" ", message="issue:1", source="smtp")
    with pytest.raises(InvalidInput):
        services.record_soft_bounce("a@example.org", message="", source="smtp")
    assert not SoftBounce.objects.exists()
