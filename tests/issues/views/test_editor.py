"""The editor pages (``issues/views/editor.py``, namespace ``editor``): the publications' issues,
the draft builder, publishing, scheduling and corrections, through the test client and down to
the rows the services leave behind."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues import services
from issues.enums import IssueAction, IssueStatus
from issues.models import Correction, Issue, IssueEntry, IssueTransition
from publications.enums import TeamRole
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation, Transition
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

_A = RecommendationStatus.ACCEPTED


def _messages(response: HttpResponse) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def _accepted(publication: Publication, **kwargs: Any) -> Recommendation:
    return RecommendationFactory(
        publication=publication, status=_A, decided_at=timezone.now(), **kwargs
    )


def _order(issue: Issue) -> list[int]:
    return list(issue.entries.order_by("section", "position").values_list("pk", flat=True))


@pytest.fixture
def as_editor(client: Client, editor: Any) -> Client:
    client.force_login(editor)
    return client


@pytest.fixture
def draft(publication: Publication) -> Issue:
    return IssueFactory(publication=publication, title="A draft")


@pytest.fixture
def filled(draft: Issue) -> Issue:
    """A draft with three paper entries, in positions 1, 2, 3."""
    for position in (1, 2, 3):
        IssueEntryFactory(issue=draft, position=position)
    return draft


@pytest.fixture
def published(publication: Publication) -> Issue:
    issue = IssueFactory(publication=publication, published=True, number=1, title="Issue one")
    IssueEntryFactory(
        issue=issue,
        shown_title="Attention is all you need",
        shown_summary="A summary.",
        shown_url="https://arxiv.org/abs/1706.03762",
    )
    return issue


# --- who may come in ----------------------------------------------------------------------------


def _pages(issue: Issue, published: Issue, publication: Publication) -> list[tuple[str, str]]:
    entry = issue.entries.first()
    return [
        ("get", reverse("editor:home")),
        ("post", reverse("editor:issue-create", args=[publication.slug])),
        ("get", reverse("editor:issue-builder", args=[issue.pk])),
        ("post", reverse("editor:issue-builder", args=[issue.pk])),
        ("post", reverse("editor:issue-assemble", args=[issue.pk])),
        ("post", reverse("editor:entry-add", args=[issue.pk])),
        ("post", reverse("editor:entry-reorder", args=[issue.pk])),
        ("post", reverse("editor:entry-remove", args=[issue.pk, entry.pk])),
        ("post", reverse("editor:issue-schedule", args=[issue.pk])),
        ("post", reverse("editor:issue-unschedule", args=[issue.pk])),
        ("get", reverse("editor:issue-publish", args=[issue.pk])),
        ("post", reverse("editor:issue-publish", args=[issue.pk])),
        ("get", reverse("editor:issue-correct", args=[published.pk])),
        ("post", reverse("editor:issue-correct", args=[published.pk])),
        ("get", reverse("editor:issue-progress", args=[published.pk])),
    ]


def _snapshot() -> list[Any]:
    return [
        list(Issue.objects.order_by("pk").values()),
        list(IssueEntry.objects.order_by("pk").values()),
        list(Recommendation.objects.order_by("pk").values("pk", "status")),
        Transition.objects.count(),
        Correction.objects.count(),
    ]


@pytest.mark.parametrize("who", ["anonymous", "contributor", "reviewer", "other_editor"])
def test_editor_pages_refuse_everyone_but_the_publications_editors(
    client: Client,
    who: str,
    filled: Issue,
    published: Issue,
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    reviewer: Any,
) -> None:
    accepted = _accepted(publication)
    if who == "contributor":
        client.force_login(contributor)
    elif who == "reviewer":
        client.force_login(reviewer)
    elif who == "other_editor":
        other = UserFactory(username="other-editor")
        MembershipFactory(publication=other_publication, user=other, role=TeamRole.EDITOR)
        client.force_login(other)
    before = _snapshot()
    for method, url in _pages(filled, published, publication):
        data = {"recommendation": accepted.pk, "order": "1,2,3", "note": "x", "title": "x"}
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert "login" in response["Location"], url
        elif who == "other_editor" and url == reverse("editor:home"):
            # An editor elsewhere sees the editor home, with their own publication only.
            assert response.status_code == 200
            assert publication.name not in response.content.decode()
        else:
            assert response.status_code in (403, 404), (url, response.status_code)
    assert _snapshot() == before


def test_editor_link_shows_only_to_editors(
    client: Client, editor: Any, contributor: Any, publication: Publication
) -> None:
    link = f'href="{reverse("editor:home")}"'
    assert link not in client.get(reverse("issues:home")).content.decode()
    client.force_login(contributor)
    assert link not in client.get(reverse("issues:home")).content.decode()
    client.force_login(editor)
    assert link in client.get(reverse("issues:home")).content.decode()


# --- the publications' issues -------------------------------------------------------------------


def test_editor_home_lists_drafts_scheduled_and_published_issues(
    as_editor: Client, publication: Publication, published: Issue, other_publication: Publication
) -> None:
    IssueFactory(publication=publication, title="Still a draft")
    scheduled = IssueFactory(
        publication=publication,
        scheduled=True,
        title="Coming soon",
        publish_at=dt.datetime(2031, 5, 6, 7, 8, tzinfo=dt.UTC),
    )
    IssueFactory(publication=other_publication, title="Somebody else's draft")
    page = as_editor.get(reverse("editor:home")).content.decode()
    assert "Still a draft" in page
    assert "Coming soon" in page
    assert "2031-05-06 07:08" in page
    assert reverse("editor:issue-builder", args=[scheduled.pk]) in page
    assert "Issue 1: Issue one" in page
    assert reverse("editor:issue-correct", args=[published.pk]) in page
    assert "Somebody else&#x27;s draft" not in page
    assert "Somebody else's draft" not in page
    # What the apps above this one offer (issues.desk), the webhooks here.
    assert f'<a href="/en/editor/p/{publication.slug}/webhooks/">Webhooks</a>' in page
    assert f"/en/editor/p/{other_publication.slug}/webhooks/" not in page


def test_editor_home_paginates_published_issues_in_fixed_queries(
    as_editor: Client,
    publication: Publication,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    for number in range(1, 13):
        IssueFactory(publication=publication, published=True, number=number, title=f"N{number}")
    with django_assert_max_num_queries(10):
        page = as_editor.get(reverse("editor:home")).content.decode()
    assert "Issue 12: N12" in page
    assert "Issue 3: N3" in page
    assert "Issue 2: N2" not in page
    second = as_editor.get(reverse("editor:home"), {f"{publication.slug}-page": 2})
    assert "Issue 2: N2" in second.content.decode()


def test_new_issue_button_creates_a_draft(as_editor: Client, publication: Publication) -> None:
    response = as_editor.post(reverse("editor:issue-create", args=[publication.slug]))
    issue = Issue.objects.get()
    assert issue.status == IssueStatus.DRAFT
    assert issue.publication == publication
    assert issue.number is None
    assert response.status_code == 302
    assert response["Location"] == reverse("editor:issue-builder", args=[issue.pk])
    assert IssueTransition.objects.filter(issue=issue, action=IssueAction.CREATE).exists()


# --- the builder --------------------------------------------------------------------------------


def test_builder_saves_title_and_intros_and_the_preview_escapes_them(
    as_editor: Client, draft: Issue
) -> None:
    response = as_editor.post(
        reverse("editor:issue-builder", args=[draft.pk]),
        {
            "title": "<script>alert(1)</script> Week",
            "intro_en": "This issue picks <b>two</b> papers.",
            "intro_zh": "本期挑选了两篇论文。",
            "credits": "Alice, Bob",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "<script>alert(1)</script> Week"
    assert draft.intro_en == "This issue picks <b>two</b> papers."
    assert draft.intro_zh == "本期挑选了两篇论文。"
    assert draft.credits == "Alice, Bob"
    assert IssueTransition.objects.filter(issue=draft, action=IssueAction.EDIT).count() == 1
    preview = as_editor.get(reverse("issues:issue-preview", args=[draft.pk])).content.decode()
    assert "<script>alert(1)</script>" not in preview
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Week" in preview
    assert "<b>two</b>" not in preview
    assert "&lt;b&gt;two&lt;/b&gt;" in preview
    builder = as_editor.get(reverse("editor:issue-builder", args=[draft.pk])).content.decode()
    assert "<script>alert(1)</script>" not in builder
    assert reverse("issues:issue-preview", args=[draft.pk]) in builder


def test_builder_refuses_a_too_long_title_on_the_form(as_editor: Client, draft: Issue) -> None:
    response = as_editor.post(
        reverse("editor:issue-builder", args=[draft.pk]), {"title": "x" * 301}
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 300 characters" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "A draft"


def test_assemble_adds_the_accepted_recommendations(
    as_editor: Client, publication: Publication, draft: Issue, other_publication: Publication
) -> None:
    first, second = _accepted(publication), _accepted(publication)
    news = _accepted(publication, news=True)
    elsewhere = _accepted(other_publication)
    response = as_editor.post(reverse("editor:issue-assemble", args=[draft.pk]))
    assert response.status_code == 302
    assert {e.recommendation_id for e in draft.entries.all()} == {first.pk, second.pk, news.pk}
    for recommendation in (first, second, news):
        recommendation.refresh_from_db()
        assert recommendation.status == RecommendationStatus.SCHEDULED
    elsewhere.refresh_from_db()
    assert elsewhere.status == _A
    assert _messages(response) == ["3 accepted recommendations were added."]
    page = as_editor.get(reverse("editor:issue-builder", args=[draft.pk])).content.decode()
    assert first.paper.title in page


def test_add_puts_one_accepted_recommendation_in(
    as_editor: Client, publication: Publication, draft: Issue
) -> None:
    waiting = _accepted(publication)
    page = as_editor.get(reverse("editor:issue-builder", args=[draft.pk])).content.decode()
    assert f'name="recommendation" value="{waiting.pk}"' in page
    as_editor.post(reverse("editor:entry-add", args=[draft.pk]), {"recommendation": waiting.pk})
    assert draft.entries.get().recommendation == waiting
    waiting.refresh_from_db()
    assert waiting.status == RecommendationStatus.SCHEDULED


def test_add_refuses_a_paper_already_featured_and_changes_nothing(
    as_editor: Client, publication: Publication, draft: Issue, published: Issue
) -> None:
    paper = published.entries.get().paper
    again = _accepted(publication, paper=paper, submitter=UserFactory())
    response = as_editor.post(
        reverse("editor:entry-add", args=[draft.pk]), {"recommendation": again.pk}
    )
    assert response.status_code == 302
    assert _messages(response) == ["This paper was already featured in issue #1."]
    assert not draft.entries.exists()
    again.refresh_from_db()
    assert again.status == _A


def test_move_up_and_down_change_the_stored_order(as_editor: Client, filled: Issue) -> None:
    a, b, c = _order(filled)
    page = as_editor.get(reverse("editor:issue-builder", args=[filled.pk])).content.decode()
    # The buttons carry the whole new order: b up, and a down, are the same swap.
    assert page.count(f'value="{b},{a},{c}"') == 2
    response = as_editor.post(
        reverse("editor:entry-reorder", args=[filled.pk]), {"order": f"{b},{a},{c}"}
    )
    assert response.status_code == 302
    assert _order(filled) == [b, a, c]
    as_editor.post(reverse("editor:entry-reorder", args=[filled.pk]), {"order": f"{b},{c},{a}"})
    assert _order(filled) == [b, c, a]


def test_reorder_with_a_stale_list_is_refused_and_changes_nothing(
    as_editor: Client, editor: Any, filled: Issue
) -> None:
    a, b, c = _order(filled)
    stale = f"{b},{a},{c}"  # the page's order, before another editor took c out
    services.unschedule_recommendation(IssueEntry.objects.get(pk=c), by=editor)
    response = as_editor.post(reverse("editor:entry-reorder", args=[filled.pk]), {"order": stale})
    assert response.status_code == 302
    assert _messages(response) == ["List every entry of the issue exactly once."]
    assert _order(filled) == [a, b]


def test_reorder_with_garbage_is_a_bad_request(as_editor: Client, filled: Issue) -> None:
    before = _order(filled)
    response = as_editor.post(reverse("editor:entry-reorder", args=[filled.pk]), {"order": "a,b"})
    assert response.status_code == 400
    assert _order(filled) == before


def test_move_buttons_return_to_the_moved_entry_and_hide_at_the_ends(
    as_editor: Client, filled: Issue
) -> None:
    a, b, c = _order(filled)
    url = reverse("editor:entry-reorder", args=[filled.pk])
    response = as_editor.post(url, {"order": f"{c},{a},{b}", "entry": str(c)})
    builder = reverse("editor:issue-builder", args=[filled.pk])
    assert response["Location"] == f"{builder}#entry-{c}"
    assert _order(filled) == [c, a, b]
    page = as_editor.get(builder).content.decode()
    # Every entry has both forms (the script moves entries in place); the ones that cannot move
    # are hidden, so the page without the script shows what it showed before.
    assert page.count('data-move="up"') == page.count('data-move="down"') == 3
    assert page.count('class="inline" hidden>') == 2
    assert f'data-reorder-url="{url}"' in page
    assert 'data-handle="Move “%(title)s”"' in page
    assert "/static/issues/reorder.js" in page


def test_reorder_for_the_script_answers_json_and_stores_no_message(
    as_editor: Client, filled: Issue
) -> None:
    url = reverse("editor:entry-reorder", args=[filled.pk])

    def last_to_top() -> tuple[HttpResponse, int]:
        *others, last = _order(filled)
        with CaptureQueriesContext(connection) as queries:
            response = as_editor.post(
                url,
                {"order": ",".join(map(str, [last, *others])), "entry": str(last)},
                headers={"accept": "application/json"},
            )
        assert response.status_code == 200
        assert response.json() == {
            "order": [last, *others],
            "message": "The entries were reordered.",
        }
        assert _order(filled) == [last, *others]
        assert _messages(response) == []  # nothing waits to be shown on the next page
        return response, len(queries)

    _response, three = last_to_top()
    for position in range(4, 15):
        IssueEntryFactory(issue=filled, position=position)
    _response, fourteen = last_to_top()  # the issue's complaint: the last of 14 to the top
    assert fourteen == three
    assert IssueTransition.objects.filter(issue=filled, note="Reordered entries").count() == 2


@pytest.mark.parametrize(
    ("order", "status", "code"),
    [
        ("STALE", 400, "bad_order"),
        ("a,b", 400, "invalid"),
    ],
)
def test_reorder_for_the_script_refused_answers_json_and_changes_nothing(
    as_editor: Client, editor: Any, filled: Issue, order: str, status: int, code: str
) -> None:
    a, b, c = _order(filled)
    if order == "STALE":
        order = f"{c},{b},{a}"
        services.unschedule_recommendation(IssueEntry.objects.get(pk=c), by=editor)
    response = as_editor.post(
        reverse("editor:entry-reorder", args=[filled.pk]),
        {"order": order},
        headers={"accept": "application/json"},
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert _order(filled) in ([a, b, c], [a, b])


def test_reorder_for_the_script_needs_the_csrf_token(editor: Any, filled: Issue) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    before = _order(filled)
    response = client.post(
        reverse("editor:entry-reorder", args=[filled.pk]),
        {"order": ",".join(map(str, reversed(before)))},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 403
    assert _order(filled) == before


def test_reorder_for_the_script_of_a_published_issue_is_a_conflict(
    as_editor: Client, published: Issue
) -> None:
    entry = published.entries.get()
    response = as_editor.post(
        reverse("editor:entry-reorder", args=[published.pk]),
        {"order": str(entry.pk)},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "cannot_edit"


def test_remove_unschedules_the_recommendation(as_editor: Client, filled: Issue) -> None:
    entry = filled.entries.order_by("position").first()
    recommendation = entry.recommendation
    response = as_editor.post(reverse("editor:entry-remove", args=[filled.pk, entry.pk]))
    assert response.status_code == 302
    assert not IssueEntry.objects.filter(pk=entry.pk).exists()
    recommendation.refresh_from_db()
    assert recommendation.status == _A
    # A second click finds it gone, and says so.
    again = as_editor.post(reverse("editor:entry-remove", args=[filled.pk, entry.pk]))
    assert _messages(again)[-1] == "This entry is no longer in the issue."
    assert filled.entries.count() == 2


def test_builder_queries_do_not_grow_with_entries(
    as_editor: Client, publication: Publication, draft: Issue
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = as_editor.get(reverse("editor:issue-builder", args=[draft.pk]))
        assert response.status_code == 200
        return len(queries)

    IssueEntryFactory(issue=draft, recommendation__paper__authors=["A. One"])
    _accepted(publication)
    one = count()
    for _n in range(6):
        IssueEntryFactory(issue=draft, recommendation__paper__authors=["B. Two", "C. Three"])
        _accepted(publication)
        IssueEntryFactory(issue=draft, recommendation__news=True)
    assert count() == one


def test_builder_shows_each_entry_whole_and_edits_it_in_place(
    as_editor: Client, draft: Issue
) -> None:
    entry = IssueEntryFactory(
        issue=draft,
        recommendation__summary="A summary with **bold** words.",
        recommendation__subject_zh="段落检索",
        recommendation__paper__authors=["A. One", "B. Two"],
    )
    recommendation = entry.recommendation
    url = reverse("editor:issue-builder", args=[draft.pk])
    page = as_editor.get(url).content.decode()
    assert "<strong>bold</strong>" in page
    assert "A. One, B. Two" in page
    assert "段落检索" in page
    assert f'action="{reverse("review:revise", args=[recommendation.pk])}"' in page
    assert f'name="next" value="{url}#entry-{entry.pk}"' in page

    response = as_editor.post(
        reverse("review:revise", args=[recommendation.pk]),
        {
            f"entry-{recommendation.pk}-summary": "Polished in the builder.",
            f"entry-{recommendation.pk}-shown_authors": "A. One\r\n等",
            "next": f"{url}#entry-{entry.pk}",
        },
    )
    assert response["Location"] == f"{url}#entry-{entry.pk}"
    page = as_editor.get(url).content.decode()
    assert "Polished in the builder." in page
    assert "A. One, 等" in page


def test_builder_chooses_the_lead_items_of_the_headline(
    as_editor: Client, draft: Issue, client: Client
) -> None:
    first = IssueEntryFactory(issue=draft, recommendation__paper__title="First paper")
    second = IssueEntryFactory(issue=draft, recommendation__paper__title="Second paper")
    Issue.objects.filter(pk=draft.pk).update(title="")
    url = reverse("editor:issue-builder", args=[draft.pk])
    page = as_editor.get(url).content.decode()
    assert f'action="{reverse("editor:issue-leads", args=[draft.pk])}"' in page

    response = as_editor.post(
        reverse("editor:issue-leads", args=[draft.pk]), {"leads": [second.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == (second.recommendation.title_zh or "Second paper")
    assert list(draft.entries.filter(is_lead=True)) == [second]
    assert not IssueEntry.objects.get(pk=first.pk).is_lead

    bad = as_editor.post(reverse("editor:issue-leads", args=[draft.pk]), {"leads": ["999999"]})
    assert bad.status_code == 400
    assert list(draft.entries.filter(is_lead=True)) == [second]


# --- publishing ---------------------------------------------------------------------------------


def test_publish_asks_for_confirmation_first(as_editor: Client, filled: Issue) -> None:
    page = as_editor.get(reverse("editor:issue-publish", args=[filled.pk]))
    assert page.status_code == 200
    assert "Yes, publish now" in page.content.decode()
    filled.refresh_from_db()
    assert filled.status == IssueStatus.DRAFT


def test_publish_now_numbers_issues_and_redirects_to_the_public_page(
    as_editor: Client, publication: Publication, filled: Issue
) -> None:
    response = as_editor.post(reverse("editor:issue-publish", args=[filled.pk]))
    filled.refresh_from_db()
    assert filled.status == IssueStatus.PUBLISHED
    assert filled.number == 1
    assert response["Location"] == reverse("issues:issue-detail", args=[publication.slug, 1])
    assert set(filled.entries.values_list("recommendation__status", flat=True)) == {"published"}
    second = IssueFactory(publication=publication)
    IssueEntryFactory(issue=second)
    response = as_editor.post(reverse("editor:issue-publish", args=[second.pk]))
    second.refresh_from_db()
    assert second.number == 2
    assert response["Location"] == reverse("issues:issue-detail", args=[publication.slug, 2])
    assert as_editor.get(response["Location"]).status_code == 200


def test_publish_twice_gives_a_message_not_a_second_number(
    as_editor: Client, publication: Publication, filled: Issue
) -> None:
    as_editor.post(reverse("editor:issue-publish", args=[filled.pk]))
    transitions = Transition.objects.count()
    response = as_editor.post(reverse("editor:issue-publish", args=[filled.pk]))
    assert response.status_code == 302
    assert _messages(response)[-1] == "An issue that is published cannot be published."
    filled.refresh_from_db()
    assert filled.number == 1
    assert list(Issue.objects.values_list("number", flat=True)) == [1]
    assert Transition.objects.count() == transitions


def test_publish_an_empty_issue_is_refused_with_a_message(as_editor: Client, draft: Issue) -> None:
    response = as_editor.post(reverse("editor:issue-publish", args=[draft.pk]))
    assert response["Location"] == reverse("editor:issue-builder", args=[draft.pk])
    assert _messages(response) == ["An issue needs at least one entry to be published."]
    draft.refresh_from_db()
    assert draft.status == IssueStatus.DRAFT
    assert draft.number is None


def test_schedule_reads_the_time_in_the_site_time_zone_and_unschedule_clears_it(
    as_editor: Client, filled: Issue, settings: Any
) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"
    page = as_editor.get(reverse("editor:issue-builder", args=[filled.pk])).content.decode()
    assert 'type="datetime-local"' in page
    assert "Asia/Shanghai" in page
    assert '<label for="id_publish_at">' in page
    response = as_editor.post(
        reverse("editor:issue-schedule", args=[filled.pk]), {"publish_at": "2031-01-02T09:30"}
    )
    assert response.status_code == 302
    filled.refresh_from_db()
    assert filled.status == IssueStatus.SCHEDULED
    assert filled.publish_at == dt.datetime(2031, 1, 2, 1, 30, tzinfo=dt.UTC)
    page = as_editor.get(reverse("editor:issue-builder", args=[filled.pk])).content.decode()
    assert 'value="2031-01-02T09:30"' in page
    assert "Unschedule" in page
    as_editor.post(reverse("editor:issue-unschedule", args=[filled.pk]))
    filled.refresh_from_db()
    assert filled.status == IssueStatus.DRAFT
    assert filled.publish_at is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("next tuesday", "Enter a date and a time"),
        ("2001-01-01T10:00", "The publication time must be in the future."),
    ],
)
def test_schedule_refuses_a_bad_time_on_the_form(
    as_editor: Client, filled: Issue, value: str, error: str
) -> None:
    response = as_editor.post(
        reverse("editor:issue-schedule", args=[filled.pk]), {"publish_at": value}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    filled.refresh_from_db()
    assert filled.status == IssueStatus.DRAFT
    assert filled.publish_at is None


def test_unschedule_a_draft_is_refused_with_a_message(as_editor: Client, filled: Issue) -> None:
    response = as_editor.post(reverse("editor:issue-unschedule", args=[filled.pk]))
    assert _messages(response) == ["An issue that is draft cannot be unscheduled."]
    filled.refresh_from_db()
    assert filled.status == IssueStatus.DRAFT


# --- corrections --------------------------------------------------------------------------------


def test_correction_is_recorded_and_shown_on_the_public_page(
    as_editor: Client, publication: Publication, published: Issue
) -> None:
    entry = published.entries.get()
    page = as_editor.get(reverse("editor:issue-correct", args=[published.pk])).content.decode()
    assert f'name="entry-{entry.pk}-shown_title"' in page
    data = {
        "note": "Fixed the <script>x</script> title.",
        "title": published.title,
        f"entry-{entry.pk}-shown_title": "Attention Is All You Need",
        f"entry-{entry.pk}-shown_summary": entry.shown_summary,
        f"entry-{entry.pk}-shown_url": entry.shown_url,
    }
    response = as_editor.post(reverse("editor:issue-correct", args=[published.pk]), data)
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.note == "Fixed the <script>x</script> title."
    assert correction.changes == [
        {
            "entry": entry.pk,
            "field": "shown_title",
            "old": "Attention is all you need",
            "new": "Attention Is All You Need",
        }
    ]
    entry.refresh_from_db()
    assert entry.shown_title == "Attention Is All You Need"
    public = as_editor.get(published.get_absolute_url()).content.decode()
    assert "Fixed the &lt;script&gt;x&lt;/script&gt; title." in public
    assert "Attention Is All You Need" in public
    listed = as_editor.get(reverse("editor:issue-correct", args=[published.pk])).content.decode()
    assert "Fixed the &lt;script&gt;x&lt;/script&gt; title." in listed


def test_correction_without_note_or_change_is_refused(as_editor: Client, published: Issue) -> None:
    url = reverse("editor:issue-correct", args=[published.pk])
    no_note = as_editor.post(url, {"note": "", "title": "New"})
    assert no_note.status_code == 200
    assert "This field is required." in no_note.content.decode()
    no_change = as_editor.post(url, {"note": "Nothing really", "title": published.title})
    assert no_change.status_code == 200
    assert "Nothing was changed." in no_change.content.decode()
    bad_url = as_editor.post(
        url,
        {
            "note": "Link",
            "title": published.title,
            f"entry-{published.entries.get().pk}-shown_url": "ftp://x",
        },
    )
    assert "Enter a full web address" in bad_url.content.decode()
    assert not Correction.objects.exists()
    published.refresh_from_db()
    assert published.title == "Issue one"


def _as_a_browser_sends_it(page: str) -> dict[str, str]:
    """Every field of the correction form as a browser posts it back: textareas with CRLF line
    breaks (the HTML standard's form encoding), inputs as they are."""
    data = {}
    for name, value in re.findall(r'<input type="text" name="([^"]+)"(?: value="([^"]*)")?', page):
        data[name] = html.unescape(value)
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        data[name] = html.unescape(value).replace("\n", "\r\n")
    return data


def test_correction_of_a_whole_form_sent_back_records_only_what_changed(
    as_editor: Client, published: Issue
) -> None:
    """The correction form sent back as a browser sends it: an erratum alone changes nothing
    and is refused; one edited summary is the one change recorded, named as people know it."""
    url = reverse("editor:issue-correct", args=[published.pk])
    entry = published.entries.get()
    IssueEntry.objects.filter(pk=entry.pk).update(shown_authors="Ada Lovelace\nAlan Turing")
    published.intro_en = "Two lines\nof introduction."
    published.save(update_fields=["intro_en"])
    data = _as_a_browser_sends_it(as_editor.get(url).content.decode())
    assert data[f"entry-{entry.pk}-shown_authors"] == "Ada Lovelace\r\nAlan Turing"
    assert (data["intro_en"], data[f"entry-{entry.pk}-shown_code_url"]) == (
        "Two lines\r\nof introduction.",
        "",
    )

    refused = as_editor.post(url, {**data, "note": "Only an erratum."})
    assert refused.status_code == 200
    assert "Nothing was changed." in refused.content.decode()
    assert not Correction.objects.exists()

    summary = f"entry-{entry.pk}-shown_summary"
    response = as_editor.post(url, {**data, "note": "Better.", summary: "A better\r\nsummary."})
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.changes == [
        {
            "entry": entry.pk,
            "field": "shown_summary",
            "old": "A summary.",
            "new": "A better\nsummary.",
        }
    ]
    page = as_editor.get(url).content.decode()
    assert "Summary of entry 1: <del>A summary.</del>" in page
    assert "shown_summary" not in page.split('id="past-corrections"')[1]


def test_builder_of_a_published_issue_leads_to_its_corrections(
    as_editor: Client, published: Issue, draft: Issue
) -> None:
    response = as_editor.get(reverse("editor:issue-builder", args=[published.pk]))
    assert response["Location"] == reverse("editor:issue-correct", args=[published.pk])
    response = as_editor.get(reverse("editor:issue-correct", args=[draft.pk]))
    assert response["Location"] == reverse("editor:issue-builder", args=[draft.pk])


# --- between publications -----------------------------------------------------------------------


def test_editor_of_one_publication_cannot_touch_anothers_issue(
    as_editor: Client, other_publication: Publication
) -> None:
    theirs = IssueFactory(publication=other_publication, title="Theirs")
    IssueEntryFactory(issue=theirs)
    theirs_published = IssueFactory(publication=other_publication, published=True, number=1)
    before = _snapshot()
    assert as_editor.get(reverse("editor:issue-builder", args=[theirs.pk])).status_code == 404
    assert as_editor.post(reverse("editor:issue-publish", args=[theirs.pk])).status_code == 404
    assert (
        as_editor.post(
            reverse("editor:issue-builder", args=[theirs.pk]), {"title": "Mine now"}
        ).status_code
        == 404
    )
    assert (
        as_editor.post(
            reverse("editor:issue-correct", args=[theirs_published.pk]),
            {"note": "x", "title": "y"},
        ).status_code
        == 403
    )
    assert (
        as_editor.post(reverse("editor:issue-create", args=[other_publication.slug])).status_code
        == 403
    )
    assert _snapshot() == before


# --- after publishing ---------------------------------------------------------------------------


def test_progress_panel_and_its_json_show_the_newsletters_figures(
    as_editor: Client, published: Issue, publication: Publication
) -> None:
    from newsletter.enums import DeliveryStatus, SubscriberStatus
    from newsletter.models import Delivery
    from tests.factories.newsletter import SubscriberFactory

    for status in ("sent", "sent", "failed", "queued", "sending", "skipped"):
        Delivery.objects.create(
            issue=published,
            subscriber=SubscriberFactory(publication=publication),
            status=status,
            sent_at=timezone.now() if status == DeliveryStatus.SENT else None,
        )
    SubscriberFactory(publication=publication, status=SubscriberStatus.SUPPRESSED)

    answer = as_editor.get(reverse("editor:issue-progress", args=[published.pk])).json()
    newsletter = next(p for p in answer["progress"] if p["key"] == "newsletter")
    figures = {count["key"]: count["value"] for count in newsletter["counts"]}
    assert figures == {"sent": 2, "failed": 1, "pending": 2, "skipped": 1, "suppressed": 1}
    assert newsletter["done"] is False
    assert answer["done"] is False

    page = as_editor.get(reverse("editor:issue-correct", args=[published.pk])).content.decode()
    assert 'data-count="newsletter.sent">2<' in page
    assert 'data-count="newsletter.pending">2<' in page
    assert "issues/progress" in page  # the polling script, from the static files

    Delivery.objects.filter(status__in=["queued", "sending"]).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    answer = as_editor.get(reverse("editor:issue-progress", args=[published.pk])).json()
    assert answer["done"] is True


def test_progress_of_an_unpublished_issue_is_empty(as_editor: Client, draft: Issue) -> None:
    answer = as_editor.get(reverse("editor:issue-progress", args=[draft.pk])).json()
    assert answer == {"issue": draft.pk, "published": False, "done": True, "progress": []}
