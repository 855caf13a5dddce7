"""Helpers of the browser tests: content made through the services, logging in, page checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from issues.models import Issue
from issues.services import assemble_issue, create_issue, publish_issue
from publications.enums import TeamRole
from publications.models import Publication
from publications.services import create_publication, grant_role
from recommendations.enums import Verdict
from recommendations.services import create_recommendation, review_recommendation
from tests.factories import TopicFactory, UserFactory
from tests.factories.contributors import TEST_PASSWORD
from tests.servers.arxiv import ArxivStandIn

# --- content --------------------------------------------------------------------------------------


def arxiv_entry(
    arxiv_id: str, title: str, authors: list[tuple[str, str]], *, published: str = "2026-01-15"
) -> bytes:
    """An Atom entry as arXiv answers it; ``authors`` are (name, affiliation) pairs."""
    people = "".join(
        f"<author><name>{name}</name>"
        + (f"<arxiv:affiliation>{affiliation}</arxiv:affiliation>" if affiliation else "")
        + "</author>"
        for name, affiliation in authors
    )
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v1</id><title>{title}</title>"
        f"<updated>{published}T10:00:00Z</updated><published>{published}T10:00:00Z</published>"
        f"<summary>An abstract of {title}.</summary>{people}"
        f'<link href="https://arxiv.org/abs/{arxiv_id}v1" rel="alternate" type="text/html"/>'
        f'<link href="https://arxiv.org/pdf/{arxiv_id}v1" rel="related" type="application/pdf"/>'
        '<arxiv:primary_category term="cs.CL"/>'
        '<category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/></entry>'
    ).encode()


#: The papers of the seeded issue, as the arXiv stand-in serves them: id, title, Chinese title.
PAPERS = [
    ("2601.00101", "Curriculum Pretraining for Small Language Models", "小模型的课程式预训练"),
    ("2601.00102", "Retrieval Heads in Long-Context Transformers", ""),
]


INTRO = "This week: two papers."


@dataclass
class Seeded:
    publication: Publication
    issue: Issue
    editor: Any
    reviewer: Any
    contributor: Any
    paper_titles: list[str]


def seed_published_issue(arxiv: ArxivStandIn) -> Seeded:
    """A publication with one published issue of two papers, made as people would: each paper
    recommended by identifier (its metadata fetched from the stand-in), approved, assembled,
    published. The members' password is ``TEST_PASSWORD``."""
    for arxiv_id, title, _zh in PAPERS:
        arxiv.entries[arxiv_id] = arxiv_entry(
            arxiv_id, title, [("Ada Lovelace", "Analytical Engines Lab"), ("Alan Turing", "")]
        )
    editor = UserFactory(username="browser-editor", display_name="Editor Lin")
    reviewer = UserFactory(username="browser-reviewer", display_name="Reviewer Zhou")
    contributor = UserFactory(username="browser-contributor", display_name="Contributor Chen")
    publication = create_publication(
        slug="browser-weekly",
        name="Browser Weekly",
        name_zh="浏览器周刊",
        description="A digest of papers, *tested* in a real browser.",
    )
    grant_role(editor, role=TeamRole.EDITOR, publication=publication)
    grant_role(reviewer, role=TeamRole.REVIEWER, publication=publication)
    topic = TopicFactory(
        publication=publication,
        slug="language-models",
        name_en="Language models",
        name_zh="语言模型",
    )
    issue = create_issue(
        publication,
        by=editor,
        title="Small models, long contexts",
        intro_en="This week: two papers.",
    )
    for arxiv_id, _title, title_zh in PAPERS:
        recommendation = create_recommendation(
            by=contributor,
            publication=publication,
            identifier=f"arXiv:{arxiv_id}",
            topic=topic,
            title_zh=title_zh,
            summary=f"Why **{arxiv_id}** matters, in two sentences.",
        )
        review_recommendation(recommendation, by=reviewer, verdict=Verdict.APPROVE)
    assemble_issue(issue, by=editor)
    issue = publish_issue(issue, by=editor)
    return Seeded(
        publication, issue, editor, reviewer, contributor, [title for _i, title, _zh in PAPERS]
    )


# --- logging in -----------------------------------------------------------------------------------


def login(page: Any, user: Any) -> None:
    """Log ``user`` in for the rest of ``page``'s context, without the login form (fast, and
    independent of how the login page looks): a session made by Django's test client, its
    cookie handed to the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    origin = _origin(page)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": origin}]
    )


def log_in_with_form(page: Any, username: str, password: str = TEST_PASSWORD) -> None:
    """Log in by typing into the site's login page (``settings.LOGIN_URL``), as a person does."""
    page.goto(resolve_url(settings.LOGIN_URL))
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('main form [type="submit"]').click()
    page.wait_for_load_state()


def _origin(page: Any) -> str:
    """The site's origin: the page's own, or its context's base URL for a page not opened yet."""
    if not page.url.startswith("http"):
        page.goto("/")
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


# --- checks ---------------------------------------------------------------------------------------


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def use_language(page: Any, code: str) -> None:
    """Start ``page``'s context in language ``code`` (the cookie the language switch sets)."""
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": _origin(page)}]
    )


def language_of(page: Any) -> str:
    return page.evaluate("() => document.documentElement.lang")


def switch_language(page: Any, label: str) -> None:
    """Press the header's language button named ``label`` ("English", "中文")."""
    with page.expect_navigation():
        page.locator("header form.language").get_by_role("button", name=label).click()


def choose_language(page: Any, code: str) -> None:
    """Press the header's language button for ``code`` ("en", "zh-hans"): found by its value, so
    it works whatever the interface's language."""
    with page.expect_navigation():
        page.locator(f'header form.language button[name="language"][value="{code}"]').click()


def focused(page: Any, attribute: str) -> str | None:
    """An attribute of the element that has the keyboard focus (``name``, ``value``, …)."""
    return page.evaluate("(name) => document.activeElement.getAttribute(name)", attribute)


def tab_to(page: Any, selector: str, *, presses: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus (fails after
    ``presses``)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{presses} presses of Tab never reached {selector}")
