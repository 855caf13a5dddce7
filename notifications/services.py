"""Telling members what became of their recommendations, by e-mail, once each."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from issues import selectors
from issues.models import CoRecommendation, Issue
from notifications import mail as notifications
from notifications.models import Notification
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation, Review, Transition


def _wants_mail(user: Any) -> bool:
    return bool(user.is_active and user.notify_by_email and user.email)


def member_language(user: Any) -> str:
    """The language to write to a member in: the one they chose (``User.mail_language``), else
    the site's default."""
    return user.mail_language or settings.LANGUAGE_CODE


def _notify_once(notification: Notification, message: Any) -> bool:
    """Record the notification, then send it; a second call for the same subject sends nothing.

    The record comes first, so a task run twice or retried never mails twice; a mail that fails
    removes its record again, so the retry sends it.
    """
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return False
    try:
        message.send()
    except Exception:
        notification.delete()
        raise
    return True


def notify_reviewed(review: Review) -> bool:
    """Tell the submitter of the review of their recommendation, unless they turned it off.

    Side effects: inserts a Notification and sends one e-mail. Returns whether it sent.
    """
    submitter = review.recommendation.submitter
    if not _wants_mail(submitter) or submitter.pk == review.reviewer_id:
        return False
    return _notify_once(
        Notification(user=submitter, kind=Notification.Kind.REVIEWED, review=review),
        notifications.reviewed_message(review, language=member_language(submitter)),
    )


def notify_accepted(recommendation: Recommendation) -> bool:
    """Tell the submitter an editor accepted their recommendation (reviews tell themselves).

    Side effects: inserts a Notification and sends one e-mail. Returns whether it sent.
    """
    submitter = recommendation.submitter
    if not _wants_mail(submitter) or recommendation.status != RecommendationStatus.ACCEPTED:
        return False
    return _notify_once(
        Notification(
            user=submitter, kind=Notification.Kind.ACCEPTED, recommendation=recommendation
        ),
        notifications.accepted_message(recommendation, language=member_language(submitter)),
    )


def notify_published(issue: Issue) -> int:
    """Tell each member whose recommendations are in the published issue, once, in one e-mail.

    Side effects: inserts a Notification and sends one e-mail per member. Returns how many.
    """
    if not issue.is_published:
        return 0
    titles: dict[Any, list[str]] = {}
    for content in selectors.issue_contents(issue):
        for member in content.contributors:
            titles.setdefault(member, []).append(content.title)
    sent = 0
    for member, member_titles in titles.items():
        if _wants_mail(member):
            sent += _notify_once(
                Notification(user=member, kind=Notification.Kind.PUBLISHED, issue=issue),
                notifications.published_message(
                    member, issue, member_titles, language=member_language(member)
                ),
            )
    return sent


def notify_revised(transition: Transition) -> bool:
    """Tell the submitter who on the publication's team changed what in their recommendation's
    entry, once per edit (each is its own audit row).

    Side effects: inserts a Notification and sends one e-mail. Returns whether it sent.
    """
    recommendation = transition.recommendation
    submitter = recommendation.submitter
    if not _wants_mail(submitter) or transition.actor_id == submitter.pk:
        return False
    return _notify_once(
        Notification(user=submitter, kind=Notification.Kind.REVISED, transition=transition),
        notifications.revised_message(transition, language=member_language(submitter)),
    )


def notify_co_credited(transition: Transition) -> bool:
    """Tell a member that their recommendation joined the entry of another member's
    recommendation of the same paper: one entry, crediting them both. Once per join (each is its
    own audit row).

    Side effects: inserts a Notification and sends one e-mail. Returns whether it sent.
    """
    recommendation = transition.recommendation
    submitter = recommendation.submitter
    co = CoRecommendation.objects.filter(recommendation=recommendation).select_related(
        "entry__recommendation__submitter", "entry__issue__publication"
    )
    joined = co.first()
    if not _wants_mail(submitter) or joined is None:
        return False
    return _notify_once(
        Notification(user=submitter, kind=Notification.Kind.CO_CREDITED, transition=transition),
        notifications.co_credited_message(joined, language=member_language(submitter)),
    )
