"""The operator commands: create_publication, grant_role, import_issue."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from issues.models import Issue
from publications.enums import TeamRole
from publications.models import Membership, Publication
from tests.examples import EXAMPLE, needs_example
from tests.factories import PublicationFactory

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


# --- import_issue -------------------------------------------------------------------------------


@needs_example
def test_import_issue_dry_run_prints_entries_and_doubts_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    publication = PublicationFactory(slug="past")
    call_command(
        "import_issue", str(EXAMPLE), "--publication", "past", "--number", "3", "--dry-run"
    )
    out = capsys.readouterr().out
    assert " 14. [papers]" in out
    assert "doubt (line 67)" in out
    assert "616d31ee6750f82ddab676a" in out
    assert "cannot import: The text gives no date" in out
    assert not Issue.objects.filter(publication=publication).exists()


@needs_example
def test_import_issue_imports_a_folder_numbering_on_with_a_progress_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publication = PublicationFactory(slug="past")
    text = EXAMPLE.read_text(encoding="utf-8")
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(text, encoding="utf-8")
    second.write_text(text.replace("有效扩展", "有效扩展二", 1), encoding="utf-8")
    args = ["import_issue", str(first), str(second), "--publication", "past"]
    call_command(*args, "--number", "5", "--date", "2021-10-24")
    captured = capsys.readouterr()
    assert "Importing: 2/2 (100%)" in captured.err
    assert "2 imported, 0 unchanged, 0 not imported." in captured.out
    numbers = Issue.objects.filter(publication=publication).values_list("number", flat=True)
    assert sorted(numbers) == [5, 6]

    call_command(*args, "--date", "2021-10-24")
    assert "0 imported, 2 unchanged" in capsys.readouterr().out


def test_import_issue_unknown_publication_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="No publication 'nope'"):
        call_command("import_issue", str(EXAMPLE), "--publication", "nope")
