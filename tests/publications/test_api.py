"""The topics in the API: every publication's listed, filtered by publication; its editors add,
change and delete them with the service's messages."""

from __future__ import annotations

from typing import Any

import pytest

from publications.models import Publication, PublicationChange, Topic
from tests.api.helpers import API, _error
from tests.conftest import client_for
from tests.factories import RecommendationFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_topic_list_names_each_topic_s_publication_and_filters_by_it(
    publication: Publication, other_publication: Publication, topic: Topic
) -> None:
    TopicFactory(publication=other_publication, slug=topic.slug, name_en="LMs")

    every = client_for(None).get(f"{API}/topics/").json()["results"]
    one = client_for(None).get(f"{API}/topics/", {"publication": publication.slug}).json()

    assert sorted((item["publication"], item["slug"]) for item in every) == sorted(
        [(publication.slug, topic.slug), (other_publication.slug, topic.slug)]
    )
    assert [(item["id"], item["publication"]) for item in one["results"]] == [
        (topic.pk, publication.slug)
    ]


def test_topic_create_names_a_slug_the_publication_has(
    publication: Publication, editor: Any, topic: Topic
) -> None:
    client = client_for(editor)
    url = f"{API}/publications/{publication.slug}/topics/"

    refused = client.post(url, {"slug": topic.slug, "name_en": "Again"}, format="json")
    created = client.post(url, {"slug": "agents", "name_en": "Agents"}, format="json")

    assert _error(refused, 400, "invalid")["fields"] == {
        "slug": [f"This publication has a topic “{topic.slug}” already."]
    }
    assert created.status_code == 201, created.content
    assert created.json()["position"] == topic.position + 10
    assert PublicationChange.objects.get().action == "create_topic"


def test_topic_delete_of_a_used_topic_says_how_many_use_it(
    publication: Publication, editor: Any, topic: Topic
) -> None:
    RecommendationFactory.create_batch(2, publication=publication, topic=topic)

    response = client_for(editor).delete(f"{API}/topics/{topic.pk}/")

    error = _error(response, 409)
    assert error["message"] == "2 recommendations use this topic: give them another topic first."
    assert Topic.objects.filter(pk=topic.pk).exists()
