"""The newsletter's reads (``newsletter/selectors.py``): the after-publishing figures."""

from __future__ import annotations

import pytest
from django.utils import timezone

from issues import progress
from newsletter.enums import DeliveryStatus, SubscriberStatus
from newsletter.models import Delivery
from newsletter.selectors import issue_mailing_progress
from publications.models import Publication
from tests.factories import IssueFactory
from tests.factories.newsletter import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_mailing_progress_counts_each_state_in_two_queries(
    publication: Publication, django_assert_num_queries
) -> None:
    issue = IssueFactory(publication=publication, published=True, number=1)
    for status in ("sent", "failed", "failed", "queued", "skipped"):
        Delivery.objects.create(
            issue=issue,
            subscriber=SubscriberFactory(publication=publication),
            status=status,
            sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
        )
    SubscriberFactory(publication=publication, status=SubscriberStatus.SUPPRESSED)
    with django_assert_num_queries(2):
        found = issue_mailing_progress(issue)
    assert found is not None
    assert {c.key: c.value for c in found.counts} == {
        "sent": 1,
        "failed": 2,
        "pending": 1,
        "skipped": 1,
        "suppressed": 1,
    }
    assert found.done is False


def test_mailing_progress_is_none_without_subscribers(publication: Publication) -> None:
    issue = IssueFactory(publication=publication, published=True, number=1)
    assert issue_mailing_progress(issue) is None


def test_mailing_progress_waits_for_the_first_deliveries(publication: Publication) -> None:
    issue = IssueFactory(publication=publication, published=True, number=1)
    SubscriberFactory(publication=publication)
    found = issue_mailing_progress(issue)
    assert found is not None
    assert found.done is False
    assert sum(c.value for c in found.counts) == 0


def test_the_newsletter_registers_its_progress() -> None:
    assert issue_mailing_progress in progress._providers
