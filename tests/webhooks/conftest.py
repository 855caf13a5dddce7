"""Shared setup of the webhook tests: a local receiver the site may call, and an endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from publications.models import Publication
from tests.servers.webhooks import Receiver, receiver
from webhooks import services


@pytest.fixture
def local_hooks(settings: Any) -> Any:
    """127.0.0.1 exempt from the public-address rule, fast retries."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_RETRY_BACKOFF = 1.0
    settings.WEBHOOK_TIMEOUT = 2.0
    return settings


@pytest.fixture
def hooks(local_hooks: Any) -> Iterator[Receiver]:
    with receiver() as server:
        yield server


def make_endpoint(publication: Publication, editor: Any, url: str, events: list[str] | None = None):
    return services.create_endpoint(
        publication,
        by=editor,
        url=url,
        events=events or ["issue.published", "issue.corrected", "recommendation.accepted"],
    )
