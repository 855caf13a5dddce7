"""contributors.services: lifting a log-in lockout, by the operator's command and the admin."""

from __future__ import annotations

import logging
from io import StringIO
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from common.exceptions import NotAllowed
from contributors import lockout, services
from tests.factories import UserFactory
from tests.factories.contributors import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(settings: Any) -> Any:
    """A member whose name met three failed log-ins, the limit."""
    settings.LOGIN_FAILURE_LIMIT = 3
    member = UserFactory(username="forgetful")
    for _ in range(3):
        assert lockout.authenticate_member(None, username="forgetful", password="wrong") is None
    with pytest.raises(lockout.LoginLocked):
        lockout.authenticate_member(None, username="forgetful", password=TEST_PASSWORD)
    return member


def test_unlock_login_lets_the_member_in_at_once(locked: Any, caplog: Any) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    with caplog.at_level(logging.INFO, logger="weekly.security"):
        remaining = services.unlock_login(locked, by=admin)

    assert 0 < remaining <= 900
    assert lockout.seconds_locked("forgetful") == 0
    user = lockout.authenticate_member(None, username="forgetful", password=TEST_PASSWORD)
    assert user == locked
    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id) == (admin, str(locked.pk))
    assert entry.change_message.startswith("Lifted the log-in lockout (")
    assert f"log-in lockout of forgetful lifted by {admin.username}" in caplog.text


def test_unlock_login_is_refused_to_staff_who_may_not_change_members(locked: Any) -> None:
    with pytest.raises(NotAllowed):
        services.unlock_login(locked, by=UserFactory(is_staff=True))
    assert lockout.seconds_locked("forgetful") > 0
    assert not LogEntry.objects.exists()


def test_unlock_login_command_names_what_it_did(locked: Any) -> None:
    bystander = UserFactory(username="fine")
    out = StringIO()
    call_command("unlock_login", "forgetful", "fine", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("forgetful: unlocked (")
    assert lines[1] == "fine: was not locked out; failed log-ins cleared."
    assert lockout.seconds_locked("forgetful") == 0
    assert lockout.seconds_locked(bystander.username) == 0


def test_unlock_login_command_refuses_unknown_names_and_unlocks_none(locked: Any) -> None:
    with pytest.raises(CommandError, match="No member is called 'nobody'"):
        call_command("unlock_login", "forgetful", "nobody", stdout=StringIO())
    assert lockout.seconds_locked("forgetful") > 0
