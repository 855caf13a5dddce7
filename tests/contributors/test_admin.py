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
