"""The whole journey, clicked through in a real browser, in English and in Chinese.

A new visitor picks the language with the header's switch, signs up, and recommends a paper by
keyboard alone (its arXiv id, a Markdown summary previewed before sending, a Chinese title); the
paper's metadata appears on the submission page without a reload, when the worker has it. A
second member, on a 375 px phone, is warned that the first recommended the paper already. A
reviewer approves it with a comment; an editor starts an issue, assembles it, moves the new paper
to the top (in place, without a reload), writes the title and introductions, previews it and
publishes it, confirming. Last, a reader on a phone goes from the home page to the new issue and
on to the paper's page.

The same steps run in both languages because nothing is found by its English words: elements
are chosen by ids, names, values, addresses, form actions and ``data-*`` attributes. Every page
loaded must be in the chosen language (``<html lang>``), and, as in every browser test, no page
may log a console error or ask a host other than the live server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

import papers.services
from issues.enums import IssueStatus
from issues.models import Issue, IssueEntry
from papers.enums import MetadataStatus
from publications.enums import TeamRole
from publications.models import Publication
from publications.services import create_publication, grant_role
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review
from recommendations.services import create_recommendation, review_recommendation
from tests.browser.helpers import (
    arxiv_entry,
    choose_language,
    focused,
    horizontal_overflow,
    language_of,
    login,
    tab_to,
    use_language,
)
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.browser

#: The paper the visitor recommends, as the arXiv stand-in knows it.
PAPER_ID = "2602.04711"
PAPER_TITLE = "Sparse Mixtures for Multilingual Pretraining"
#: The Chinese title the visitor gives it (arXiv has none).
PAPER_TITLE_ZH = "稀疏混合专家的多语言预训练"
#: A paper accepted before the journey starts, so the issue has two entries to reorder.
OTHER_ID = "2602.04712"
OTHER_TITLE = "Tokenizer-Free Pretraining at Scale"

ISSUE_TITLE = "Sparse experts, no tokenizer"
INTRO_EN = "This week: experts for many languages, and text without a tokenizer."
INTRO_ZH = "本周：多语言的稀疏专家，以及无需分词器的预训练。"
REVIEW_COMMENT = "Clear and useful; the summary says why it matters."

#: Each language of the journey, and the other one (the visitor's browser asks for it first,
#: so the header's switch has something to change).
LANGUAGES = {"en": "zh-CN", "zh-hans": "en-US"}


@dataclass
class Newsroom:
    publication: Publication
    reviewer: Any
    editor: Any
    earlier: Recommendation


@pytest.fixture
def newsroom(site: str, arxiv: Any) -> Newsroom:
    """A publication with no issue yet, its reviewer and editor (made through the services),
    one paper already accepted for it, and the visitor's paper known to the arXiv stand-in."""
    arxiv.entries[PAPER_ID] = arxiv_entry(
        PAPER_ID, PAPER_TITLE, [("Grace Hopper", "Compiler Institute"), ("Alan Turing", "")]
    )
    arxiv.entries[OTHER_ID] = arxiv_entry(OTHER_ID, OTHER_TITLE, [("Ada Lovelace", "")])
    publication = create_publication(
        slug="journey-weekly", name="Journey Weekly", name_zh="旅程周刊"
    )
    reviewer = UserFactory(username="journey-reviewer", display_name="Reviewer Zhou")
    editor = UserFactory(username="journey-editor", display_name="Editor Lin")
    grant_role(reviewer, role=TeamRole.REVIEWER, publication=publication)
    grant_role(editor, role=TeamRole.EDITOR, publication=publication)
    TopicFactory(
        publication=publication,
        slug="language-models",
        name_en="Language models",
        name_zh="语言模型",
    )
    earlier = create_recommendation(
        by=UserFactory(username="journey-regular", display_name="Regular Chen"),
        publication=publication,
        identifier=f"arXiv:{OTHER_ID}",
        summary="Bytes in, *language model* out.",
    )
    review_recommendation(earlier, by=reviewer, verdict=Verdict.APPROVE)
    return Newsroom(publication, reviewer, editor, earlier)


@contextmanager
def metadata_fetches_held() -> Iterator[list[tuple[Any, tuple[Any, ...]]]]:
    """The metadata fetches asked for meanwhile wait in a list instead of running at once (tasks
    run in-process here, inside the request that asks for them): the test then plays the worker
    and runs them when it chooses, so a page can be seen before the metadata arrives."""
    held: list[tuple[Any, tuple[Any, ...]]] = []
    with mock.patch.object(
        papers.services.fetching,
        "enqueue_after_commit",
        lambda task, *args: held.append((task, args)),
    ):
        yield held


class Visit:
    """One person's pages: every page loaded in it must be checked with ``arrived`` (its
    language, and optionally its width), and ``done`` fails when one was not."""

    def __init__(self, page: Any, language: str) -> None:
        self.page = page
        self.language = language
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        page.on("load", lambda loaded: self.loaded.append(loaded.url))

    def arrived(self, path: str | re.Pattern[str] | None = None, *, narrow: bool = False) -> None:
        page = self.page
        if isinstance(path, str):
            page.wait_for_url(re.compile(re.escape(path) + r"(\?.*)?(#.*)?$"))
        elif path is not None:
            page.wait_for_url(path)
        page.wait_for_load_state()
        assert language_of(page) == self.language, f"{page.url} is not in {self.language}"
        if narrow:
            assert horizontal_overflow(page) == 0, f"{page.url} scrolls sideways"
        self.checked.add(page.url)

    def click(self, selector: str, path: str | re.Pattern[str] | None = None, **check: Any) -> None:
        """Click the one element ``selector`` finds (a link or a form's button), and arrive."""
        with self.page.expect_navigation():
            self.page.locator(selector).click()
        self.arrived(path, **check)

    def done(self) -> None:
        unchecked = [url for url in self.loaded if url not in self.checked]
        assert not unchecked, f"pages loaded but never checked: {unchecked}"


def new_visit(open_page: Any, user: Any, language: str, **options: Any) -> Visit:
    """A member (or, with ``user`` None, an anonymous reader) on a page of their own."""
    page = open_page(**options)
    if user is not None:
        login(page, user)
    use_language(page, language)
    return Visit(page, language)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_from_sign_up_to_a_reader_opening_the_published_issue(
    language: str,
    open_page: Any,
    newsroom: Newsroom,
    browser_log: Any,
) -> None:
    slug = newsroom.publication.slug

    # --- a visitor chooses the language and signs up ----------------------------------------
    page = open_page(locale=LANGUAGES[language])
    visitor = Visit(page, "zh-hans" if language == "en" else "en")
    page.goto("/")
    visitor.arrived("/")
    choose_language(page, language)
    visitor.language = language
    visitor.arrived("/")

    visitor.click(f'header a[href^="{reverse("contributors:signup")}"]')
    form = page.locator(f'main form[action="{reverse("contributors:signup")}"]')
    form.locator('[name="username"]').fill("new-visitor")
    form.locator('[name="email"]').fill("visitor@example.org")
    form.locator('[name="display_name"]').fill("Visitor Wang")
    form.locator('[name="password1"]').fill("a-long-journey-2026")
    form.locator('[name="password2"]').fill("a-long-journey-2026")
    visitor.click(f'main form[action="{reverse("contributors:signup")}"] button[type="submit"]')
    assert page.locator("header .who").inner_text() == "Visitor Wang"
    assert page.locator(".messages li.success").count() == 1

    # --- recommends a paper, by keyboard alone --------------------------------------------
    create = reverse("recommendations:paper-create")
    visitor.click(f'header a[href="{create}"]:visible', create)
    tab_to(page, '[name="identifier"]')
    page.keyboard.type(PAPER_ID)
    page.keyboard.press("Tab")
    assert focused(page, "name") == "summary"
    page.keyboard.type("Why **sparse experts** help:\n\n- more languages\n- the same compute")
    # The live preview (htmx) renders the Markdown as it is typed.
    page.locator("#summary-preview strong").wait_for()
    assert page.locator("#summary-preview strong").inner_text() == "sparse experts"
    tab_to(page, '[name="title_zh"]')
    page.keyboard.type(PAPER_TITLE_ZH)
    # The form's own "Preview" button shows it too, the form kept as typed.
    tab_to(page, 'button[name="action"][value="preview"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visitor.arrived(create)
    preview = page.locator("#summary-preview")
    assert preview.locator("strong").inner_text() == "sparse experts"
    assert preview.locator("li").all_inner_texts() == ["more languages", "the same compute"]
    assert page.locator('[name="identifier"]').input_value() == PAPER_ID
    assert page.locator('[name="title_zh"]').input_value() == PAPER_TITLE_ZH
    assert not Recommendation.objects.filter(submitter__username="new-visitor").exists()

    # Enter in a text field submits with the form's first button: "Submit for review".
    tab_to(page, '[name="title_zh"]')
    with metadata_fetches_held() as held, page.expect_navigation():
        page.keyboard.press("Enter")
    mine = Recommendation.objects.get(submitter__username="new-visitor")
    assert mine.status == RecommendationStatus.SUBMITTED
    assert mine.title_zh == PAPER_TITLE_ZH
    assert "**sparse experts**" in mine.summary
    visitor.arrived(reverse("recommendations:detail", args=[mine.pk]))

    # --- the metadata arrives in the open page, without a reload ----------------------------
    status = page.locator("#paper-status")
    assert mine.paper.metadata_status == MetadataStatus.PENDING
    assert status.get_attribute("hx-trigger") == "every 2s"
    assert status.locator(".paper-title").count() == 0
    page.evaluate("() => { window.journeyMarker = 'the same page'; }")
    # The box asks again every two seconds, and hears "still fetching". The worker runs just
    # after one such answer, well before the next question (SQLite's shared test database
    # would refuse a read in the middle of the worker's write).
    poll = reverse("recommendations:paper-status", args=[mine.pk])
    with page.expect_response(lambda response: response.url.endswith(poll)) as answer:
        pass
    assert answer.value.status == 200
    assert "every 2s" in answer.value.text()
    [(task, args)] = held
    assert task.apply(args=args).get() == {"fetched": 1, "not_found": 0, "failed": 0}
    status.locator(".paper-title").get_by_text(PAPER_TITLE).wait_for()
    assert "Grace Hopper" in status.locator(".authors").inner_text()
    assert page.evaluate("() => window.journeyMarker") == "the same page"
    assert status.get_attribute("hx-trigger") is None  # final: the polling stopped

    # --- a second member, on a phone, is told the paper is known, not who recommended it ----
    second = new_visit(
        open_page,
        UserFactory(username="second-member", display_name="Second Member Wu"),
        language,
        width=375,
        height=740,
    )
    second.page.goto(create)
    second.arrived(create, narrow=True)
    second.page.locator('[name="identifier"]').fill(f"https://arxiv.org/abs/{PAPER_ID}")
    second.page.keyboard.press("Tab")  # leaving the field asks who recommended it before
    known = second.page.locator("#identifier-check .muted")
    known.wait_for()
    assert PAPER_TITLE in known.inner_text()
    # Visitor Wang's recommendation is still under review: not the second member's to see.
    assert second.page.locator("#identifier-check .earlier li").count() == 0
    assert "Visitor Wang" not in second.page.locator("#identifier-check").inner_text()
    assert horizontal_overflow(second.page) == 0

    # --- a reviewer approves it with a comment ---------------------------------------------
    reviewer = new_visit(open_page, newsroom.reviewer, language)
    reviewer.page.goto("/")
    reviewer.arrived("/")
    reviewer.click(f'header a[href="{reverse("review:queue")}"]:visible', reverse("review:queue"))
    item = reverse("review:recommendation", args=[mine.pk])
    assert PAPER_TITLE in reviewer.page.locator(f'main a[href="{item}"]').inner_text()
    reviewer.click(f'main a[href="{item}"]', item)
    review_form = reviewer.page.locator(f'form[action="{item}"]')
    review_form.locator(f'[name="verdict"][value="{Verdict.APPROVE}"]').check()
    review_form.locator('[name="comment"]').fill(REVIEW_COMMENT)
    reviewer.click(f'form[action="{item}"] button[type="submit"]', reverse("review:queue"))
    assert reviewer.page.locator(".messages li.success").count() == 1
    assert reviewer.page.locator(f'main a[href="{item}"]').count() == 0
    mine.refresh_from_db()
    assert mine.status == RecommendationStatus.ACCEPTED
    assert Review.objects.get(recommendation=mine).comment == REVIEW_COMMENT

    # --- an editor builds the issue and publishes it -----------------------------------------
    editor = new_visit(open_page, newsroom.editor, language)
    desk = editor.page
    desk.goto("/")
    editor.arrived("/")
    editor.click(f'header a[href="{reverse("editor:home")}"]:visible', reverse("editor:home"))
    editor.click(
        f'form[action="{reverse("editor:issue-create", args=[slug])}"] button[type="submit"]',
        re.compile(r"/editor/issues/\d+/$"),
    )
    issue = Issue.objects.get(publication=newsroom.publication)
    builder = reverse("editor:issue-builder", args=[issue.pk])
    assert desk.url.endswith(builder)
    editor.click(
        f'form[action="{reverse("editor:issue-assemble", args=[issue.pk])}"] button', builder
    )
    new_entry = IssueEntry.objects.get(issue=issue, recommendation=mine)
    old_entry = IssueEntry.objects.get(issue=issue, recommendation=newsroom.earlier)
    rows = desk.locator(".builder-entries .builder-entry")
    assert rows.evaluate_all("rows => rows.map(r => r.id)") == [
        f"entry-{old_entry.pk}",
        f"entry-{new_entry.pk}",
    ]
    # Moved in place by the builder's script: one request, no reload.
    desk.locator(f'#entry-{new_entry.pk} button[data-move="up"]').click()
    desk.locator(".builder-entries[aria-busy='false']").wait_for()
    assert desk.locator("#reorder-status.failed").count() == 0
    assert rows.evaluate_all("rows => rows.map(r => r.id)") == [
        f"entry-{new_entry.pk}",
        f"entry-{old_entry.pk}",
    ]
    assert list(
        IssueEntry.objects.filter(issue=issue).order_by("position").values_list("pk", flat=True)
    ) == [new_entry.pk, old_entry.pk]

    texts = desk.locator(f'main form[action="{builder}"]')
    texts.locator('[name="title"]').fill(ISSUE_TITLE)
    texts.locator('[name="intro_en"]').fill(INTRO_EN)
    texts.locator('[name="intro_zh"]').fill(INTRO_ZH)
    editor.click(f'main form[action="{builder}"] button[type="submit"]', builder)
    assert desk.locator(".messages li.success").count() == 1
    assert desk.locator('[name="title"]').input_value() == ISSUE_TITLE

    preview_url = reverse("issues:issue-preview", args=[issue.pk])
    editor.click(f'main a[href="{preview_url}"] >> nth=0', preview_url)
    assert desk.locator("h1#issue-title").inner_text() == ISSUE_TITLE
    assert desk.locator("article.issue .notice[role='status']").count() == 1
    assert desk.locator(".entries article.entry").evaluate_all(
        "entries => entries.map(e => e.id)"
    ) == [f"entry-{new_entry.pk}", f"entry-{old_entry.pk}"]
    desk.go_back()
    editor.arrived(builder)

    publish = reverse("editor:issue-publish", args=[issue.pk])
    editor.click(f'main a[href="{publish}"]', publish)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.DRAFT  # the confirmation page changes nothing
    published_url = reverse("issues:issue-detail", args=[slug, 1])
    editor.click(f'main form[action="{publish}"] button[type="submit"]', published_url)
    assert desk.locator(".messages li.success").count() == 1
    issue.refresh_from_db()
    assert (issue.status, issue.number) == (IssueStatus.PUBLISHED, 1)

    # --- a reader on a phone finds the issue and the paper ----------------------------------
    reader = new_visit(open_page, None, language, width=375, height=740)
    phone = reader.page
    phone.goto("/")
    reader.arrived("/", narrow=True)
    reader.click(f'main .issue-line a[href="{published_url}"]', published_url, narrow=True)
    assert phone.locator("h1#issue-title").inner_text() == ISSUE_TITLE
    name = newsroom.publication.name_zh if language == "zh-hans" else newsroom.publication.name
    archive = reverse("issues:publication-detail", args=[newsroom.publication.slug])
    publication_link = f'.issue-header .breadcrumbs a[href="{archive}"]'
    assert phone.locator(publication_link).text_content() == name
    intro = INTRO_ZH if language == "zh-hans" else INTRO_EN
    assert phone.locator(".intro-text").first.inner_text() == intro
    first = phone.locator(".entries article.entry").first
    assert first.get_attribute("id") == f"entry-{new_entry.pk}"
    assert first.locator(".entry-title a:not(.permalink)").inner_text() == PAPER_TITLE
    assert first.locator(".title-zh").inner_text() == f"（{PAPER_TITLE_ZH}）"
    assert "Visitor Wang" in first.locator(".by").inner_text()
    assert "Visitor Wang" in phone.locator(".credits").inner_text()

    paper_url = reverse("papers:paper-detail", args=[mine.paper_id])
    reader.click(f'#entry-{new_entry.pk} a.link-local[href="{paper_url}"]', paper_url, narrow=True)
    assert phone.locator("main h1").inner_text() == PAPER_TITLE
    assert phone.locator(f'main a[href="{published_url}"]').count() >= 1

    for visit in (visitor, second, reviewer, editor, reader):
        visit.done()
    browser_log.assert_clean()
