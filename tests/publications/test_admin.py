"""The publication admin: teams granted by administrators only, and what protects a
publication from deletion."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission

from issues.models import Issue
from publications.enums import TeamRole
from publications.models import Membership, Publication, Topic
from publications.services import create_publication
from tests.admin_site import _url

pytestmark = pytest.mark.django_db


def test_publication_admin_with_issues_cannot_be_deleted(admin_client: Any, site: Any) -> None:
    assert admin_client.get(_url(Publication, "delete", site.publication.pk)).status_code == 403
    empty = create_publication(slug="empty", name="Empty Weekly")
    response = admin_client.post(_url(Publication, "delete", empty.pk), {"post": "yes"})
    assert response.status_code == 302
    assert list(Publication.objects.values_list("slug", flat=True)) == ["pretraining-weekly"]


def test_admin_team_roles_and_issues_follow_the_capabilities(
    client: Any, site: Any, other_publication: Publication
) -> None:
    """A staff editor with every Django permission still may not grant roles, and creates issues
    only for the publication they edit."""
    from tests.factories import UserFactory

    staff = UserFactory(username="staff-editor", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="issues"))
    Membership.objects.create(publication=site.publication, user=staff, role=TeamRole.EDITOR)
    client.force_login(staff)
    assert client.get(_url(Membership, "add")).status_code == 403
    response = client.get(_url(Issue, "add"))
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["publication"].queryset
    assert list(choices) == [site.publication]
    assert client.get(_url(Issue, "change", site.draft.pk)).context["title"] == "Change issue"


def test_topic_admin_shows_and_filters_by_publication(
    admin_client: Any, site: Any, other_publication: Publication
) -> None:
    from tests.factories import TopicFactory

    TopicFactory(publication=other_publication, slug="elsewhere", name_en="Elsewhere")
    url = _url(Topic, "changelist")

    response = admin_client.get(url, {"publication__id__exact": other_publication.pk})

    assert response.status_code == 200
    assert [topic.slug for topic in response.context["cl"].result_list] == ["elsewhere"]
    assert "publication" in response.context["cl"].list_display
