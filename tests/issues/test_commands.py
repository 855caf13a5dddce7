"""The operator commands: create_publication, grant_role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from publications.enums import TeamRole
from publications.models import Membership, Publication

pytestmark = pytest.mark.django_db


def _user(username: str = "alice", **extra: object) -> object:
    return get_user_model().objects.create_user(username=username, password="pw-for-tests", **extra)


def test_create_publication_creates_with_both_names(capsys: pytest.CaptureFixture[str]) -> None:
    call_command(
        "create_publication", "rl-weekly", "--name", "RL Weekly", "--name-zh", "强化学习周刊"
    )
    publication = Publication.objects.get(slug="rl-weekly")
    assert (publication.name, publication.name_zh) == ("RL Weekly", "强化学习周刊")
    assert "Created publication rl-weekly." in capsys.readouterr().out


def test_create_publication_duplicate_slug_is_a_clear_error() -> None:
    call_command("create_publication", "rl-weekly", "--name", "RL Weekly")
    with pytest.raises(CommandError, match="slug"):
        call_command("create_publication", "rl-weekly", "--name", "Another")
    assert Publication.objects.get(slug="rl-weekly").name == "RL Weekly"


def test_create_publication_bad_slug_is_refused() -> None:
    with pytest.raises(CommandError, match="slug"):
        call_command("create_publication", "not a slug!", "--name", "X")
    assert not Publication.objects.exists()


@pytest.mark.parametrize("role", [TeamRole.REVIEWER, TeamRole.EDITOR])
def test_grant_role_team_role_with_publication(role: str) -> None:
    user = _user()
    publication = Publication.objects.create(slug="pw", name="PW")
    Publication.objects.create(slug="other", name="Other")
    call_command("grant_role", "alice", role, "--publication", "pw")
    membership = Membership.objects.get(user=user)
    assert (membership.publication, membership.role) == (publication, role)


def test_grant_role_changes_an_existing_role() -> None:
    user = _user()
    Publication.objects.create(slug="pw", name="PW")
    call_command("grant_role", "alice", "reviewer", "--publication", "pw")
    call_command("grant_role", "alice", "editor", "--publication", "pw")
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == ["editor"]


def test_grant_role_without_publication_uses_the_only_one() -> None:
    user = _user()
    publication = Publication.objects.create(slug="pw", name="PW")
    call_command("grant_role", "alice", "editor")
    assert Membership.objects.get(user=user).publication == publication


def test_grant_role_without_publication_when_several_is_refused() -> None:
    _user()
    Publication.objects.create(slug="a", name="A")
    Publication.objects.create(slug="b", name="B")
    with pytest.raises(CommandError, match="several publications"):
        call_command("grant_role", "alice", "editor")
    assert not Membership.objects.exists()


def test_grant_role_contributor_removes_team_role_and_activates() -> None:
    user = _user(is_active=False)
    Publication.objects.create(slug="pw", name="PW")
    Membership.objects.create(user=user, publication_id=Publication.objects.get().pk, role="editor")
    call_command("grant_role", "alice", "contributor", "--publication", "pw")
    user.refresh_from_db()
    assert user.is_active is True
    assert not Membership.objects.filter(user=user).exists()


def test_grant_role_unknown_user_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="No member is called 'nobody'"):
        call_command("grant_role", "nobody", "reviewer")


def test_grant_role_unknown_publication_names_the_known_ones() -> None:
    _user()
    Publication.objects.create(slug="pw", name="PW")
    with pytest.raises(CommandError, match="Known publications: pw"):
        call_command("grant_role", "alice", "editor", "--publication", "nope")


def test_grant_role_unknown_role_is_refused() -> None:
    _user()
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("grant_role", "alice", "overlord")
