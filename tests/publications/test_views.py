"""Tests of the publication's settings page and of its uploads served."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from publications.models import PublicationChange, PublicationStyle, PublicationUpload
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


def test_settings_page_uploads_an_image_and_shows_its_address(
    publication: Any, editor: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = _client(editor)
    image = SimpleUploadedFile("qr code.png", png_bytes(), content_type="application/octet-stream")
    response = client.post(
        reverse("publications:upload-create", args=[publication.slug]), {"file": image}
    )
    assert response.status_code == 302
    upload = PublicationUpload.objects.get(publication=publication)
    assert (upload.name, upload.content_type, upload.width) == ("qr code.png", "image/png", 2)
    assert PublicationChange.objects.get().actor == editor
    page = client.get(reverse("publications:settings", args=[publication.slug])).content.decode()
    assert reverse("publications:upload", args=[upload.token, "png"]) in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg onload=alert(1)>", "Upload a PNG, JPEG or GIF image."),
        (b"", "The submitted file is empty."),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 600_000, "The image is too large: at most 512 KB."),
    ],
)
def test_settings_page_refuses_what_is_no_image_and_keeps_nothing(
    publication: Any, editor: Any, settings: Any, tmp_path: Any, data: bytes, message: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    response = _client(editor).post(
        reverse("publications:upload-create", args=[publication.slug]),
        {"file": SimpleUploadedFile("x.png", data)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PublicationUpload.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_settings_page_removes_an_image_and_its_file(
    publication: Any,
    editor: Any,
    settings: Any,
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = upload_publication_image(publication, by=editor, data=png_bytes(), name="qr.png")
    path = tmp_path / upload.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(editor).post(
            reverse("publications:upload-delete", args=[publication.slug, upload.pk])
        )
    assert response.status_code == 302
    assert not PublicationUpload.objects.exists()
    assert not path.exists()


def test_uploads_are_refused_to_who_does_not_edit_the_publication(
    publication: Any,
    other_publication: Any,
    editor: Any,
    reviewer: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = upload_publication_image(publication, by=editor, data=png_bytes(), name="qr.png")
    client = _client(reviewer)
    create = reverse("publications:upload-create", args=[publication.slug])
    assert (
        client.post(create, {"file": SimpleUploadedFile("y.png", png_bytes())}).status_code == 403
    )
    delete = reverse("publications:upload-delete", args=[publication.slug, upload.pk])
    assert client.post(delete).status_code == 403
    # Another publication's editor cannot reach it through their own publication's address.
    from tests.factories import MembershipFactory, UserFactory

    other_editor = UserFactory()
    MembershipFactory(publication=other_publication, user=other_editor, role="editor")
    wrong = reverse("publications:upload-delete", args=[other_publication.slug, upload.pk])
    assert _client(other_editor).post(wrong).status_code == 404
    assert PublicationUpload.objects.get() == upload


def test_the_upload_page_checks_the_csrf_token_after_taking_the_file(
    publication: Any, editor: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = reverse("publications:upload-create", args=[publication.slug])
    forged = client.post(url, {"file": SimpleUploadedFile("qr.png", png_bytes())})
    assert forged.status_code == 403
    client.get(reverse("publications:settings", args=[publication.slug]))
    token = client.cookies["csrftoken"].value
    image = SimpleUploadedFile("qr.png", png_bytes())
    sent = client.post(url, {"file": image, "csrfmiddlewaretoken": token})
    assert sent.status_code == 302
    assert PublicationUpload.objects.filter(publication=publication).count() == 1


def test_the_upload_page_takes_one_file_only(publication: Any, editor: Any, tmp_path: Any) -> None:
    files = [SimpleUploadedFile(f"{n}.png", png_bytes()) for n in range(2)]
    response = _client(editor).post(
        reverse("publications:upload-create", args=[publication.slug]), {"file": files}
    )
    assert response.status_code == 400
    assert "Send one file at a time." in response.content.decode()
    assert not PublicationUpload.objects.exists()
