"""Tests of the publication's settings page and of its uploads served."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from publications.models import PublicationChange, PublicationStyle, PublicationUpload, Topic
from publications.services import STYLE_FIELDS, upload_publication_image
from tests.factories import MembershipFactory, RecommendationFactory, TopicFactory, UserFactory
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
    response = Client().get(reverse("uploads:upload", args=[upload.token, "png"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()
    assert Client().get(reverse("uploads:upload", args=[upload.token, "svg"])).status_code == 404


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
    assert reverse("uploads:upload", args=[upload.token, "png"]) in page


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


# --- the topics page ------------------------------------------------------------------------------


def test_topics_page_lists_the_publication_s_topics_with_their_recommendations(
    publication: Any, other_publication: Any, editor: Any
) -> None:
    used = TopicFactory(publication=publication, slug="agents", name_en="Agents", position=1)
    TopicFactory(publication=publication, slug="vision", name_en="Vision", position=2)
    TopicFactory(publication=other_publication, slug="elsewhere", name_en="Elsewhere")
    RecommendationFactory.create_batch(3, publication=publication, topic=used)

    response = _client(editor).get(reverse("publications:topics", args=[publication.slug]))

    assert response.status_code == 200
    rows = [(t.slug, t.uses) for t in response.context["topics"]]
    assert rows == [("agents", 3), ("vision", 0)]
    page = response.content.decode()
    assert "Elsewhere" not in page
    # Only the unused topic offers deletion.
    assert page.count("/delete/") == 1
    assert reverse("publications:topic-edit", args=[publication.slug, used.pk]) in page


def test_topics_page_adds_a_topic_last(publication: Any, editor: Any) -> None:
    TopicFactory(publication=publication, slug="first", position=10)
    url = reverse("publications:topics", args=[publication.slug])

    response = _client(editor).post(
        url, {"name_en": "Agents", "name_zh": "智能体", "slug": "agents", "description": ""}
    )

    assert response.status_code == 302
    topic = Topic.objects.get(slug="agents")
    assert (topic.publication, topic.name_zh, topic.position) == (publication, "智能体", 20)
    assert PublicationChange.objects.get().action == "create_topic"


def test_topics_page_names_a_slug_taken_in_the_publication(publication: Any, editor: Any) -> None:
    TopicFactory(publication=publication, slug="agents")
    url = reverse("publications:topics", args=[publication.slug])

    response = _client(editor).post(url, {"name_en": "Agents again", "slug": "agents"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "slug": ["This publication has a topic “agents” already."]
    }
    assert Topic.objects.count() == 1


def test_topic_edit_page_changes_the_topic(publication: Any, editor: Any) -> None:
    topic = TopicFactory(publication=publication, slug="rl", name_en="RL", position=5)
    url = reverse("publications:topic-edit", args=[publication.slug, topic.pk])
    client = _client(editor)
    assert client.get(url).context["form"].initial["name_en"] == "RL"

    response = client.post(
        url, {"name_en": "Reinforcement learning", "slug": "rl", "position": "1"}
    )

    assert response.status_code == 302
    topic.refresh_from_db()
    assert (topic.name_en, topic.position) == ("Reinforcement learning", 1)


def test_topic_delete_refuses_a_used_topic_and_says_why(publication: Any, editor: Any) -> None:
    used = TopicFactory(publication=publication)
    RecommendationFactory(publication=publication, topic=used)
    unused = TopicFactory(publication=publication)
    client = _client(editor)

    refused = client.post(
        reverse("publications:topic-delete", args=[publication.slug, used.pk]), follow=True
    )
    client.post(reverse("publications:topic-delete", args=[publication.slug, unused.pk]))

    assert "1 recommendation uses this topic" in refused.content.decode()
    assert list(Topic.objects.all()) == [used]


@pytest.mark.parametrize("role", ["reviewer", "contributor", "other_editor"])
def test_topics_pages_refuse_who_does_not_edit_the_publication(
    request: pytest.FixtureRequest, publication: Any, other_publication: Any, role: str
) -> None:
    if role == "other_editor":
        user = UserFactory()
        MembershipFactory(publication=other_publication, user=user, role="editor")
    else:
        user = request.getfixturevalue(role)
    topic = TopicFactory(publication=publication)
    client = _client(user)

    for url in (
        reverse("publications:topics", args=[publication.slug]),
        reverse("publications:topic-edit", args=[publication.slug, topic.pk]),
    ):
        assert client.get(url).status_code == 403
    delete = reverse("publications:topic-delete", args=[publication.slug, topic.pk])
    assert client.post(delete).status_code == 403
    assert Topic.objects.count() == 1


def test_topic_pages_of_another_publication_s_topic_are_not_found(
    publication: Any, other_publication: Any, editor: Any
) -> None:
    elsewhere = TopicFactory(publication=other_publication)
    url = reverse("publications:topic-edit", args=[publication.slug, elsewhere.pk])
    assert _client(editor).get(url).status_code == 404


def test_editor_home_links_to_the_topics_page(publication: Any, editor: Any) -> None:
    page = _client(editor).get(reverse("editor:home")).content.decode()
    assert reverse("publications:topics", args=[publication.slug]) in page
