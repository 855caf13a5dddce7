"""The site's header for a signed-in member of every role, in a real browser (issue 23): one row
at 1280 px in both languages, compact on a 375 px phone, and the member's own links (profile,
API token, admin, log-out) in an account menu that opens without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from publications.enums import TeamRole
from publications.services import create_publication, grant_role
from tests.browser.helpers import horizontal_overflow, login, use_language
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_editor(site: str) -> Any:
    """A member who holds every role, so the header shows every link it can."""
    publication = create_publication(slug="head-weekly", name="Header Weekly", name_zh="页眉周刊")
    other = create_publication(slug="other-weekly", name="Other Weekly", name_zh="另一周刊")
    user = UserFactory(
        username="head-editor", display_name="Alexandra Konstantinopoulou", is_staff=True
    )
    grant_role(user, role=TeamRole.EDITOR, publication=publication)
    grant_role(user, role=TeamRole.REVIEWER, publication=other)
    return user


def _header_height(page: Any) -> float:
    return page.locator("header.site-header").evaluate("e => e.getBoundingClientRect().height")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_signed_in_header_is_one_row_at_1280_px(
    page: Any, staff_editor: Any, language: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    use_language(page, language)
    login(page, staff_editor)
    page.goto(reverse("issues:home"))
    brand = page.locator("header .brand").bounding_box()
    language_form = page.locator("header form.language").bounding_box()
    # The brand and the language switch, at the two ends, share one row.
    assert (
        abs(brand["y"] + brand["height"] / 2 - (language_form["y"] + language_form["height"] / 2))
        < 12
    )
    assert _header_height(page) < 70


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_signed_in_header_is_compact_on_a_phone(
    page: Any, staff_editor: Any, language: str
) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    use_language(page, language)
    login(page, staff_editor)
    page.goto(reverse("issues:home"))
    assert _header_height(page) <= 140
    assert horizontal_overflow(page) == 0


def test_the_account_menu_opens_and_logs_out(page: Any, staff_editor: Any) -> None:
    login(page, staff_editor)
    page.goto(reverse("issues:home"))
    menu = page.locator("header details.account")
    token = menu.locator(f'a[href="{reverse("contributors:token")}"]')
    assert not token.is_visible()
    menu.locator("summary").click()
    assert token.is_visible()
    assert menu.locator(f'a[href="{reverse("admin:index")}"]').is_visible()
    menu.locator("form.logout button").click()
    page.locator(f'header a[href^="{reverse("contributors:login")}"]').wait_for()
