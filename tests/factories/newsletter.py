"""Factories of the newsletter: subscribers in any state, for setup."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from newsletter.enums import SubscriberStatus
from newsletter.models import Subscriber
from tests.factories.issues import PublicationFactory


class SubscriberFactory(DjangoModelFactory):
    """A confirmed subscriber (confirmed a day ago); ``pending`` and ``unsubscribed`` traits."""

    class Meta:
        model = Subscriber

    publication = factory.SubFactory(PublicationFactory)
    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = SubscriberStatus.CONFIRMED
    confirmed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))

    class Params:
        pending = factory.Trait(status=SubscriberStatus.PENDING, confirmed_at=None)
        unsubscribed = factory.Trait(
            status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=factory.LazyFunction(timezone.now)
        )
