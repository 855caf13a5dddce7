"""The members' digest subscriptions (``inbox/services/digest.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from common.exceptions import NotAllowed
from inbox import services
from inbox.models import DigestSubscription
from publications.models import Publication

pytestmark = pytest.mark.django_db


def test_subscribe_digest_once_and_unsubscribe(publication: Publication, contributor: Any) -> None:
    first = services.subscribe_digest(contributor, publication)
    assert services.subscribe_digest(contributor, publication).pk == first.pk
    assert services.unsubscribe_digest(contributor, publication) is True
    assert services.unsubscribe_digest(contributor, publication) is False
    assert DigestSubscription.objects.count() == 0


def test_subscribe_digest_anonymous_is_not_allowed(publication: Publication) -> None:
    with pytest.raises(NotAllowed):
        services.subscribe_digest(AnonymousUser(), publication)
