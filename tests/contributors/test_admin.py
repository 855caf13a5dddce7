"""The member admin: the public profile shown and searchable."""

from __future__ import annotations

from typing import Any

import pytest

from tests.admin_site import _url

pytestmark = pytest.mark.django_db


# --- members and teams --------------------------------------------------------------------------


def test_user_admin_shows_and_searches_the_public_profile(admin_client: Any, site: Any) -> None:
    from contributors.models import User

    response = admin_client.get(_url(User, "changelist"), {"q": "张三"})
    assert response.context["cl"].result_count == 1
    assert "张三" in response.content.decode()
    html = admin_client.get(_url(User, "change", site.contributor.pk)).content.decode()
    for name in ("display_name", "affiliation", "bio", "homepage_url", "github_username", "orcid"):
        assert f'name="{name}"' in html
    assert 'name="notify_by_email"' in html


# --- API tokens -----------------------------------------------------------------------------------


def test_token_admin_shows_a_prefix_never_the_key(admin_client: Any) -> None:
    from django.contrib.admin.models import LogEntry

    from contributors import services
    from contributors.models import ApiToken
    from tests.factories import UserFactory

    member = UserFactory(username="tokenholder")
    key = services.get_api_token(member).key

    listing = admin_client.get(_url(ApiToken, "changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f"{key[:6]}…" in html
    assert key not in html
    change = admin_client.get(_url(ApiToken, "change", member.pk)).content.decode()
    assert key not in change
    confirm = admin_client.get(_url(ApiToken, "delete", member.pk)).content.decode()
    assert key not in confirm

    # Revoking it from the admin: gone, and neither the message nor the admin's log holds it.
    done = admin_client.post(_url(ApiToken, "delete", member.pk), {"post": "yes"}, follow=True)
    assert key not in done.content.decode()
    assert not ApiToken.objects.filter(user=member).exists()
    entry = LogEntry.objects.get()
    assert entry.object_repr == f"{key[:6]}… ({member.public_name})"


def test_drf_s_token_page_is_not_registered(admin_client: Any) -> None:
    from django.contrib import admin
    from rest_framework.authtoken.models import TokenProxy

    assert not admin.site.is_registered(TokenProxy)


def test_user_admin_lifts_a_log_in_lockout(admin_client: Any, settings: Any) -> None:
    from contributors import lockout
    from contributors.models import User
    from tests.admin_site import _action, _messages
    from tests.factories import UserFactory

    settings.LOGIN_FAILURE_LIMIT = 2
    member = UserFactory(username="lockedout")
    for _ in range(2):
        lockout.authenticate_member(None, username="lockedout", password="wrong")
    assert lockout.seconds_locked("lockedout") > 0

    response = _action(admin_client, User, "unlock_login", [member])

    assert response.status_code == 302
    assert lockout.seconds_locked("lockedout") == 0
    assert (25, "Log-in lockout lifted for 1 member.") in _messages(response)
