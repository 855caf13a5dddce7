"""A reader in a real browser: the home page, an issue, a paper, the language switch, a phone's
width, the keyboard, and the newsletter's double opt-in.

Every test runs against the live server with the local arXiv stand-in; the ``page`` fixture also
fails a test whose pages logged a console error or asked any host but the live server.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from newsletter.enums import SubscriberStatus
from newsletter.models import Subscriber
from tests.browser.helpers import (
    PAPERS,
    Seeded,
    horizontal_overflow,
    language_of,
    log_in_with_form,
    login,
    switch_language,
    use_language,
)
from tests.factories import UserFactory
from tests.languages import in_chinese

pytestmark = pytest.mark.browser


def issue_heading(page: Any) -> Any:
    return page.get_by_role("heading", level=1)


def test_a_reader_clicks_from_the_home_page_to_this_weeks_issue(
    page: Any, seeded: Seeded, arxiv: Any
) -> None:
    # The papers' metadata came from the stand-in, through the fetch task.
    assert {i for request in arxiv.requests for i in request.ids} >= {p[0] for p in PAPERS}

    page.goto("/")
    # The teaser's link: "Issue 1" and the title, as two spans of one link.
    link = page.locator(".issue-line").get_by_role("link")
    assert re.fullmatch(r"Issue 1\s+Small models, long contexts", link.inner_text())
    link.click()

    page.wait_for_url(re.compile(re.escape(seeded.issue.get_absolute_url()) + "$"))
    assert issue_heading(page).inner_text() == "Small models, long contexts"
    for title in seeded.paper_titles:
        assert page.get_by_role("link", name=title).is_visible()
    assert page.get_by_text("小模型的课程式预训练").is_visible()
    assert page.get_by_text("This week: two papers.").is_visible()
    # The tab names the issue first, then its publication and number.
    assert page.title() == "Small models, long contexts · Browser Weekly · Issue 1"


def test_the_paper_page_leads_back_to_the_issue_it_appeared_in(page: Any, seeded: Seeded) -> None:
    paper = seeded.issue.entries.first().recommendation.paper

    page.goto(reverse("papers:paper-detail", args=[paper.pk]))
    assert issue_heading(page).inner_text() == paper.title
    assert page.get_by_text("Ada Lovelace").first.is_visible()
    # The "featured in" link, whatever its wording: the one to the issue's address.
    page.locator(f'main a[href="{seeded.issue.get_absolute_url()}"]').first.click()

    page.wait_for_url(re.compile(re.escape(seeded.issue.get_absolute_url()) + "$"))
    assert issue_heading(page).inner_text() == "Small models, long contexts"


def test_the_language_switch_is_remembered_on_the_next_pages(page: Any, seeded: Seeded) -> None:
    page.goto(seeded.issue.get_absolute_url())
    assert language_of(page) == "en"
    current = page.locator("header form.language button[aria-current='true']")
    assert current.inner_text() == "English"

    switch_language(page, "中文")

    # Back on the same page, at its Chinese address, and the button says so.
    assert page.url.endswith(in_chinese(seeded.issue.get_absolute_url()))
    assert language_of(page) == "zh-hans"
    assert current.inner_text() == "中文"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get(settings.LANGUAGE_COOKIE_NAME) == "zh-hans"

    # The choice holds on the next page, reached by a link.
    page.locator("header a.brand").click()
    page.wait_for_url(re.compile(r"/$"))
    assert language_of(page) == "zh-hans"
    assert current.inner_text() == "中文"

    switch_language(page, "English")
    assert language_of(page) == "en"
    assert current.inner_text() == "English"


def test_a_reader_in_chinese_sees_the_chinese_names_of_the_issue(page: Any, seeded: Seeded) -> None:
    use_language(page, "zh-hans")
    # The address without a language leads to the cookie's.
    page.goto("/" + seeded.issue.get_absolute_url().removeprefix("/en/"))

    assert page.url.endswith(in_chinese(seeded.issue.get_absolute_url()))
    assert language_of(page) == "zh-hans"
    # The data's Chinese names, and the interface's own words in Chinese.
    assert page.locator(".issue-header .kicker").get_by_text("浏览器周刊").is_visible()
    assert page.title().startswith("Small models, long contexts · 浏览器周刊")
    assert page.get_by_role("heading", name="带走这一期").is_visible()
    assert page.get_by_text("Take this issue with you").count() == 0
    assert page.get_by_text("小模型的课程式预训练").is_visible()
    for title in seeded.paper_titles:
        assert page.get_by_role("link", name=title).is_visible()


def test_no_reader_page_scrolls_sideways_on_a_375_px_phone(
    open_page: Any, seeded: Seeded, browser_log: Any
) -> None:
    phone = open_page(width=375, height=740)
    paper = seeded.issue.entries.first().recommendation.paper
    slug = seeded.publication.slug
    for url in [
        "/",
        reverse("issues:publication-detail", args=[slug]),
        seeded.issue.get_absolute_url(),
        reverse("papers:paper-detail", args=[paper.pk]),
        reverse("newsletter:subscribe", args=[slug]),
    ]:
        phone.goto(url)
        assert phone.evaluate("() => window.innerWidth") == 375
        assert horizontal_overflow(phone) == 0, f"{url} scrolls sideways at 375 px"
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    browser_log.assert_clean()


def test_the_keyboard_reaches_the_issue_link_and_opens_it(page: Any, seeded: Seeded) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.tagName") == "A"

    target = seeded.issue.get_absolute_url()
    for _ in range(20):
        if page.evaluate("() => document.activeElement.getAttribute('href')") == target:
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"twenty presses of Tab never reached the link to {target}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(target)
    assert issue_heading(page).inner_text() == "Small models, long contexts"


def test_a_reader_subscribes_to_the_newsletter_and_confirms(page: Any, seeded: Seeded) -> None:
    page.goto("/")
    page.get_by_role("link", name="Browser Weekly").click()
    page.get_by_label("Your e-mail address").fill("reader@example.org")
    page.get_by_role("button", name="Subscribe").click()

    status = page.get_by_role("status")
    assert "Check your inbox" in status.inner_text()
    assert "reader@example.org" in status.inner_text()
    subscriber = Subscriber.objects.get(email="reader@example.org")
    assert subscriber.status == SubscriberStatus.PENDING

    # The mail's confirmation link leads to this site, to a page whose button confirms.
    (message,) = [m for m in mail.outbox if m.to == ["reader@example.org"]]
    link = re.search(
        re.escape(page.url.split("/en/p/")[0]) + r"/en/newsletter/confirm/\S+/", message.body
    )
    assert link, message.body
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm my subscription").click()
    assert "now receives Browser Weekly" in page.get_by_role("status").inner_text()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_pages_load_our_css_and_htmx_and_nothing_from_elsewhere(
    page: Any, seeded: Seeded, browser_log: Any
) -> None:
    page.goto(seeded.issue.get_absolute_url())
    page.wait_for_load_state("load")

    static = [url for url in browser_log.requests if "/static/" in url]
    assert any(url.endswith("/static/weekly/weekly.css") for url in static), static
    assert any("/static/weekly/vendor/htmx-" in url for url in static), static
    # The stylesheet applies (the header's rule), and htmx is running.
    assert (
        page.locator("header.site-header").evaluate("el => getComputedStyle(el).borderBottomStyle")
        == "solid"
    )
    assert page.evaluate("() => typeof window.htmx") == "object"
    browser_log.assert_clean()


def test_the_login_helpers_sign_a_member_in(open_page: Any, seeded: Seeded) -> None:
    by_cookie = open_page()
    login(by_cookie, seeded.contributor)
    by_cookie.goto("/")
    assert by_cookie.locator("header .who").inner_text() == "Contributor Chen"

    # The form helper types into the login page (today the admin's, which takes staff only).
    UserFactory(username="browser-staff", display_name="Staff Member", is_staff=True)
    by_form = open_page()
    log_in_with_form(by_form, "browser-staff")
    by_form.goto("/")
    assert by_form.locator("header .who").inner_text() == "Staff Member"
