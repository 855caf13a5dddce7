"""Published issues from the cache: validators, 304s, warm hits without SQL, invalidation on
publication and correction, one copy per language, the same bytes for every anonymous reader, and
nothing personal ever served to another client (``issues.caching``).

Each test starts with an empty cache (``tests/conftest.py``); run the file with
``REDIS_URL=redis://127.0.0.1:6379/N`` to exercise the Redis backend as well.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues import caching, services
from issues.models import Issue
from publications.models import Publication, Topic
from recommendations.enums import RecommendationStatus
from tests.factories import PaperFactory, RecommendationFactory, UserFactory
from tests.languages import in_chinese, reverse_in

pytestmark = pytest.mark.django_db

SLUG = "pretraining-weekly"
TOPIC = "language-models"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _publish(publication: Publication, editor: Any, topic: Topic, title: str) -> Issue:
    issue = services.create_issue(publication, by=editor, title=title, intro_en="Two papers.")
    for n in range(2):
        recommendation = RecommendationFactory(
            publication=publication,
            paper=PaperFactory(title=f"{title} paper {n}", authors=[f"Author {n}"]),
            topic=topic,
            submitter=UserFactory(display_name=f"Submitter {title} {n}"),
            status=RecommendationStatus.ACCEPTED,
            decided_at=timezone.now(),
        )
        services.schedule_recommendation(recommendation, issue=issue, by=editor)
    return services.publish_issue(issue, by=editor)


@pytest.fixture
def issue(publication: Publication, editor: Any, topic: Topic) -> Issue:
    return _publish(publication, editor, topic, "Dense retrieval")


@dataclass(frozen=True)
class Target:
    name: str
    args: tuple[Any, ...]
    #: An HTML page with the site header (members get their own), not a document.
    page: bool = False

    @property
    def url(self) -> str:
        return reverse(self.name, args=self.args)

    def url_in(self, language: str) -> str:
        """The address in ``language``: its prefix for a page or a feed, the same for the API."""
        return reverse_in(language, self.name, args=self.args)


PAGES = [
    Target("issues:issue-detail", (SLUG, 1), page=True),
    Target("issues:publication-detail", (SLUG,), page=True),
    Target("issues:home", (), page=True),
]
DOCUMENTS = [
    Target("issues:issue-export", (SLUG, 1, "md")),
    Target("issues:issue-export", (SLUG, 1, "html")),
    Target("issues:issue-export", (SLUG, 1, "bib")),
    Target("issues:feed-rss", (SLUG,)),
    Target("issues:feed-atom", (SLUG,)),
    Target("issues:topic-feed-rss", (SLUG, TOPIC)),
    Target("issues:topic-feed-atom", (SLUG, TOPIC)),
    Target("api:published-issue", (SLUG, 1)),
]
TARGETS = PAGES + DOCUMENTS
IDS = [
    "issue",
    "archive",
    "home",
    "export-md",
    "export-html",
    "export-bib",
    "feed-rss",
    "feed-atom",
    "topic-feed-rss",
    "topic-feed-atom",
    "api-issue",
]


def _get(client: Client, url: str, status: int = 200, **headers: str) -> Any:
    response = client.get(url, **headers)
    assert response.status_code == status, response.content[:300]
    return response


def _vary(response: Any) -> set[str]:
    return {v.strip() for v in response.headers.get("Vary", "").split(",")}


# ================================================================ validators and 304


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_cached_url_carries_validators(client: Client, issue: Issue, target: Target) -> None:
    response = _get(client, target.url)

    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    assert {"Accept-Language", "Cookie"} <= _vary(response)
    max_age = caching.PAGE_MAX_AGE if target.page else caching.DOCUMENT_MAX_AGE
    assert response["Cache-Control"] == (
        f"public, max-age={max_age}, stale-while-revalidate={caching.STALE_WHILE_REVALIDATE}"
    )
    assert response["Last-Modified"].endswith(" GMT")
    # Nothing of the reader's: no cookie set, so a shared cache may keep it.
    assert not response.cookies


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_if_none_match_answers_304_without_a_query(
    client: Client, issue: Issue, target: Target, django_assert_num_queries: Any
) -> None:
    etag = _get(client, target.url)["ETag"]

    with django_assert_num_queries(0):
        response = client.get(target.url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"]
    # An ETag of another version or resource is no match.
    _get(client, target.url, HTTP_IF_NONE_MATCH='"0123456789abcdef0123456789abcdef"')


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_if_modified_since_answers_304(client: Client, issue: Issue, target: Target) -> None:
    last_modified = _get(client, target.url)["Last-Modified"]

    response = client.get(target.url, HTTP_IF_MODIFIED_SINCE=last_modified)

    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.parametrize(
    "unknown",
    [("issues:issue-export", (SLUG, 9, "md")), ("issues:issue-detail", (SLUG, 9))],
    ids=["export", "page"],
)
def test_if_modified_since_never_hides_a_404(
    client: Client, issue: Issue, unknown: tuple[str, tuple[Any, ...]]
) -> None:
    last_modified = _get(client, DOCUMENTS[0].url)["Last-Modified"]
    name, args = unknown

    assert (
        client.get(reverse(name, args=args), HTTP_IF_MODIFIED_SINCE=last_modified).status_code
        == 404
    )


@pytest.mark.parametrize("target", PAGES, ids=["issue", "archive", "home"])
def test_page_is_the_same_for_every_anonymous_reader(issue: Issue, target: Target) -> None:
    """What a shared cache needs: the same bytes and validators for readers with and without
    cookies, and one reader's ETag revalidating another's copy."""
    first = _get(Client(), target.url)
    returning = Client()
    returning.cookies["csrftoken"] = "a" * 32  # from a log-in form seen before
    second = _get(returning, target.url)

    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert not first.cookies
    assert not second.cookies
    assert Client().get(target.url, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304


# ================================================================ warm hits


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_warm_anonymous_get_costs_no_query_and_equals_the_uncached_body(
    issue: Issue, target: Target, django_assert_num_queries: Any
) -> None:
    cold = _get(Client(), target.url)

    with django_assert_num_queries(0):
        warm = _get(Client(), target.url)  # another reader, another CSRF cookie

    cache.clear()
    uncached = _get(Client(), target.url)
    assert warm.content == cold.content == uncached.content
    assert warm["Content-Type"] == cold["Content-Type"]
    if "Content-Disposition" in cold:
        assert warm["Content-Disposition"] == cold["Content-Disposition"]


def test_language_switch_of_a_cached_page_works(issue: Issue) -> None:
    url = PAGES[0].url
    _get(Client(), url)
    reader = Client(enforce_csrf_checks=True)
    _get(reader, url)

    # As a browser posts the page's form: from this site, without a token.
    response = reader.post(
        reverse("set_language"),
        {"language": "zh-hans", "next": url},
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    # The same page, under the other language's address.
    assert response.status_code == 302
    chinese = "/zh/" + url.removeprefix("/en/")
    assert response["Location"] == chinese
    assert reader.cookies["django_language"].value == "zh-hans"
    assert '<html lang="zh-hans">' in _get(reader, chinese).content.decode()
    assert '<html lang="en">' in _get(reader, url).content.decode()


def test_page_that_asked_for_the_readers_token_is_theirs_alone(
    issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a page ever put a CSRF token in its body, it is served to its reader, privately,
    and never stored for the next one."""
    from django.middleware.csrf import get_token

    from issues.views.reader import IssueDetailView

    shown = IssueDetailView.get_context_data

    def with_token(self: Any, **kwargs: Any) -> dict[str, Any]:
        return {**shown(self, **kwargs), "token": get_token(self.request)}

    monkeypatch.setattr(IssueDetailView, "get_context_data", with_token)
    url = PAGES[0].url
    first = _get(Client(), url)

    monkeypatch.setattr(IssueDetailView, "get_context_data", shown)
    second = _get(Client(), url)

    assert first["Cache-Control"] == "private, no-cache"
    assert "ETag" not in first
    assert first.cookies["csrftoken"].value
    assert second["Cache-Control"].startswith("public")
    assert not second.cookies


def test_query_string_is_rendered_not_stored(issue: Issue) -> None:
    url = PAGES[0].url + "?utm_source=newsletter"
    _get(Client(), url)

    with CaptureQueriesContext(connection) as queries:
        response = _get(Client(), url)

    # Rendered again, with the full address in its language form, and still with a validator:
    # no client can fill the cache with variants of one address.
    assert len(queries) > 0
    assert f'value="{url}"' in response.content.decode()
    assert response["ETag"]


def test_unknown_issue_is_404_and_not_cached(client: Client, issue: Issue, editor: Any) -> None:
    url = reverse("issues:issue-detail", args=[SLUG, 2])
    _get(client, url, status=404)
    _get(client, reverse("issues:issue-export", args=[SLUG, 2, "md"]), status=404)

    second = _publish(issue.publication, editor, Topic.objects.get(slug=TOPIC), "Scaling")

    assert second.number == 2
    assert "Scaling" in _get(client, url).content.decode()


# ================================================================ invalidation


def _correct(issue: Issue, editor: Any, title: str) -> None:
    entry = issue.entries.order_by("position", "pk").first()
    services.correct_issue(
        issue,
        by=editor,
        note="The titles were misspelt.",
        fields={"title": title},
        entries={entry.pk: {"shown_title": title}},
    )


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_correction_changes_the_etag_and_the_body(
    client: Client,
    issue: Issue,
    editor: Any,
    target: Target,
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = _get(client, target.url)
    assert b"Corrected Retrieval Title" not in before.content

    with django_capture_on_commit_callbacks(execute=True):
        _correct(issue, editor, "Corrected Retrieval Title")

    after = client.get(target.url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert b"Corrected Retrieval Title" in after.content


def test_renewal_sets_a_new_version_after_commit(
    issue: Issue, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old = caching.published_version()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _correct(issue, editor, "Corrected")
        # Dropped at once, so the rest of the transaction reads anew.
        assert cache.get(caching.VERSION_KEY) is None

    assert callbacks
    assert cache.get(caching.VERSION_KEY) not in (None, old.token)
    assert caching.published_version().token == cache.get(caching.VERSION_KEY)


@pytest.mark.parametrize(
    "target",
    [*PAGES[1:], *[t for t in DOCUMENTS if "feed" in t.name]],
    ids=["archive", "home", "feed-rss", "feed-atom", "topic-feed-rss", "topic-feed-atom"],
)
def test_new_publication_changes_archive_home_and_feeds(
    client: Client,
    issue: Issue,
    editor: Any,
    target: Target,
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = _get(client, target.url)

    with django_capture_on_commit_callbacks(execute=True):
        _publish(issue.publication, editor, Topic.objects.get(slug=TOPIC), "Scaling laws")

    after = client.get(target.url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert b"Scaling laws" in after.content
    assert b"Scaling laws" not in before.content


def test_new_render_generation_changes_every_etag(
    client: Client, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = DOCUMENTS[0].url
    etag = _get(client, url)["ETag"]
    monkeypatch.setattr(caching, "render_generation", lambda: "next-deploy")

    assert _get(client, url, HTTP_IF_NONE_MATCH=etag)["ETag"] != etag


def test_render_generation_is_a_stable_digest() -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", caching.render_generation())
    assert caching.render_generation() == caching.render_generation()


# ================================================================ languages


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_languages_are_cached_apart(
    issue: Issue, target: Target, django_assert_num_queries: Any
) -> None:
    english_url, chinese_url = target.url_in("en"), target.url_in("zh-hans")
    english = _get(Client(), english_url, HTTP_ACCEPT_LANGUAGE="en")
    chinese = _get(Client(), chinese_url, HTTP_ACCEPT_LANGUAGE="zh-hans")

    with django_assert_num_queries(0):
        warm_english = _get(Client(), english_url, HTTP_ACCEPT_LANGUAGE="en")
        warm_chinese = _get(Client(), chinese_url, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english["ETag"] != chinese["ETag"]
    assert english["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hans"
    if target.page:
        assert '<html lang="en">' in english.content.decode()
        assert '<html lang="zh-hans">' in chinese.content.decode()
        assert english.content != chinese.content
    assert warm_english.content == english.content
    assert warm_chinese.content == chinese.content


def test_address_selects_the_cached_copy_whatever_the_cookie(issue: Issue) -> None:
    """A link shared in Chinese opens in Chinese for a reader whose cookie says English, and
    the other way round: the address, not the cookie, picks the cached copy."""
    english, chinese = PAGES[0].url_in("en"), PAGES[0].url_in("zh-hans")
    _get(Client(), english)
    _get(Client(), chinese)
    reader = Client()
    reader.cookies["django_language"] = "en"
    for _warm in range(2):  # rendered, then answered early from memory
        page = _get(reader, chinese, HTTP_ACCEPT_LANGUAGE="en")
        assert '<html lang="zh-hans">' in page.content.decode()
        assert page["Content-Language"] == "zh-hans"
    reader.cookies["django_language"] = "zh-hans"
    assert '<html lang="en">' in _get(reader, english).content.decode()


def test_cookie_picks_the_language_of_an_address_without_one(issue: Issue) -> None:
    reader = Client()
    reader.cookies["django_language"] = "zh-hans"
    bare = "/" + PAGES[0].url.removeprefix("/en/")

    response = reader.get(bare, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert response["Location"] == PAGES[0].url_in("zh-hans")
    assert "Cookie" in response["Vary"]
    assert "Accept-Language" in response["Vary"]


# ================================================================ members


def _member_client(username: str, name: str) -> tuple[Client, Any]:
    member = UserFactory(username=username, display_name=name)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client, member


@pytest.mark.parametrize("target", PAGES, ids=["issue", "archive", "home"])
def test_members_never_get_anothers_name_or_token(issue: Issue, target: Target) -> None:
    _get(Client(), target.url)  # an anonymous copy is cached
    first, _ = _member_client("lin", "Lin Wei")
    second, _ = _member_client("mara", "Mara Jade")

    page_one = _get(first, target.url)
    page_two = _get(second, target.url)
    again_one = _get(first, target.url)
    anonymous = _get(Client(), target.url).content.decode()

    assert "Lin Wei" in page_one.content.decode()
    assert "Mara Jade" not in page_one.content.decode()
    assert "Mara Jade" in page_two.content.decode()
    assert "Lin Wei" not in page_two.content.decode()
    assert "Lin Wei" in again_one.content.decode()
    assert "Lin Wei" not in anonymous
    assert "Mara Jade" not in anonymous
    assert not set(TOKEN.findall(page_one.content.decode())) & set(
        TOKEN.findall(page_two.content.decode())
    )
    # Rendered for the member alone: no validator to revalidate it with.
    assert page_one["Cache-Control"] == "private, no-cache"
    assert "ETag" not in page_one
    # Each member's own token is in their log-out form, and logs them out.
    for client, page in ((first, page_one), (second, page_two)):
        token = TOKEN.findall(page.content.decode())[0]
        response = client.post(reverse("contributors:logout"), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


def _article(page: str) -> str:
    return page[page.index('<article class="issue"') : page.index("</article>")]


def test_member_page_is_rendered_around_the_parts_every_reader_shares(
    issue: Issue, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = issue.get_absolute_url()
    reader, _ = _member_client("lin", "Lin Wei")
    with CaptureQueriesContext(connection) as cold:
        first = _get(reader, url).content.decode()
    with CaptureQueriesContext(connection) as warm:
        second = _get(reader, url).content.decode()
    # The issue's entries, contributors, topics and neighbours are read once per version.
    assert len(warm.captured_queries) < len(cold.captured_queries)
    assert not any("issues_issueentry" in q["sql"] for q in warm.captured_queries)
    assert _article(second) == _article(first) == _article(_get(Client(), url).content.decode())
    assert "Lin Wei" in second
    assert 'rel="alternate" type="application/rss+xml"' in second

    # A correction renews the version: the member sees it at once.
    with django_capture_on_commit_callbacks(execute=True):
        _correct(issue, editor, "Corrected Retrieval Title")
    assert "Corrected Retrieval Title" in _get(reader, url).content.decode()


def test_member_parts_are_kept_apart_by_language(issue: Issue) -> None:
    url = issue.get_absolute_url()
    reader, _ = _member_client("lin", "Lin Wei")
    english = _get(reader, url).content.decode()
    chinese = _get(reader, in_chinese(url)).content.decode()
    assert "Take this issue with you" in english
    assert "Take this issue with you" not in chinese


def test_member_token_is_refused_to_another_member(issue: Issue) -> None:
    url = PAGES[0].url
    first, _ = _member_client("lin", "Lin Wei")
    second, _ = _member_client("mara", "Mara Jade")
    token = TOKEN.findall(_get(first, url).content.decode())[0]
    _get(second, url)

    response = second.post(reverse("contributors:logout"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 403
    assert "_auth_user_id" in second.session


def test_member_request_ignores_an_anonymous_etag(issue: Issue) -> None:
    url = PAGES[0].url
    member, _ = _member_client("lin", "Lin Wei")
    anonymous_etag = _get(Client(), url)["ETag"]

    response = _get(member, url, HTTP_IF_NONE_MATCH=anonymous_etag)

    assert "Lin Wei" in response.content.decode()


def test_pending_messages_are_shown_not_cached(issue: Issue) -> None:
    """An anonymous reader with a message waiting gets it on a page rendered for them; the
    cached copy never holds it."""
    url = PAGES[0].url
    _get(Client(), url)
    reader = Client()
    storage = CookieStorage(RequestFactory().get("/"))
    reader.cookies["messages"] = storage._encode([Message(constants.INFO, "Welcome back")])

    page = _get(reader, url).content.decode()
    fresh = _get(Client(), url).content.decode()

    assert "Welcome back" in page
    assert "Welcome back" not in fresh


# ================================================================ the version across processes


def test_renewal_elsewhere_is_seen_within_the_recheck(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    issue: Issue,
    editor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.PUBLISHED_VERSION_RECHECK = 1.0
    clock = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: clock[0])
    mine = caching.published_version().token
    cache.set(caching.VERSION_KEY, "1700000000.another")  # renewed by another process

    clock[0] += 0.5
    assert caching.published_version().token == mine
    clock[0] += 0.6
    assert caching.published_version().token == "1700000000.another"

    # A renewal made in this process applies at once.
    with django_capture_on_commit_callbacks(execute=True):
        _correct(issue, editor, "Corrected")
    assert caching.published_version().token not in (mine, "1700000000.another")
    assert caching.published_version().token == cache.get(caching.VERSION_KEY)


def test_recent_bodies_answer_when_the_shared_cache_lost_them(
    issue: Issue, django_assert_num_queries: Any
) -> None:
    url = DOCUMENTS[0].url
    cold = _get(Client(), url)
    key = next(reversed(caching._recent.bodies))
    cache.delete(key)

    with django_assert_num_queries(0):
        warm = _get(Client(), url)

    assert warm.content == cold.content


def test_warm_paste_html_keeps_its_relaxed_style_policy(issue: Issue) -> None:
    url = DOCUMENTS[1].url
    _get(Client(), url)

    warm = _get(Client(), url)

    assert "'unsafe-inline'" in warm["Content-Security-Policy"]
    assert "'unsafe-inline'" not in _get(Client(), PAGES[0].url)["Content-Security-Policy"]


def test_browsable_api_page_is_never_cached(issue: Issue) -> None:
    url = reverse("api:published-issue", args=[SLUG, 1])
    member, _ = _member_client("lin", "Lin Wei")

    page = _get(member, url, HTTP_ACCEPT="text/html")

    assert "ETag" not in page
    assert "Lin Wei" not in _get(Client(), url, HTTP_ACCEPT="text/html").content.decode()
    assert _get(Client(), url)["Content-Type"] == "application/json"


# ================================================================ the early answer


def _view_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request that reaches a page's view from now on fails the test."""
    from issues.views import reader

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the request reached the view")

    for view in (reader.IssueDetailView, reader.PublicationDetailView, reader.HomeView):
        monkeypatch.setattr(view, "get_context_data", refuse)


def _headers(response: Any) -> dict[str, str]:
    return {name: value for name, value in response.items() if name != "X-Request-ID"}


@pytest.mark.parametrize("target", PAGES, ids=["issue", "archive", "home"])
def test_warm_page_is_answered_before_the_view_with_the_same_headers(
    issue: Issue,
    target: Target,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    full = _get(Client(), target.url)  # rendered and stored by the whole stack
    _view_refused(monkeypatch)

    with django_assert_num_queries(0):
        early = _get(Client(), target.url)

    assert early.content == full.content
    assert _headers(early) == _headers(full)
    assert early["Content-Length"] == str(len(full.content))
    assert early["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in early


def test_early_304_for_any_anonymous_reader(issue: Issue, monkeypatch: pytest.MonkeyPatch) -> None:
    url = PAGES[0].url
    etag = _get(Client(), url)["ETag"]
    _view_refused(monkeypatch)

    response = Client().get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response["Cache-Control"] == caching.PAGE_CACHE_CONTROL


def test_early_answer_keeps_each_language_apart(issue: Issue) -> None:
    url = PAGES[0].url
    english = _get(Client(), url)
    reader = Client()

    chinese = _get(reader, in_chinese(url))  # not in memory in Chinese yet: rendered
    again = _get(reader, in_chinese(url))  # now answered early

    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert again.content == chinese.content
    assert again["Content-Language"] == "zh-hans"
    assert english.content != chinese.content


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"cookie": ("sessionid", "abc")},
        {"cookie": ("messages", "abc")},
        {"query": "?utm_source=feed"},
        {"method": "post"},
        {"path": "/en/p/pretraining-weekly/9/"},
    ],
    ids=["session-cookie", "messages-cookie", "query-string", "post", "unknown-page"],
)
def test_early_answer_leaves_the_rest_to_the_stack(
    issue: Issue, request_kwargs: dict[str, Any]
) -> None:
    url = PAGES[0].url
    _get(Client(), url)
    factory = RequestFactory()
    path = request_kwargs.get("path", url) + request_kwargs.get("query", "")
    request = getattr(factory, request_kwargs.get("method", "get"))(path)
    if "cookie" in request_kwargs:
        name, value = request_kwargs["cookie"]
        request.COOKIES[name] = value

    assert caching.early_answer(request) is None


def test_early_answer_needs_the_current_version(
    issue: Issue, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = PAGES[0].url
    _get(Client(), url)
    request = RequestFactory().get(url)
    assert caching.early_answer(request) is not None

    with django_capture_on_commit_callbacks(execute=True):
        _correct(issue, editor, "Corrected Title")

    assert caching.early_answer(RequestFactory().get(url)) is None
    assert "Corrected Title" in _get(Client(), url).content.decode()


# ================================================================ no stampede


def _new_version() -> None:
    """What publishing does once it commits, as another process would have done it."""
    cache.set(caching.VERSION_KEY, f"{int(time.time())}.{secrets.token_hex(8)}")


def test_changed_document_is_rendered_once_while_the_others_answer_the_previous_copy() -> None:
    """Many readers of a feed that the version change retired: one renders it anew, the others
    answer the copy of the previous version meanwhile, instead of all rendering it at once."""
    url = "/p/some-weekly/feed/rss/"
    factory = RequestFactory()
    caching.cached_document(factory.get(url), lambda: HttpResponse(b"previous"))
    _new_version()
    renders: list[int] = []
    started = threading.Event()

    def render() -> HttpResponse:
        renders.append(1)
        started.set()
        time.sleep(0.3)  # a large feed: the others arrive meanwhile
        return HttpResponse(b"current")

    with ThreadPoolExecutor(max_workers=8) as pool:
        first = pool.submit(caching.cached_document, factory.get(url), render)
        started.wait(5)
        others = [pool.submit(caching.cached_document, factory.get(url), render) for _ in range(7)]
        answers = [first.result(), *(future.result() for future in others)]

    assert len(renders) == 1
    assert answers[0].content == b"current"
    assert {answer.content for answer in answers[1:]} == {b"previous"}
    # Each answer carries the validators of what it holds.
    assert answers[1]["ETag"] != answers[0]["ETag"]
    assert caching.cached_document(factory.get(url), render).content == b"current"
    assert len(renders) == 1


def test_previous_copy_answers_its_own_etag_with_304(issue: Issue, editor: Any) -> None:
    url = PAGES[0].url
    before = _get(Client(), url)
    _correct(issue, editor, "Corrected Title")
    _new_version()
    key = next(reversed(caching._recent.bodies))
    cache.add(caching.LOCK_PREFIX + key, 1)  # another process renders it

    with CaptureQueriesContext(connection) as queries:
        stale = _get(Client(), url)
    revalidated = Client().get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert len(queries) == 0
    assert stale.content == before.content
    assert stale["ETag"] == before["ETag"]
    assert revalidated.status_code == 304
    cache.delete(caching.LOCK_PREFIX + key)
    fresh = _get(Client(), url)
    assert "Corrected Title" in fresh.content.decode()
    assert fresh["ETag"] != before["ETag"]


def test_lock_is_released_when_the_render_fails() -> None:
    url = "/p/some-weekly/feed/atom/"
    factory = RequestFactory()
    caching.cached_document(factory.get(url), lambda: HttpResponse(b"previous"))
    _new_version()

    def failing() -> HttpResponse:
        raise Http404("gone")

    with pytest.raises(Http404):
        caching.cached_document(factory.get(url), failing)

    key = next(reversed(caching._recent.bodies))
    assert cache.get(caching.LOCK_PREFIX + key) is None
    assert caching.cached_document(factory.get(url), lambda: HttpResponse(b"now")).content == b"now"


def test_unreachable_lock_means_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache that refuses every write (Redis down) holds no lock: each reader renders, as
    without the cache, rather than answering an old copy for as long as it is down."""
    url = "/p/some-weekly/issue.md"
    factory = RequestFactory()
    caching.cached_document(factory.get(url), lambda: HttpResponse(b"previous"))
    _new_version()
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False)

    answer = caching.cached_document(factory.get(url), lambda: HttpResponse(b"current"))

    assert answer.content == b"current"
