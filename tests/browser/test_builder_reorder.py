"""Reordering an issue's entries in the builder, in a real browser (issue 25).

An editor with fourteen papers and two news items in a draft drags the last paper to the top,
then moves entries with the keyboard alone, and with the Move buttons: each put-down is one
request, the page never reloads, and the stored order follows. A refused order (another editor
took an entry out meanwhile) puts the entries back and says why. Without JavaScript the Move
buttons post their forms as before and bring the editor back to the moved entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.enums import Section
from issues.models import Issue, IssueEntry
from issues.services import create_issue, schedule_recommendation, unschedule_recommendation
from publications.enums import TeamRole
from publications.services import create_publication, grant_role
from recommendations.enums import RecommendationStatus
from tests.browser.helpers import login
from tests.factories import PaperFactory, RecommendationFactory, UserFactory

pytestmark = pytest.mark.browser

PAPERS = 14


@dataclass
class Desk:
    issue: Issue
    editor: Any
    builder: str
    reorder: str

    def order(self, section: str = Section.PAPERS) -> list[int]:
        entries = IssueEntry.objects.filter(issue=self.issue, section=section)
        return list(entries.order_by("position").values_list("pk", flat=True))


@pytest.fixture
def desk(site: str) -> Desk:
    """A draft of fourteen papers ("Paper 01" to "Paper 14", in that order) and two news items,
    made through the services, and its editor."""
    publication = create_publication(slug="desk-weekly", name="Desk Weekly", name_zh="编辑周刊")
    editor = UserFactory(username="desk-editor", display_name="Editor Lin")
    grant_role(editor, role=TeamRole.EDITOR, publication=publication)
    issue = create_issue(publication, by=editor, title="Fourteen papers")
    accepted = {"status": RecommendationStatus.ACCEPTED, "decided_at": timezone.now()}
    for number in range(1, PAPERS + 1):
        recommendation = RecommendationFactory(
            publication=publication, paper=PaperFactory(title=f"Paper {number:02d}"), **accepted
        )
        schedule_recommendation(recommendation, issue=issue, by=editor)
    for _n in range(2):
        news = RecommendationFactory(publication=publication, news=True, **accepted)
        schedule_recommendation(news, issue=issue, by=editor)
    return Desk(
        issue,
        editor,
        reverse("editor:issue-builder", args=[issue.pk]),
        reverse("editor:entry-reorder", args=[issue.pk]),
    )


def _open_builder(page: Any, desk: Desk) -> list[str]:
    """The builder, logged in as the editor; returns the list that records every request to
    the reorder address from now on."""
    login(page, desk.editor)
    page.goto(desk.builder)
    page.locator(".drag-handle").first.wait_for()
    page.evaluate("() => { window.sameBuilder = true; }")
    posted: list[str] = []
    page.on(
        "request",
        lambda request: (
            posted.append(request.method) if request.url.endswith(desk.reorder) else None
        ),
    )
    return posted


def _shown(page: Any, section: int = 0) -> list[int]:
    rows = page.locator(".builder-entries").nth(section).locator("li.builder-entry")
    return [int(entry) for entry in rows.evaluate_all("rows => rows.map(r => r.dataset.entry)")]


def _saved(page: Any) -> None:
    page.locator("#reorder-status:not(.failed)").filter(has_text="the order is saved").wait_for()


def _handle(page: Any, entry: int) -> Any:
    return page.locator(f"#entry-{entry} .drag-handle")


def test_drag_the_last_of_fourteen_to_the_top_in_one_request(page: Any, desk: Desk) -> None:
    posted = _open_builder(page, desk)
    papers = desk.order()
    assert _shown(page) == papers
    last, first = papers[-1], papers[0]

    # The last paper is below the window: drag it up to the window's top edge and hold there;
    # the page scrolls until the entry reaches the top of its section.
    _handle(page, last).scroll_into_view_if_needed()
    assert page.locator(f"#entry-{first}").evaluate("e => e.getBoundingClientRect().bottom < 0")
    handle = _handle(page, last).bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + handle["width"] / 2, 4, steps=12)
    assert page.locator(f"#entry-{last}.dragging").count() == 1
    page.wait_for_function(
        "first => document.querySelector('.builder-entries li.builder-entry').dataset.entry"
        " === first",
        arg=str(last),
    )
    assert posted == []  # nothing is saved while the entry is held
    page.mouse.up()
    _saved(page)

    assert posted == ["POST"]
    assert _shown(page) == [last, *papers[:-1]] == desk.order()
    assert page.evaluate("() => window.sameBuilder") is True  # no reload
    # The Move buttons follow: the new top cannot go up, the new bottom cannot go down.
    assert page.locator(f"#entry-{last} form:has([data-move='up'])").is_hidden()
    assert page.locator(f"#entry-{last} form:has([data-move='down'])").is_visible()
    assert page.locator(f"#entry-{papers[-2]} form:has([data-move='down'])").is_hidden()
    # The news stayed in their own section, in their order.
    assert _shown(page, 1) == desk.order(Section.NEWS)


def test_the_keyboard_picks_up_moves_and_puts_down(page: Any, desk: Desk) -> None:
    posted = _open_builder(page, desk)
    papers = desk.order()
    last = papers[-1]

    # Space picks the last paper up, Home takes it to the top, Space puts it down: one request.
    _handle(page, last).focus()
    page.keyboard.press("Space")
    assert _handle(page, last).get_attribute("aria-pressed") == "true"
    assert "position 14 of 14" in page.locator("#reorder-status").inner_text()
    page.keyboard.press("Home")
    assert "position 1 of 14" in page.locator("#reorder-status").inner_text()
    page.keyboard.press("Space")
    _saved(page)
    assert posted == ["POST"]
    assert desk.order() == [last, *papers[:-1]]
    assert _handle(page, last).get_attribute("aria-pressed") == "false"
    assert page.evaluate("() => document.activeElement.classList.contains('drag-handle')")

    # Arrows then Escape: put back where it was, and nothing posted.
    moved = desk.order()
    third = moved[2]
    _handle(page, third).focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert _shown(page)[0] == third
    page.keyboard.press("Escape")
    assert _shown(page) == moved
    assert posted == ["POST"]

    # Arrows then Enter: two places down, saved.
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    _saved(page)
    assert posted == ["POST", "POST"]
    expected = [*moved[:2], *moved[3:5], third, *moved[5:]]
    assert _shown(page) == expected == desk.order()

    # The Move down button moves in place too, and keeps the focus.
    top = expected[0]
    page.locator(f"#entry-{top} button[data-move='down']").click()
    _saved(page)
    assert posted == ["POST", "POST", "POST"]
    assert desk.order()[:2] == [expected[1], top]
    assert page.evaluate("() => document.activeElement.dataset.move") == "down"
    assert page.evaluate("() => window.sameBuilder") is True


def test_a_refused_order_puts_the_entries_back_and_says_why(
    page: Any, desk: Desk, browser_log: Any
) -> None:
    posted = _open_builder(page, desk)
    papers = desk.order()
    # Another editor takes an entry out meanwhile: this page's order is stale.
    unschedule_recommendation(IssueEntry.objects.get(pk=papers[5]), by=desk.editor)
    browser_log.expect_console_error("status of 400")

    _handle(page, papers[-1]).focus()
    for key in ("Space", "Home", "Space"):
        page.keyboard.press(key)
    status = page.locator("#reorder-status.failed")
    status.wait_for()
    assert "List every entry of the issue exactly once." in status.inner_text()
    assert posted == ["POST"]
    assert _shown(page) == papers  # back as the page had them
    assert desk.order() == papers[:5] + papers[6:]  # and nothing stored


def test_without_javascript_the_move_buttons_post_and_come_back_to_the_entry(
    open_page: Any, desk: Desk
) -> None:
    page = open_page(java_script_enabled=False)
    login(page, desk.editor)
    page.goto(desk.builder)
    assert page.locator(".drag-handle").count() == 0
    assert page.locator("#reorder-help").is_hidden()
    papers = desk.order()
    with page.expect_navigation():
        page.locator(f"#entry-{papers[-1]} button[data-move='up']").click()
    assert page.url.endswith(f"{desk.builder}#entry-{papers[-1]}")
    assert desk.order() == [*papers[:-2], papers[-1], papers[-2]]
    assert page.locator(".messages li.success").count() == 1
