"""Tests of publications.services: publications, team roles, style and uploads."""

from __future__ import annotations

from typing import Any

import pytest

from common.exceptions import InvalidInput, NotAllowed
from publications import services
from publications.enums import TeamRole
from publications.models import (
    Membership,
    Publication,
    PublicationChange,
    PublicationStyle,
    PublicationUpload,
)
from publications.permissions import can
from publications.selectors import style_of
from tests.factories import RecommendationFactory
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
