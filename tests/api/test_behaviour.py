"""What every endpoint of the API does alike: the one error shape for a bad method, a bad
``Accept``, an unknown path; the parsers' refusals of a body (malformed, too large, not JSON,
too deep, characters XML cannot carry); the list filters' refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from papers.models import Paper
from publications.models import Publication
from recommendations.models import Recommendation
from tests.api.helpers import API, _error
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_recommendation_post_malformed_json_is_400(
    publication: Publication, contributor: Any
) -> None:
    response = client_for(contributor).post(
        f"{API}/recommendations/", '{"summary": "unterminated', content_type="application/json"
    )

    error = _error(response, 400, "invalid")
    assert "JSON parse error" in error["message"]
    assert not Recommendation.objects.exists()


def test_recommendation_post_body_too_large_is_413_and_stores_nothing(
    publication: Publication, contributor: Any
) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps(
        {
            "publication": "pretraining-weekly",
            "identifier": "2305.14314",
            "summary": "x" * (limit + 1),
        }
    )

    response = client_for(contributor).post(
        f"{API}/recommendations/", body, content_type="application/json"
    )

    error = _error(response, 413, "too_large")
    assert error["message"] == "The request body is too large."
    assert not Recommendation.objects.exists()
    assert not Paper.objects.exists()


def test_recommendation_post_form_encoded_is_415(
    publication: Publication, contributor: Any
) -> None:
    response = client_for(contributor).post(
        f"{API}/recommendations/",
        "publication=pretraining-weekly&identifier=2305.14314&summary=Good",
        content_type="application/x-www-form-urlencoded",
    )

    _error(response, 415, "unsupported_media_type")
    assert not Recommendation.objects.exists()


def test_recommendation_post_json_array_is_400(publication: Publication, contributor: Any) -> None:
    response = client_for(contributor).post(
        f"{API}/recommendations/", "[]", content_type="application/json"
    )

    error = _error(response, 400, "invalid")
    assert error["message"] == "Invalid data. Expected a dictionary, but got list."
    assert error["fields"] == {}


def test_method_not_allowed_is_405_in_the_error_shape(db: None) -> None:
    error = _error(APIClient().delete(f"{API}/papers/"), 405, "method_not_allowed")
    assert error["message"] == 'Method "DELETE" not allowed.'


def test_unservable_accept_header_is_406_in_the_error_shape(db: None) -> None:
    response = APIClient().get(f"{API}/papers/", HTTP_ACCEPT="application/xml")

    _error(response, 406, "not_acceptable")


# ================================================================ hostile input


def test_recommendation_post_deeply_nested_json_is_400(contributor: Any) -> None:
    response = client_for(contributor).post(
        "/api/v1/recommendations/", "[" * 100_000, content_type="application/json"
    )
    assert "nested too deeply" in _error(response, 400, "invalid")["message"]


NOT_IN_XML = (
    "This text contains characters that are not allowed (U+FFFE, U+FFFF or a lone surrogate)."
)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("\uffff", NOT_IN_XML),
        ("\ufffe", NOT_IN_XML),
        ("\ud800", None),  # not text at all: refused by the JSON parser
    ],
)
def test_recommendation_post_characters_xml_cannot_carry_are_refused(
    publication: Publication, contributor: Any, bad: str, message: str | None
) -> None:
    body = json.dumps(
        {"identifier": "2109.08133", "summary": f"Good{bad}paper", "publication": publication.slug}
    )
    response = client_for(contributor).post(
        "/api/v1/recommendations/", body, content_type="application/json"
    )
    error = _error(response, 400)
    if message is None:
        assert (error["fields"], "lone surrogate" in error["message"]) == ({}, True)
    else:
        assert error["fields"] == {"summary": [message]}
    assert Recommendation.objects.count() == 0


def test_unknown_api_path_is_404_in_the_error_shape(db: None) -> None:
    response = APIClient().get("/api/v1/no-such-thing/")
    assert response["Content-Type"] == "application/json"
    _error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/papers/?year=2024.5", "year"),
        ("/api/v1/papers/?has_code=maybe", "has_code"),
        ("/api/v1/papers/?featured=perhaps", "featured"),
        ("/api/v1/recommendations/?mine=sometimes", "mine"),
    ],
)
def test_list_filters_refuse_values_they_cannot_read(db: None, path: str, field: str) -> None:
    assert set(_error(APIClient().get(path), 400, "invalid")["fields"]) == {field}
