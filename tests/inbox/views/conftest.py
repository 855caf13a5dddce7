"""What the inbox's page tests share: a signed-in client, the messages a page shows."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client


def signed_in(user: Any | None) -> Client:
    """A browser's client, signed in as ``user`` (anonymous for ``None``)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def messages_of(response: Any) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


@pytest.fixture
def claimant(db: None) -> Any:
    """A member who claims candidates in the tests."""
    from tests.factories import UserFactory

    return UserFactory(username="claimant", display_name="王小明")
