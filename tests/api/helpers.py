"""What the API tests share: the API's root, the one error shape, tokens, recommending, and
a throttle of two requests an hour (registered for every test by ``tests/conftest.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

API = "/api/v1"


def _error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is ``status`` in the one error shape (exactly code, message, fields)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code
    return error


# ================================================================ tokens


def _token_header(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


# ================================================================ recommending


def _recommend(client: APIClient, **fields: Any) -> Any:
    body = {
        "publication": "pretraining-weekly",
        "identifier": "https://arxiv.org/abs/2305.14314v2",
        "summary": "Fine-tunes quantised models with low-rank adapters.",
        **fields,
    }
    return client.post(f"{API}/recommendations/", body, format="json")


# ================================================================ throttling


@pytest.fixture
def two_per_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    # DRF copies the rates into the throttle class when it is imported; change them there.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "submissions", "2/hour")
