"""Tests of publications.services: publications and team roles."""

from __future__ import annotations

from typing import Any

import pytest

from common.exceptions import InvalidInput, NotAllowed
from publications import services
from publications.enums import TeamRole
from publications.models import Membership, Publication
from publications.permissions import can
from tests.factories import RecommendationFactory

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
