"""Tests of publications.services: publications, team roles, style, uploads and topics."""

from __future__ import annotations

from typing import Any

import pytest

from common.exceptions import InvalidInput, InvalidTransition, NotAllowed
from publications import services
from publications.enums import PublicationAction, TeamRole
from publications.models import (
    Membership,
    Publication,
    PublicationChange,
    PublicationStyle,
    PublicationUpload,
    Topic,
)
from publications.permissions import can
from publications.selectors import style_of
from tests.factories import MembershipFactory, RecommendationFactory, TopicFactory
from tests.factories.publications import png_bytes

pytestmark = pytest.mark.django_db


# ================================================================ teams


def test_grant_role_by_admin_makes_reviewer_then_editor(
    publication: Publication, contributor: Any, admin_user: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication)
    assert not can(contributor, "recommendations.review_recommendation", recommendation)

    outcome = services.grant_role(
        contributor, role=TeamRole.REVIEWER, publication=publication, by=admin_user
    )
    assert outcome == "contributor is now reviewer of pretraining-weekly."
    assert can(contributor, "recommendations.review_recommendation", recommendation)
    assert not can(contributor, "recommendations.accept_recommendation", recommendation)

    services.grant_role(contributor, role=TeamRole.EDITOR, publication=publication, by=admin_user)
    assert list(Membership.objects.values_list("user", "publication", "role")) == [
        (contributor.pk, publication.pk, TeamRole.EDITOR)
    ]
    assert can(contributor, "recommendations.accept_recommendation", recommendation)


def test_grant_role_contributor_removes_team_role_and_reactivates(
    publication: Publication, editor: Any
) -> None:
    editor.is_active = False
    editor.save()
    outcome = services.grant_role(editor, role=services.CONTRIBUTOR, publication=publication)
    assert outcome == "editor is a contributor of pretraining-weekly (team role removed)."
    editor.refresh_from_db()
    assert editor.is_active is True
    assert not Membership.objects.exists()


def test_grant_role_contributor_without_publication_keeps_team_roles(editor: Any) -> None:
    outcome = services.grant_role(editor, role=services.CONTRIBUTOR, publication=None)
    assert outcome == "editor is a contributor."
    assert Membership.objects.count() == 1


@pytest.mark.parametrize("who", ["editor", "reviewer", "contributor"])
def test_grant_role_by_non_admin_is_not_allowed(
    publication: Publication, other_contributor: Any, who: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(NotAllowed) as refused:
        services.grant_role(
            other_contributor,
            role=TeamRole.EDITOR,
            publication=publication,
            by=request.getfixturevalue(who),
        )
    assert refused.value.capability == "publications.manage_team"
    assert not Membership.objects.filter(user=other_contributor).exists()


@pytest.mark.parametrize(
    ("role", "with_publication", "field"),
    [("overlord", True, "role"), (TeamRole.REVIEWER, False, "publication")],
)
def test_grant_role_invalid_is_refused(
    publication: Publication, contributor: Any, role: str, with_publication: bool, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.grant_role(
            contributor, role=role, publication=publication if with_publication else None
        )
    assert refused.value.field == field
    assert not Membership.objects.exists()


def test_create_publication_refuses_bad_slug() -> None:
    with pytest.raises(InvalidInput) as refused:
        services.create_publication(slug="not a slug", name="X")
    assert refused.value.field == "slug"
    assert not Publication.objects.exists()


def test_create_publication_strips_names() -> None:
    publication = services.create_publication(
        slug="nlp-weekly", name=" NLP Weekly ", name_zh=" 自然语言处理周刊 "
    )
    assert (publication.name, publication.name_zh) == ("NLP Weekly", "自然语言处理周刊")
    assert Publication.objects.get().slug == "nlp-weekly"


# ================================================================ style


def test_set_publication_style_stores_the_values_and_audits_the_fields(
    publication: Publication, editor: Any
) -> None:
    row = services.set_publication_style(
        publication,
        by=editor,
        author_style="first_last",
        authors_shown="2",
        authors_more=" 等",
        link_order="aminer, arxiv",
        credit_template="(本期贡献者:{names})\r\n",
    )
    stored = PublicationStyle.objects.get(publication=publication)
    assert (stored.author_style, stored.authors_shown, stored.authors_more) == (
        "first_last",
        2,
        " 等",
    )
    assert stored.link_sources == ["aminer", "arxiv"]
    assert stored.credit_template == "(本期贡献者:{names})"
    assert row.pk == stored.pk
    change = PublicationChange.objects.get(publication=publication)
    assert (change.actor, change.action) == (editor, "edit_style")
    assert (
        change.note == "Changed: authors shown, how many authors, et al., paper link, credit line"
    )


def test_set_publication_style_stores_how_many_institutions_are_shown(
    publication: Publication, editor: Any
) -> None:
    assert style_of(publication).institutions_shown == 3
    services.set_publication_style(publication, by=editor, institutions_shown="2")
    assert PublicationStyle.objects.get(publication=publication).institutions_shown == 2
    change = PublicationChange.objects.get(publication=publication)
    assert change.note == "Changed: how many institutions"


def test_set_publication_style_with_nothing_changed_writes_nothing(
    publication: Publication, editor: Any
) -> None:
    services.set_publication_style(
        publication, by=editor, authors_shown=3, sections="about,papers,news,closing"
    )
    assert not PublicationStyle.objects.exists()
    assert not PublicationChange.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"intro_template_zh": "本期{paper}篇"},
            "intro_template_zh",
            "Introduction (Chinese): Unknown placeholder {paper}: use {papers}, {papers_word}, "
            "{subjects}, {news}, {news_word}, {news_titles}, {news_subjects}.",
        ),
        ({"credit_template": "Thanks!"}, "credit_template", "must name the contributors"),
        ({"sections": "about, papers, ads"}, "sections", "List the sections once each"),
        ({"link_order": "scholar"}, "link_order", "List the link's sources once each"),
        ({"authors_shown": 0}, "authors_shown", "Show between 1 and 50 authors."),
        ({"institutions_shown": 51}, "institutions_shown", "Show between 1 and 50 institutions."),
        ({"institutions_shown": "x"}, "institutions_shown", "Show between 1 and 50 institutions."),
        ({"author_style": "all"}, "author_style", "Choose how authors are shown"),
        ({"colour": "red"}, None, "These fields cannot be edited: colour."),
    ],
)
def test_set_publication_style_refuses_bad_values_and_keeps_the_style(
    publication: Publication, editor: Any, fields: dict[str, Any], field: str | None, message: str
) -> None:
    services.set_publication_style(publication, by=editor, authors_shown=2)
    with pytest.raises(InvalidInput) as raised:
        services.set_publication_style(publication, by=editor, closing="Bye", **fields)
    assert message in raised.value.message
    assert raised.value.field == field
    stored = PublicationStyle.objects.get(publication=publication)
    assert (stored.authors_shown, stored.closing) == (2, "")
    assert PublicationChange.objects.count() == 1


def test_set_publication_style_refuses_reviewers_and_other_editors(
    publication: Publication, other_publication: Publication, reviewer: Any, editor: Any
) -> None:
    for actor, target in ((reviewer, publication), (editor, other_publication)):
        with pytest.raises(NotAllowed, match="Only editors of this publication"):
            services.set_publication_style(target, by=actor, authors_shown=2)
    assert not PublicationStyle.objects.exists()


def test_style_of_gives_the_defaults_before_any_is_set(publication: Publication) -> None:
    default = style_of(publication)
    assert default.pk is None or not PublicationStyle.objects.exists()
    assert (default.authors_shown, default.link_sources) == (3, ["arxiv", "aminer", "doi"])


# ================================================================ uploads


def test_upload_publication_image_keeps_it_under_a_name_of_ours(
    publication: Publication, editor: Any, settings: Any
) -> None:
    data = png_bytes(3, 5)
    upload = services.upload_publication_image(
        publication, by=editor, data=data, name="../../etc/passwd.png"
    )
    stored = PublicationUpload.objects.get()
    assert stored.file.name == f"publications/{publication.pk}/{upload.token}.png"
    assert (stored.content_type, stored.width, stored.height, stored.size) == (
        "image/png",
        3,
        5,
        len(data),
    )
    assert stored.name == "passwd.png"
    with stored.file.open("rb") as handle:
        assert handle.read() == data
    assert PublicationChange.objects.get().action == "upload"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"<svg onload=alert(1)>", "Upload a PNG, JPEG or GIF image."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 4, "Upload a PNG, JPEG or GIF image."),
        (png_bytes(5000, 2), "at most 4096 pixels"),
        (png_bytes() + b"\x00" * 600_000, "The image is too large: at most 512 KB."),
    ],
)
def test_upload_publication_image_refuses_what_is_no_image_and_stores_nothing(
    publication: Publication, editor: Any, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        services.upload_publication_image(publication, by=editor, data=data, name="x.png")
    assert not PublicationUpload.objects.exists()
    assert not PublicationChange.objects.exists()


def test_upload_publication_image_refuses_reviewers(
    publication: Publication, reviewer: Any
) -> None:
    with pytest.raises(NotAllowed):
        services.upload_publication_image(publication, by=reviewer, data=png_bytes())
    assert not PublicationUpload.objects.exists()


def test_delete_publication_image_removes_the_row_and_the_file(
    publication: Publication, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    upload = services.upload_publication_image(publication, by=editor, data=png_bytes())
    storage, name = upload.file.storage, upload.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_publication_image(upload, by=editor)
    assert not PublicationUpload.objects.exists()
    assert not storage.exists(name)
    assert [c.action for c in PublicationChange.objects.order_by("id")] == [
        "upload",
        "delete_upload",
    ]


# ================================================================ topics


def _changes(publication: Publication) -> list[tuple[str, str]]:
    return list(
        PublicationChange.objects.filter(publication=publication)
        .order_by("pk")
        .values_list("action", "note")
    )


def test_create_topic_adds_it_last_in_the_publication_and_audits_it(
    publication: Publication, editor: Any
) -> None:
    first = services.create_topic(
        publication, by=editor, slug="retrieval", name_en=" Retrieval ", name_zh="检索"
    )
    second = services.create_topic(
        publication,
        by=editor,
        slug="agents",
        name_en="Agents",
        description="Models that act.\r\nTools too.  ",
    )

    assert (first.publication, first.name_en, first.name_zh, first.position) == (
        publication,
        "Retrieval",
        "检索",
        10,
    )
    assert (second.position, second.description) == (20, "Models that act.\nTools too.")
    assert _changes(publication) == [
        (PublicationAction.CREATE_TOPIC, "Created retrieval"),
        (PublicationAction.CREATE_TOPIC, "Created agents"),
    ]


def test_create_topic_takes_a_slug_another_publication_has(
    publication: Publication, other_publication: Publication, editor: Any
) -> None:
    TopicFactory(publication=other_publication, slug="agents")

    topic = services.create_topic(publication, by=editor, slug="agents", name_en="Agents")

    assert Topic.objects.filter(slug="agents").count() == 2
    assert topic.publication == publication


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"slug": "agents"}, "slug", "This publication has a topic “agents” already."),
        ({"slug": "two words"}, "slug", "letters, digits, hyphens and underscores only"),
        ({"slug": ""}, "slug", "letters, digits, hyphens and underscores only"),
        ({"name_en": "  "}, "name_en", "Give the topic an English name."),
        ({"name_zh": "长" * 101}, "name_zh", "Chinese name: at most 100 characters."),
        ({"position": -1}, "position", "The position is a whole number from 0 to 32767."),
        ({"position": "first"}, "position", "The position is a whole number from 0 to 32767."),
    ],
)
def test_create_topic_refuses_bad_values_and_writes_nothing(
    publication: Publication, editor: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    TopicFactory(publication=publication, slug="agents")
    given = {"slug": "new", "name_en": "New", **fields}

    with pytest.raises(InvalidInput, match=message) as refused:
        services.create_topic(publication, by=editor, **given)

    assert refused.value.field == field
    assert Topic.objects.count() == 1
    assert not PublicationChange.objects.exists()


def test_topics_are_managed_by_the_editors_of_their_publication_only(
    publication: Publication, other_publication: Publication, reviewer: Any, editor: Any
) -> None:
    other_editor = MembershipFactory(publication=other_publication, role=TeamRole.EDITOR).user
    topic = TopicFactory(publication=publication)
    message = "Only editors of this publication may manage its topics."

    for user in (reviewer, other_editor):
        with pytest.raises(NotAllowed, match=message):
            services.create_topic(publication, by=user, slug="x", name_en="X")
        with pytest.raises(NotAllowed, match=message):
            services.update_topic(topic, by=user, name_en="Changed")
        with pytest.raises(NotAllowed, match=message):
            services.delete_topic(topic, by=user)
    assert Topic.objects.count() == 1
    assert not PublicationChange.objects.exists()


def test_update_topic_changes_the_fields_and_names_them(
    publication: Publication, editor: Any
) -> None:
    topic = TopicFactory(publication=publication, slug="rl", name_en="RL", name_zh="强化")

    services.update_topic(topic, by=editor, slug="rl", name_en="Reinforcement learning")
    services.update_topic(topic, by=editor, name_en="Reinforcement learning", name_zh="强化")

    topic.refresh_from_db()
    assert topic.name_en == "Reinforcement learning"
    assert _changes(publication) == [(PublicationAction.EDIT_TOPIC, "Changed rl: English name")]


def test_update_topic_position_alone_reorders(publication: Publication, editor: Any) -> None:
    first = TopicFactory(publication=publication, slug="a", name_en="A", position=10)
    second = TopicFactory(publication=publication, slug="b", name_en="B", position=20)

    services.update_topic(second, by=editor, position=5)

    assert list(Topic.objects.filter(publication=publication)) == [second, first]
    assert _changes(publication) == [(PublicationAction.REORDER_TOPICS, "Changed b: position")]


def test_update_topic_refuses_a_slug_of_another_topic_of_the_publication(
    publication: Publication, editor: Any
) -> None:
    TopicFactory(publication=publication, slug="taken")
    topic = TopicFactory(publication=publication, slug="mine")

    with pytest.raises(InvalidInput, match="“taken” already") as refused:
        services.update_topic(topic, by=editor, slug="taken")

    assert refused.value.field == "slug"
    topic.refresh_from_db()
    assert topic.slug == "mine"


def test_delete_topic_removes_an_unused_topic_and_audits_it(
    publication: Publication, editor: Any
) -> None:
    topic = TopicFactory(publication=publication, slug="unused", name_en="Unused")

    services.delete_topic(topic, by=editor)

    assert not Topic.objects.exists()
    assert _changes(publication) == [(PublicationAction.DELETE_TOPIC, "Deleted unused (Unused)")]


def test_delete_topic_is_refused_while_recommendations_use_it(
    publication: Publication, editor: Any
) -> None:
    topic = TopicFactory(publication=publication)
    RecommendationFactory.create_batch(2, publication=publication, topic=topic)

    with pytest.raises(InvalidTransition, match="2 recommendations use this topic"):
        services.delete_topic(topic, by=editor)
    assert Topic.objects.get() == topic
    assert not PublicationChange.objects.exists()

    RecommendationFactory(publication=publication, topic=TopicFactory(publication=publication))
    single = Topic.objects.exclude(pk=topic.pk).get()
    with pytest.raises(InvalidTransition, match=r"^1 recommendation uses this topic"):
        services.delete_topic(single, by=editor)
