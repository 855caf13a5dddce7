"""The newsletter's state changes: subscribing (double opt-in), unsubscribing, and sending an
issue to its subscribers, each exactly once.

Sending is split in three so that a retried, duplicated or killed task never mails anyone twice:

1. ``queue_issue_newsletter`` records one ``queued`` Delivery per confirmed subscriber; the unique
   (issue, subscriber) constraint makes a second run add nothing.
2. ``send_newsletter_batch`` claims up to a batch of queued deliveries with a compare-and-set
   (``queued`` → ``sending`` under a fresh claim id), so two batches never hold the same row, and
   sends them over one SMTP connection, marking each ``sent`` as soon as the server took it.
3. ``release_stale_deliveries`` hands back what a dead worker held: a delivery not yet attempted
   goes back to the queue; one whose message may have reached the server is marked ``failed``
   rather than risk a second copy.

A package by sub-domain: ``subscription``, ``suppression``, ``sending``; the public
services are re-exported here, so callers write ``services.subscribe(...)``.
"""

from newsletter.services.sending import (
    BatchOutcome,
    queue_issue_newsletter,
    release_stale_deliveries,
    request_issue_newsletter,
    requeue_failed_deliveries,
    send_newsletter_batch,
)
from newsletter.services.subscription import (
    CONFIRM_SALT,
    UNSUBSCRIBE_SALT,
    confirm_subscription,
    confirmation_token,
    send_subscription_confirmation,
    subscribe,
    subscriber_from_confirmation_token,
    subscriber_from_unsubscribe_token,
    unsubscribe,
    unsubscribe_subscriber,
    unsubscribe_token,
)
from newsletter.services.suppression import (
    lift_suppression,
    record_soft_bounce,
    suppress_address,
)

__all__ = [
    "CONFIRM_SALT",
    "UNSUBSCRIBE_SALT",
    "BatchOutcome",
    "confirm_subscription",
    "confirmation_token",
    "lift_suppression",
    "queue_issue_newsletter",
    "record_soft_bounce",
    "release_stale_deliveries",
    "request_issue_newsletter",
    "requeue_failed_deliveries",
    "send_newsletter_batch",
    "send_subscription_confirmation",
    "subscribe",
    "subscriber_from_confirmation_token",
    "subscriber_from_unsubscribe_token",
    "suppress_address",
    "unsubscribe",
    "unsubscribe_subscriber",
    "unsubscribe_token",
]
