"""Every web form and query string, fed each text of the hostile corpus into each field in turn
(the other fields valid), as the member the page is for.

An answer may accept the value or refuse it; it may never be a server error. A refusal is a 4xx
that says what is wrong, or the form again with its error; and after a refusal every stored
row reads as before (``harness.run_corpus``). One test per form, collecting the failures, so a
broken form lists every value that broke it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from contributors.services import notifications_off_token
from issues.models import Correction, Issue, IssueEntry
from newsletter.models import Subscriber
from newsletter.services import confirmation_token, unsubscribe_token
from papers.models import Author, Authorship, Institution, Paper, PaperInstitution
from recommendations.models import Recommendation, Review, Transition
from tests.factories.contributors import TEST_PASSWORD
from tests.security import corpus
from tests.security.conftest import World
from tests.security.harness import run_corpus

pytestmark = pytest.mark.django_db

#: Every text value: what goes into the key fields, one or more for each kind of validation
#: (a user name, a display name, a search, an identifier, a summary, a link, a title, a list of
#: names, a comment, a number).
TEXTS = corpus.texts()
#: What goes into every other field: the corpus's sample of every kind of trouble; every value
#: with ``HOSTILE_FULL=1``.
SAMPLE = corpus.sample()


def _plan(fields: list[str], *, key: tuple[str, ...] = ()) -> dict[str, list[corpus.Bad]]:
    """Each field with its values: every value for the ``key`` fields, the sample otherwise."""
    return {name: TEXTS if name in key else SAMPLE for name in fields}


#: Values for a path segment: no URL is a megabyte long.
PATH_SAMPLE = [bad for bad in SAMPLE if len(bad.value) <= 2048]


def _as(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _assert_clean(run: Any) -> None:
    assert run.cases > 0
    assert not run.failures, run.report()


def _no_markup_echo(bad: corpus.Bad, field: str, response: HttpResponse) -> str:
    """A page that shows the value back shows it as text, never as markup."""
    if bad.group != "html" or response.streaming:
        return ""
    body = response.content.decode("utf-8", "replace")
    if "<" in bad.value and bad.value in body:
        return "the value came back unescaped"
    return ""


# --- accounts -----------------------------------------------------------------------------------


def test_signup_form(world: World) -> None:
    run = run_corpus(
        "signup",
        _as(None),
        "post",
        reverse("contributors:signup"),
        valid={
            "username": "newcomer",
            "email": "newcomer@example.org",
            "display_name": "New Comer",
            "password1": "a long passphrase 9431",
            "password2": "a long passphrase 9431",
            "next": "/",
        },
        fields={
            "username": TEXTS,
            "email": SAMPLE,
            "display_name": SAMPLE,
            "password1": SAMPLE,
            "next": SAMPLE,
        },
        check=_no_markup_echo,
    )
    _assert_clean(run)


def test_login_form(world: World) -> None:
    run = run_corpus(
        "login",
        _as(None),
        "post",
        reverse("contributors:login"),
        valid={"username": "contributor", "password": TEST_PASSWORD, "next": "/"},
        fields=["username", "password", "next"],
        values=SAMPLE,
        check=_no_markup_echo,
    )
    _assert_clean(run)


def test_password_reset_form(world: World) -> None:
    run = run_corpus(
        "password reset",
        _as(None),
        "post",
        reverse("contributors:password-reset"),
        valid={"email": "contributor@example.org"},
        fields=["email"],
        values=SAMPLE,
        check=_no_markup_echo,
        guard=[get_user_model()],
    )
    _assert_clean(run)


def test_password_change_form(world: World) -> None:
    run = run_corpus(
        "password change",
        _as(world.contributor),
        "post",
        reverse("contributors:password-change"),
        valid={
            "old_password": TEST_PASSWORD,
            "new_password1": "another long passphrase 5521",
            "new_password2": "another long passphrase 5521",
        },
        fields=["old_password", "new_password1", "new_password2"],
        values=SAMPLE,
        guard=[get_user_model()],
    )
    _assert_clean(run)


def test_profile_form(world: World) -> None:
    run = run_corpus(
        "profile",
        _as(world.contributor),
        "post",
        reverse("contributors:profile"),
        valid={
            "display_name": "Con Tributor",
            "affiliation": "Example University",
            "bio": "I read papers.",
            "homepage_url": "https://example.org/",
            "github_username": "con-tributor",
            "orcid": "0000-0002-1825-0097",
            "notify_by_email": "on",
        },
        fields=_plan(
            ["display_name", "affiliation", "bio", "homepage_url", "github_username", "orcid"],
            key=("display_name",),
        ),
        check=_no_markup_echo,
        guard=[get_user_model()],
    )
    _assert_clean(run)


def test_token_buttons(world: World) -> None:
    """The token buttons read no field: whatever a forged form adds changes nothing else."""
    client = _as(world.contributor)
    for name in ("token", "token-rotate", "token-revoke"):
        run = run_corpus(
            name,
            client,
            "post",
            reverse(f"contributors:{name}"),
            valid={},
            fields=["key"],
            values=SAMPLE,
            guard=[get_user_model()],
        )
        _assert_clean(run)


def _segment(value: str) -> str:
    """``value`` as one %-encoded path segment (lone surrogates as their bytes)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _signed_link(route: str, token: str) -> str:
    return reverse(route, args=["TOKEN"]).replace("TOKEN", _segment(token))


@pytest.mark.parametrize(
    "route",
    ["newsletter:confirm", "newsletter:unsubscribe", "contributors:notifications-off"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_links(world: World, route: str, method: str) -> None:
    """A link from a mail with a forged token: a readable 400 or 404, nothing changed."""
    run = run_corpus(
        f"{route} {method}",
        _as(None),
        method,
        lambda bad: _signed_link(route, bad.value),
        valid={},
        fields=[""],
        values=PATH_SAMPLE,
        check=_no_markup_echo,
    )
    _assert_clean(run)
    # The real links still work after all that.
    tokens = {
        "newsletter:confirm": confirmation_token(world.pending_subscriber),
        "newsletter:unsubscribe": unsubscribe_token(world.confirmed_subscriber),
        "contributors:notifications-off": notifications_off_token(world.contributor),
    }
    assert _as(None).get(_signed_link(route, tokens[route])).status_code == 200


def test_newsletter_subscribe_form(world: World) -> None:
    run = run_corpus(
        "subscribe",
        _as(None),
        "post",
        reverse("newsletter:subscribe", args=[world.publication.slug]),
        valid={"email": "reader-new@example.org", "website": ""},
        fields={"email": SAMPLE, "website": SAMPLE},
        check=_no_markup_echo,
        guard=[Subscriber],
    )
    _assert_clean(run)


def test_language_switch(world: World) -> None:
    run = run_corpus(
        "language",
        _as(None),
        "post",
        "/i18n/setlang/",
        valid={"language": "zh-hans", "next": "/"},
        fields=["language", "next"],
        values=SAMPLE,
    )
    _assert_clean(run)


# --- reading: search, archives, filters, pages named in the path --------------------------------


def test_search_and_archive_query_strings(world: World) -> None:
    client = _as(None)
    pages = {
        "search": (reverse("papers:search"), {"q": "pretraining", "page": "1"}),
        "archive": (reverse("issues:publication-detail", args=[world.publication.slug]), {}),
        "topic": (
            reverse("issues:topic-detail", args=[world.topic.publication.slug, world.topic.slug]),
            {},
        ),
        "contributor": (reverse("issues:contributors-detail", args=["contributor"]), {}),
        "home": (reverse("issues:home"), {}),
    }
    for name, (url, valid) in pages.items():
        fields = {"q": TEXTS} if "q" in valid else {}  # the search is shown back
        run = run_corpus(
            name,
            client,
            "get",
            url,
            valid=valid,
            fields={**fields, "page": SAMPLE},
            check=_no_markup_echo,
        )
        _assert_clean(run)


def test_names_in_the_path(world: World) -> None:
    """A member's page, a publication, a topic, a feed, an export, by any name: a 404."""
    client = _as(None)
    slug = world.publication.slug
    routes = {
        "contributor": reverse("issues:contributors-detail", args=["SENTINEL"]),
        "publication": reverse("issues:publication-detail", args=["SENTINEL"]),
        "topic": reverse("issues:topic-detail", args=[slug, "SENTINEL"]),
        "old topic": reverse("issues:topic-redirect", args=["SENTINEL"]),
        "feed": reverse("issues:feed-rss", args=["SENTINEL"]),
        "topic-feed": reverse("issues:topic-feed-atom", args=[slug, "SENTINEL"]),
        "export": reverse("issues:issue-export", args=[slug, 1, "SENTINEL"]),
        "subscribe": reverse("newsletter:subscribe", args=["SENTINEL"]),
        "api-contributor": reverse("api:contributor-detail", args=["SENTINEL"]),
        "password reset link": reverse(
            "contributors:password-reset-confirm", args=["SENTINEL", "set-password"]
        ),
        "password reset token": reverse(
            "contributors:password-reset-confirm", args=["MQ", "SENTINEL"]
        ),
    }
    for name, template in routes.items():
        run = run_corpus(
            f"path {name}",
            client,
            "get",
            lambda bad, template=template: template.replace("SENTINEL", _segment(bad.value)),
            valid={},
            fields=[""],
            values=PATH_SAMPLE,
            check=_no_markup_echo,
        )
        _assert_clean(run)


def test_numbers_in_the_path(world: World) -> None:
    """Ids past every integer column, zero and leading zeros: a 404 (or the page), never a 500."""
    numbers = ["0", "00001", "9" * 19, "9" * 40, "1" + "0" * 400, str(2**63), str(2**31)]
    editor = _as(world.editor)
    contributor = _as(world.contributor)
    routes = [
        (contributor, "get", "recommendations:detail", 1),
        (contributor, "post", "recommendations:edit", 1),
        (contributor, "post", "recommendations:withdraw", 1),
        (editor, "get", "review:recommendation", 1),
        (editor, "post", "review:accept", 1),
        (editor, "get", "editor:issue-builder", 1),
        (editor, "post", "editor:issue-publish", 1),
        (editor, "post", "editor:entry-remove", 2),
        (editor, "get", "issues:issue-preview", 1),
        (editor, "post", "metadata:paper-refetch", 1),
        (editor, "get", "papers:paper-detail", 1),
        (_as(None), "get", "issues:issue-detail", 0),
    ]
    failures = []
    for client, method, name, ints in routes:
        for number in numbers:
            if name == "issues:issue-detail":
                url = reverse(name, args=[world.publication.slug, 7]).replace("/7/", f"/{number}/")
            else:
                args = [7] * ints
                url = reverse(name, args=args).replace("/7/", f"/{number}/")
            response = getattr(client, method)(url)
            if response.status_code >= 500 or response.status_code not in (200, 302, 400, 403, 404):
                failures.append(f"{method} {url[:80]}: {response.status_code}")
    assert not failures, failures


# --- the contributor's pages --------------------------------------------------------------------

SUBMISSION_ROWS = [Recommendation, Paper, Transition]


@pytest.mark.parametrize("action", ["submit", "draft", "preview"])
def test_recommend_paper_form(world: World, action: str) -> None:
    content = ["publication", "identifier", "summary", "title_zh", "code_url", "topic"]
    fields_for_action = {
        "submit": _plan(content, key=("identifier", "summary", "code_url")),
        "draft": dict.fromkeys(content, SAMPLE),
        "preview": dict.fromkeys(["summary", "identifier", "action"], SAMPLE),
    }
    run = run_corpus(
        f"recommend paper ({action})",
        _as(world.contributor),
        "post",
        reverse("recommendations:paper-create"),
        valid={
            "publication": world.publication.slug,
            "identifier": "https://arxiv.org/abs/2109.08133v2",
            "summary": "A paragraph on what it is about.",
            "title_zh": "预训练",
            "code_url": "https://github.com/example/code",
            "topic": str(world.topic.pk),
            "action": action,
        },
        fields=fields_for_action[action],
        check=_no_markup_echo,
        guard=SUBMISSION_ROWS,
    )
    _assert_clean(run)


def test_recommend_news_form(world: World) -> None:
    run = run_corpus(
        "recommend news",
        _as(world.contributor),
        "post",
        reverse("recommendations:news-create"),
        valid={
            "publication": world.publication.slug,
            "news_title": "A shared task opens",
            "news_url": "https://example.org/task",
            "summary": "What it is and when it closes.",
            "action": "submit",
        },
        fields={
            "publication": SAMPLE,
            "news_title": TEXTS,
            "news_url": SAMPLE,
            "summary": SAMPLE,
            "action": SAMPLE,
        },
        check=_no_markup_echo,
        guard=SUBMISSION_ROWS,
    )
    _assert_clean(run)


def test_summary_preview_and_duplicate_check(world: World) -> None:
    client = _as(world.contributor)
    preview = run_corpus(
        "preview",
        client,
        "post",
        reverse("recommendations:preview"),
        valid={"summary": "Some *Markdown*."},
        fields=["summary"],
        values=SAMPLE,
        check=_no_markup_echo,
    )
    _assert_clean(preview)
    check = run_corpus(
        "duplicate check",
        client,
        "get",
        reverse("recommendations:check"),
        valid={"identifier": "2109.08133", "publication": world.publication.slug},
        fields=["identifier", "publication"],
        values=SAMPLE,
        check=_no_markup_echo,
    )
    _assert_clean(check)


def test_my_submissions_filters(world: World) -> None:
    run = run_corpus(
        "my submissions",
        _as(world.contributor),
        "get",
        reverse("recommendations:list"),
        valid={"status": "draft", "page": "1"},
        fields=["status", "page"],
        values=SAMPLE,
        check=_no_markup_echo,
    )
    _assert_clean(run)


def test_edit_submission_forms(world: World) -> None:
    client = _as(world.contributor)
    paper = run_corpus(
        "edit paper recommendation",
        client,
        "post",
        reverse("recommendations:edit", args=[world.draft_paper.pk]),
        valid={
            "summary": "A better paragraph.",
            "title_zh": "更好",
            "code_url": "https://github.com/example/code",
            "topic": str(world.topic.pk),
        },
        fields=["summary", "title_zh", "code_url", "topic"],
        values=SAMPLE,
        check=_no_markup_echo,
        guard=SUBMISSION_ROWS,
    )
    _assert_clean(paper)
    news = run_corpus(
        "edit news item",
        client,
        "post",
        reverse("recommendations:edit", args=[world.draft_news.pk]),
        valid={
            "news_title": "A better title",
            "news_url": "https://example.org/better",
            "summary": "A better paragraph.",
        },
        fields=["news_title", "news_url", "summary"],
        values=SAMPLE,
        check=_no_markup_echo,
        guard=SUBMISSION_ROWS,
    )
    _assert_clean(news)


@pytest.mark.parametrize("action", ["submit", "withdraw"])
def test_submission_action_notes(world: World, action: str) -> None:
    run = run_corpus(
        f"{action} note",
        _as(world.contributor),
        "post",
        reverse(f"recommendations:{action}", args=[world.draft_paper.pk]),
        valid={"note": "Ready."},
        fields=["note"],
        values=SAMPLE,
        check=_no_markup_echo,
        guard=SUBMISSION_ROWS,
    )
    _assert_clean(run)


def test_manual_metadata_form(world: World) -> None:
    run = run_corpus(
        "manual metadata",
        _as(world.contributor),
        "post",
        reverse("metadata:paper-enter-metadata", args=[world.failed_paper.pk]),
        valid={
            "title": "A Paper Typed by Hand",
            "title_zh": "手工录入",
            "authors": "Ada Lovelace\nAlan Turing",
            "institutions": "Analytical Engines Ltd",
            "year": "2024",
            "abstract": "What it does.",
        },
        fields={
            "title": SAMPLE,
            "title_zh": SAMPLE,
            "authors": TEXTS,
            "institutions": SAMPLE,
            "year": SAMPLE,
            "abstract": SAMPLE,
        },
        check=_no_markup_echo,
        guard=[Paper, Author, Authorship, Institution, PaperInstitution],
    )
    _assert_clean(run)


# --- review -------------------------------------------------------------------------------------


def test_review_queue_filters(world: World) -> None:
    run = run_corpus(
        "review queue",
        _as(world.reviewer),
        "get",
        reverse("review:queue"),
        valid={"publication": world.publication.slug, "topic": world.topic.slug, "page": "1"},
        fields=["publication", "topic", "page"],
        values=SAMPLE,
        check=_no_markup_echo,
    )
    _assert_clean(run)


def test_review_form(world: World) -> None:
    run = run_corpus(
        "review",
        _as(world.reviewer),
        "post",
        reverse("review:recommendation", args=[world.submitted.pk]),
        valid={"verdict": "request_changes", "comment": "Please say what it improves on."},
        fields={"verdict": SAMPLE, "comment": TEXTS},
        check=_no_markup_echo,
        guard=[Recommendation, Review, Transition],
    )
    _assert_clean(run)


def test_accept_button(world: World) -> None:
    run = run_corpus(
        "accept",
        _as(world.editor),
        "post",
        reverse("review:accept", args=[world.submitted.pk]),
        valid={},
        fields=["note"],
        values=SAMPLE,
        guard=[Recommendation, Transition],
    )
    _assert_clean(run)


# --- the editor's pages -------------------------------------------------------------------------

ISSUE_ROWS = [Issue, IssueEntry, Recommendation, Transition, Correction]


def test_issue_texts_form(world: World) -> None:
    run = run_corpus(
        "issue texts",
        _as(world.editor),
        "post",
        reverse("editor:issue-builder", args=[world.draft_issue.pk]),
        valid={
            "title": "Scaling, revisited",
            "intro_en": "This issue picks two papers.",
            "intro_zh": "本期选取两篇论文。",
            "credits": "Con Tributor",
        },
        fields=_plan(["title", "intro_en", "intro_zh", "credits"], key=("title",)),
        check=_no_markup_echo,
        guard=ISSUE_ROWS,
    )
    _assert_clean(run)


def test_issue_builder_buttons(world: World) -> None:
    client = _as(world.editor)
    pk = world.draft_issue.pk
    forms = {
        "entry add": (
            reverse("editor:entry-add", args=[pk]),
            {"recommendation": str(world.accepted.pk)},
        ),
        "entry reorder": (
            reverse("editor:entry-reorder", args=[pk]),
            {"order": str(world.draft_entry.pk)},
        ),
        "schedule": (
            reverse("editor:issue-schedule", args=[pk]),
            {"publish_at": "2099-01-31T09:00"},
        ),
    }
    for name, (url, valid) in forms.items():
        run = run_corpus(
            name,
            client,
            "post",
            url,
            valid=valid,
            fields=_plan(list(valid), key=("recommendation",)),
            check=_no_markup_echo,
            guard=ISSUE_ROWS,
        )
        _assert_clean(run)
    buttons = {
        "create": reverse("editor:issue-create", args=[world.publication.slug]),
        "assemble": reverse("editor:issue-assemble", args=[pk]),
        "remove": reverse("editor:entry-remove", args=[pk, world.draft_entry.pk]),
        "unschedule": reverse("editor:issue-unschedule", args=[pk]),
        "publish": reverse("editor:issue-publish", args=[pk]),
        "refetch": reverse("metadata:paper-refetch", args=[world.failed_paper.pk]),
    }
    for name, url in buttons.items():
        run = run_corpus(
            name,
            client,
            "post",
            url,
            valid={},
            fields=["x"],
            values=SAMPLE,
            guard=ISSUE_ROWS,
        )
        _assert_clean(run)


def test_editor_home_pages(world: World) -> None:
    run = run_corpus(
        "editor home",
        _as(world.editor),
        "get",
        reverse("editor:home"),
        valid={},
        fields=[f"{world.publication.slug}-page"],
        values=SAMPLE,
    )
    _assert_clean(run)


def test_correction_form(world: World) -> None:
    prefix = f"entry-{world.published_entry.pk}-"
    valid = {
        "note": "The summary named the wrong lab.",
        "title": world.published_issue.title,
        "intro_en": "",
        "intro_zh": "",
        "credits": "",
        prefix + "shown_title": "A published paper",
        prefix + "shown_title_zh": "",
        prefix + "shown_authors": "",
        prefix + "shown_institutions": "",
        prefix + "shown_summary": "What it does, corrected.",
        prefix + "shown_code_url": "",
        prefix + "shown_url": "https://arxiv.org/abs/2401.00001",
    }
    run = run_corpus(
        "correction",
        _as(world.editor),
        "post",
        reverse("editor:issue-correct", args=[world.published_issue.pk]),
        valid=valid,
        fields=_plan(list(valid), key=(prefix + "shown_summary",)),
        check=_no_markup_echo,
        guard=ISSUE_ROWS,
    )
    _assert_clean(run)
