"""The statistics in the API: the figures' shape, published data only, a 404 in the API's
error shape for an unknown publication, and the JSON served from the cache like a published
issue's."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.issues.test_statistics import World, months_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def test_publication_statistics_in_the_api(api: APIClient, world: World) -> None:
    response = api.get(reverse("api:publication-statistics", args=["stats-weekly"]))

    assert response.status_code == 200
    data = response.json()
    months = [months_ago(n).strftime("%Y-%m") for n in (2, 1, 0)]
    assert data["publication"] == "stats-weekly"
    assert data["totals"] == {"issues": 2, "papers": 4, "news": 1, "contributors": 3}
    assert data["months"] == [
        {"month": months[0], "issues": 1, "papers": 2, "news": 1},
        {"month": months[1], "issues": 0, "papers": 0, "news": 0},
        {"month": months[2], "issues": 1, "papers": 2, "news": 0},
    ]
    assert data["topics"]["period"] == "month"
    assert data["topics"]["periods"] == months
    assert [(s["slug"], s["publication"], s["counts"]) for s in data["topics"]["series"]] == [
        ("vision", "stats-weekly", [1, 0, 2]),
        ("language", "stats-weekly", [1, 0, 0]),
    ]
    assert data["topics"]["series"][1]["name_zh"] == "语言"
    assert data["contributors"] == [
        {
            "username": name,
            "name": name.title(),
            "published": count,
            "url": f"http://testserver/api/v1/contributors/{name}/",
        }
        for name, count in (("alice", 3), ("bob", 1), ("carol", 1))
    ]
    waiting = data["waiting"]
    assert (waiting["measured"], waiting["median_days"]) == (5, 10.0)
    assert waiting["bins"][0] == {"from_days": 0, "to_days": 7, "count": 2}
    assert waiting["bins"][-1] == {"from_days": 56, "to_days": None, "count": 0}
    assert waiting["median_by_month"] == [
        {"month": months[0], "median_days": 10.0},
        {"month": months[2], "median_days": 21.0},
    ]
    # Nothing of the drafts, the scheduled issue or the refused recommendations.
    assert "hidden" not in response.content.decode()


def test_site_statistics_in_the_api(api: APIClient, world: World) -> None:
    data = api.get(reverse("api:statistics")).json()

    assert data["publication"] is None
    assert [(s["slug"], s["publication"]) for s in data["topics"]["series"]] == [
        ("vision", None),
        ("language", None),
    ]
    assert data["totals"] == {"issues": 3, "papers": 5, "news": 1, "contributors": 3}
    assert [(c["username"], c["published"]) for c in data["contributors"]] == [
        ("alice", 3),
        ("bob", 2),
        ("carol", 1),
    ]


def test_statistics_of_an_unknown_publication_are_not_found(api: APIClient, db: None) -> None:
    response = api.get(reverse("api:publication-statistics", args=["nowhere"]))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_statistics_in_the_api_are_served_from_the_cache(
    api: APIClient, world: World, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    url = reverse("api:publication-statistics", args=["stats-weekly"])
    with django_assert_max_num_queries(9):
        first = api.get(url)
    with django_assert_num_queries(0):
        second = api.get(url)

    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
