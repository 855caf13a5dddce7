"""Tests of the publication's settings page and of its uploads served."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from publications.models import PublicationChange, PublicationStyle
from publications.services import STYLE_FIELDS, upload_publication_image
from tests.factories.publications import png_bytes

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**changes: str) -> dict[str, str]:
    values = {name: str(getattr(PublicationStyle(), name)) for name in STYLE_FIELDS}
    return values | changes


def test_settings_page_saves_the_style_for_an_editor(publication: Any, editor: Any) -> None:
    url = reverse("publications:settings", args=[publication.slug])
    client = _client(editor)
    assert client.get(url).status_code == 200
    response = client.post(url, _form(authors_shown="2", authors_more=" 等", closing="再见\r\n"))
    assert response.status_code == 302
    stored = PublicationStyle.objects.get(publication=publication)
    assert (stored.authors_shown, stored.authors_more, stored.closing) == (2, " 等", "再见")
    assert PublicationChange.objects.get().actor == editor


def test_settings_page_names_an_unknown_placeholder_and_keeps_the_style(
    publication: Any, editor: Any
) -> None:
    url = reverse("publications:settings", args=[publication.slug])
    response = _client(editor).post(url, _form(credit_template="谢谢 {nmaes}", closing="x"))
    assert response.status_code == 400
    assert "Unknown placeholder {nmaes}: use {names}." in response.content.decode()
    assert not PublicationStyle.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "contributor", "other_editor"])
def test_settings_page_refuses_who_does_not_edit_the_publication(
    request: pytest.FixtureRequest, publication: Any, other_publication: Any, role: str
) -> None:
    if role == "other_editor":
        from tests.factories import MembershipFactory, UserFactory

        user = UserFactory()
        MembershipFactory(publication=other_publication, user=user, role="editor")
    else:
        user = request.getfixturevalue(role)
    url = reverse("publications:settings", args=[publication.slug])
    assert _client(user).get(url).status_code == 403
    assert _client(user).post(url, _form(authors_shown="2")).status_code == 403
    assert not PublicationStyle.objects.exists()


def test_upload_is_served_with_its_type_and_no_sniffing(publication: Any, editor: Any) -> None:
    upload = upload_publication_image(publication, by=editor, data=png_bytes(), name="qr.png")
    response = Client().get(reverse("publications:upload", args=[upload.token, "png"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()
    assert (
        Client().get(reverse("publications:upload", args=[upload.token, "svg"])).status_code == 404
    )
