"""Tests of the publication's settings page and of its uploads served."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from publications.models import PublicationChange, PublicationStyle, Topic
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
    response = Client().get(reverse("publications:upload", args=[upload.token, "png"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()
    assert (
        Client().get(reverse("publications:upload", args=[upload.token, "svg"])).status_code == 404
    )


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
