"""The clients of Crossref, OpenReview, Semantic Scholar and the ACL Anthology share the kept
connection of ``KeptConnectionClient``: one ``httpx.Client`` for the client's life, closed by
``close`` or ``with``, each with its own headers."""

from __future__ import annotations

import httpx
import pytest

from papers.clients.acl_anthology import AclAnthologyClient
from papers.clients.crossref import CrossrefClient
from papers.clients.http import KeptConnectionClient
from papers.clients.openreview import OpenReviewClient
from papers.clients.semanticscholar import SemanticScholarClient

S2_ID = "0123456789abcdef0123456789abcdef01234567"


def _clients(handler):
    transport = httpx.MockTransport(handler)
    return [
        (
            CrossrefClient("http://crossref.test", mailto="ed@example.org", transport=transport),
            "10.1000/x",
        ),
        (OpenReviewClient("http://openreview.test", transport=transport), "abc123"),
        (SemanticScholarClient("http://s2.test", api_key="sekrit", transport=transport), S2_ID),
        (AclAnthologyClient("http://acl.test", transport=transport), "2022.acl-long.1"),
    ]


@pytest.mark.parametrize("index", range(4))
def test_two_fetches_share_one_connection_closed_with_the_client(index: int) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404)

    client, key = _clients(handler)[index]
    assert isinstance(client, KeptConnectionClient)
    with client:
        assert client.fetch(key) is None
        kept = client._http
        assert client.fetch(key) is None
        assert client._http is kept is not None
    assert client._http is None
    assert kept.is_closed
    assert seen


def test_each_client_sends_its_own_headers() -> None:
    seen: dict[str, httpx.Headers] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request.headers
        return httpx.Response(404)

    for client, key in _clients(handler):
        with client:
            client.fetch(key)

    assert "mailto:ed@example.org" in seen["crossref.test"]["User-Agent"]
    assert seen["crossref.test"]["Accept"] == "application/json"
    assert seen["openreview.test"]["Accept"] == "application/json"
    assert seen["s2.test"]["x-api-key"] == "sekrit"
    assert "x-api-key" not in seen["crossref.test"]
    assert seen["acl.test"]["Accept"] == "application/xml"
    assert all(h["User-Agent"].startswith("Weekly/") for h in seen.values())
