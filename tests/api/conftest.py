"""Clients of the API, one per role."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient


def client_for(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api() -> APIClient:
    """An anonymous client."""
    return APIClient()
