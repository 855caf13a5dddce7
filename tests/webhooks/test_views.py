"""The webhook pages (``webhooks/views.py``): who may come in, the secret shown once, the log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from publications.enums import TeamRole
from publications.models import Publication
from tests.factories import MembershipFactory, UserFactory
from tests.webhooks.conftest import make_endpoint
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["anonymous", "contributor", "reviewer", "other_editor"])
def test_webhook_pages_refuse_everyone_but_the_publications_editors(
    client: Client,
    who: str,
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    reviewer: Any,
    editor: Any,
    local_hooks: Any,
) -> None:
    endpoint = make_endpoint(publication, editor, "https://hooks.example.org/in")
    users = {"contributor": contributor, "reviewer": reviewer}
    if who == "other_editor":
        users[who] = UserFactory(username="other-editor")
        MembershipFactory(publication=other_publication, user=users[who], role=TeamRole.EDITOR)
    if who in users:
        client.force_login(users[who])
    pages = [
        ("get", reverse("webhooks:endpoint-list", args=[publication.slug])),
        ("post", reverse("webhooks:endpoint-list", args=[publication.slug])),
        ("get", reverse("webhooks:endpoint-detail", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint-detail", args=[endpoint.pk])),
        ("post", reverse("webhooks:endpoint-delete", args=[endpoint.pk])),
    ]
    data = {"url": "https://evil.example.org/", "events": ["issue.published"], "active": ""}
    for method, url in pages:
        response = client.post(url, data) if method == "post" else client.get(url)
        if who == "anonymous":
            assert response.status_code == 302, url
        else:
            assert response.status_code in (403, 404), (url, response.status_code)
    assert list(Endpoint.objects.values_list("url", "is_active")) == [
        ("https://hooks.example.org/in", True)
    ]


def test_an_editor_adds_an_endpoint_and_sees_its_secret_once(
    client: Client, editor: Any, publication: Publication
) -> None:
    client.force_login(editor)
    url = reverse("webhooks:endpoint-list", args=[publication.slug])
    response = client.post(
        url, {"url": "https://hooks.example.org/in", "events": ["issue.published"]}
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 201
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(url).content.decode()
    detail = client.get(reverse("webhooks:endpoint-detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in detail
    assert endpoint.secret_hint in detail


def test_the_form_refuses_a_private_address_and_stores_nothing(
    client: Client, editor: Any, publication: Publication
) -> None:
    client.force_login(editor)
    response = client.post(
        reverse("webhooks:endpoint-list", args=[publication.slug]),
        {"url": "https://192.168.1.5/in", "events": ["issue.published"]},
    )
    assert response.status_code == 200
    assert "not a public address" in response.content.decode()
    assert Endpoint.objects.count() == 0
