"""The API's filter backend: no filter set for a request that names none of its filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_filters.filterset import BaseFilterSet
from rest_framework.test import APIClient

from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[type]:
    """The filter sets built, by class."""
    seen: list[type] = []
    original = BaseFilterSet.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(type(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(BaseFilterSet, "__init__", counting)
    return seen


def test_a_list_without_filters_builds_no_filter_set(built: list[type]) -> None:
    PaperFactory.create_batch(2)
    response = APIClient().get(reverse("api:paper-list"), {"page_size": 1, "other": "x"})
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert built == []


def test_a_named_filter_still_filters_and_refuses(built: list[type]) -> None:
    PaperFactory(year=2020)
    PaperFactory(year=2021)
    client = APIClient()
    response = client.get(reverse("api:paper-list"), {"year": 2020})
    assert [paper["year"] for paper in response.json()["results"]] == [2020]
    refused = client.get(reverse("api:paper-list"), {"year": "soon"})
    assert refused.status_code == 400
    assert "year" in refused.json()["error"]["fields"]
    assert len(built) == 2
