"""The issue admin: created, edited, reordered and published through the services; a published
issue is read-only, and a refusal is reported, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone

from common.exceptions import Conflict
from issues import services as issue_services
from issues.enums import IssueStatus
from issues.models import Correction, Issue, IssueEntry, IssueTransition
from issues.services import (
    schedule_issue,
    unschedule_recommendation,
)
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation, Transition
from tests.admin_site import _action, _form_data, _messages, _readonly_values, _url

pytestmark = pytest.mark.django_db


# --- read-only workflow status --------------------------------------------------------------------


def test_issue_admin_published_issue_is_view_only(admin_client: Any, site: Any) -> None:
    response = admin_client.get(_url(Issue, "change", site.published.pk))
    assert response.context["title"] == "View issue"
    html = response.content.decode()
    for name in ("status", "number", "title", "published_at"):
        assert f'name="{name}"' not in html
    values = _readonly_values(response)
    assert (values["status"], values["number"]) == ("Published", "1")


def test_issue_admin_draft_issue_status_is_read_only(admin_client: Any, site: Any) -> None:
    response = admin_client.get(_url(Issue, "change", site.draft.pk))
    html = response.content.decode()
    assert 'name="title"' in html
    assert 'name="status"' not in html
    assert 'name="number"' not in html
    assert _readonly_values(response)["status"] == "Draft"


def test_issue_admin_post_to_a_published_issue_is_refused(admin_client: Any, site: Any) -> None:
    url = _url(Issue, "change", site.published.pk)
    response = admin_client.post(url, {"title": "Rewritten", "status": IssueStatus.DRAFT})
    assert response.status_code == 403
    site.published.refresh_from_db()
    assert (site.published.status, site.published.title) == (
        IssueStatus.PUBLISHED,
        "Phrase retrieval!",
    )


# --- issue actions ------------------------------------------------------------------------------


def test_issue_admin_publish_now_publishes_a_draft(
    admin_client: Any, admin_user: Any, rl_draft: Any
) -> None:
    issue = rl_draft.issue
    unschedule_recommendation(rl_draft.entries[1], by=admin_user)
    response = _action(admin_client, Issue, "publish_now", [issue])
    assert response.status_code == 302
    assert _messages(response) == [(messages.SUCCESS, "1 issue was published.")]
    issue.refresh_from_db()
    assert (issue.status, issue.number) == (IssueStatus.PUBLISHED, 1)
    assert issue.published_at is not None
    transition = IssueTransition.objects.get(issue=issue, action="publish")
    assert (transition.actor, transition.from_status, transition.to_status) == (
        admin_user,
        IssueStatus.DRAFT,
        IssueStatus.PUBLISHED,
    )
    statuses = [Recommendation.objects.get(pk=rec.pk).status for rec in rl_draft.recommendations]
    assert statuses == [RecommendationStatus.PUBLISHED, RecommendationStatus.ACCEPTED]


def test_issue_admin_publish_now_reports_an_empty_issue(admin_client: Any, site: Any) -> None:
    issue = site.draft
    transitions = IssueTransition.objects.filter(issue=issue).count()
    response = _action(admin_client, Issue, "publish_now", [issue])
    assert response.status_code == 302
    assert _messages(response) == [
        (messages.ERROR, f"{issue}: An issue needs at least one entry to be published."),
        (messages.WARNING, "0 issues were published."),
    ]
    issue.refresh_from_db()
    assert (issue.status, issue.number, issue.published_at) == (IssueStatus.DRAFT, None, None)
    assert IssueTransition.objects.filter(issue=issue).count() == transitions


def test_issue_admin_publish_now_reports_each_refusal_and_publishes_the_rest(
    admin_client: Any, site: Any, rl_draft: Any
) -> None:
    response = _action(admin_client, Issue, "publish_now", [site.draft, rl_draft.issue])
    assert _messages(response) == [
        (messages.ERROR, f"{site.draft}: An issue needs at least one entry to be published."),
        (messages.SUCCESS, "1 issue was published."),
    ]
    rl_draft.issue.refresh_from_db()
    site.draft.refresh_from_db()
    assert (rl_draft.issue.status, rl_draft.issue.number) == (IssueStatus.PUBLISHED, 1)
    assert site.draft.status == IssueStatus.DRAFT


def test_issue_admin_publish_now_leaves_a_published_issue_alone(
    admin_client: Any, site: Any
) -> None:
    issue = site.published
    label = str(issue)
    response = _action(admin_client, Issue, "publish_now", [issue])
    (error, summary) = _messages(response)
    assert error[0] == messages.ERROR
    assert error[1].startswith(f"{label}: ")
    assert summary == (messages.WARNING, "0 issues were published.")
    issue.refresh_from_db()
    assert (issue.status, issue.number) == (IssueStatus.PUBLISHED, 1)
    assert Issue.objects.filter(publication=site.publication, number=2).count() == 0


def test_issue_admin_publish_now_on_a_published_issue_names_the_state(
    admin_client: Any, site: Any
) -> None:
    response = _action(admin_client, Issue, "publish_now", [site.published])
    assert _messages(response)[0] == (
        messages.ERROR,
        f"{site.published}: An issue that is published cannot be published.",
    )


def test_issue_admin_unschedule_turns_a_scheduled_issue_into_a_draft(
    admin_client: Any, admin_user: Any, site: Any, rl_draft: Any
) -> None:
    issue = rl_draft.issue
    schedule_issue(issue, by=admin_user, publish_at=timezone.now() + dt.timedelta(days=2))
    response = _action(admin_client, Issue, "unschedule", [issue, site.draft])
    assert sorted(_messages(response)) == [
        (messages.SUCCESS, "1 issue was unscheduled."),
        (messages.ERROR, f"{site.draft}: An issue that is draft cannot be unscheduled."),
    ]
    issue.refresh_from_db()
    assert (issue.status, issue.publish_at) == (IssueStatus.DRAFT, None)
    transition = IssueTransition.objects.filter(issue=issue).latest("id")
    assert (transition.action, transition.actor) == ("unschedule", admin_user)


# --- issues through the services -----------------------------------------------------------------


def test_issue_admin_add_creates_through_the_service(
    admin_client: Any, admin_user: Any, site: Any
) -> None:
    data = _form_data(admin_client.get(_url(Issue, "add")))
    data.update(
        publication=site.publication.pk,
        title="  Network architecture  ",
        intro_zh="本期精选了2篇预训练相关论文。",
        intro_en="This issue picks 2 papers on pretraining.",
        credits="张三 李四",
        status=IssueStatus.PUBLISHED,  # not a field of the form: ignored
    )
    response = admin_client.post(_url(Issue, "add"), data)
    assert response.status_code == 302
    issue = Issue.objects.get(title="Network architecture")  # stripped by the service
    assert (issue.status, issue.number, issue.created_by) == (IssueStatus.DRAFT, None, admin_user)
    assert (issue.intro_zh, issue.credits) == ("本期精选了2篇预训练相关论文。", "张三 李四")
    transition = IssueTransition.objects.get(issue=issue)
    assert (transition.action, transition.actor, transition.to_status) == (
        "create",
        admin_user,
        IssueStatus.DRAFT,
    )


def test_issue_admin_change_updates_through_the_service(
    admin_client: Any, admin_user: Any, site: Any
) -> None:
    url = _url(Issue, "change", site.draft.pk)
    data = _form_data(admin_client.get(url))
    data.update(title="Phrase retrieval and more")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    site.draft.refresh_from_db()
    assert site.draft.title == "Phrase retrieval and more"
    transition = IssueTransition.objects.filter(issue=site.draft).latest("id")
    assert (transition.action, transition.actor, transition.note) == (
        "edit",
        admin_user,
        "Changed: title",
    )


def test_issue_admin_change_without_changes_writes_nothing(admin_client: Any, site: Any) -> None:
    url = _url(Issue, "change", site.draft.pk)
    transitions = Transition.objects.count()
    response = admin_client.post(url, _form_data(admin_client.get(url)))
    assert response.status_code == 302
    assert Transition.objects.count() == transitions


def test_issue_admin_change_refused_by_the_service_is_reported(
    admin_client: Any, site: Any
) -> None:
    url = _url(Issue, "change", site.draft.pk)
    data = _form_data(admin_client.get(url))
    data.update(title="Changed", intro_en="x" * 20_001)
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == url
    assert _messages(response) == [
        (messages.ERROR, "introduction (English): At most 20000 characters, please.")
    ]
    site.draft.refresh_from_db()
    assert (site.draft.title, site.draft.intro_en) == ("Next week", "")


def test_issue_admin_control_characters_are_a_form_error(admin_client: Any, site: Any) -> None:
    url = _url(Issue, "change", site.draft.pk)
    data = _form_data(admin_client.get(url))
    data.update(title="Bell\x07")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "title": ["This text contains control characters."]
    }
    site.draft.refresh_from_db()
    assert site.draft.title == "Next week"


def test_issue_admin_entries_reordered_through_the_service(
    admin_client: Any, admin_user: Any, rl_draft: Any
) -> None:
    first, second = rl_draft.entries
    url = _url(Issue, "change", rl_draft.issue.pk)
    data = _form_data(admin_client.get(url))
    data.update({"entries-0-position": 2, "entries-1-position": 1})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    positions = dict(IssueEntry.objects.values_list("pk", "position"))
    assert (positions[first.pk], positions[second.pk]) == (2, 1)
    transition = IssueTransition.objects.filter(issue=rl_draft.issue).latest("id")
    assert (transition.action, transition.actor, transition.note) == (
        "edit",
        admin_user,
        "Reordered entries",
    )


def test_issue_admin_entry_removed_through_the_service(
    admin_client: Any, admin_user: Any, rl_draft: Any
) -> None:
    first, second = rl_draft.entries
    url = _url(Issue, "change", rl_draft.issue.pk)
    data = _form_data(admin_client.get(url))
    data["entries-0-DELETE"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert list(rl_draft.issue.entries.values_list("pk", flat=True)) == [second.pk]
    assert not IssueEntry.objects.filter(pk=first.pk).exists()
    recommendation = Recommendation.objects.get(pk=rl_draft.recommendations[0].pk)
    assert recommendation.status == RecommendationStatus.ACCEPTED
    transition = recommendation.transitions.latest("id")
    assert (transition.action, transition.actor) == ("unschedule", admin_user)


def test_issue_admin_rolls_back_the_whole_save_when_a_service_refuses(
    admin_client: Any, rl_draft: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise Conflict("This issue was changed by someone else meanwhile.")

    monkeypatch.setattr(issue_services, "reorder_issue_entries", refuse)
    url = _url(Issue, "change", rl_draft.issue.pk)
    data = _form_data(admin_client.get(url))
    transitions = Transition.objects.count()
    data.update({"title": "Renamed", "entries-0-position": 2, "entries-1-position": 1})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert _messages(response) == [
        (messages.ERROR, "This issue was changed by someone else meanwhile.")
    ]
    rl_draft.issue.refresh_from_db()
    assert rl_draft.issue.title == "Transformers for RL"  # update_issue ran, and was rolled back
    assert Transition.objects.count() == transitions
    assert [e.position for e in rl_draft.issue.entries.order_by("pk")] == [1, 2]


def test_issue_admin_published_issue_entries_are_read_only(admin_client: Any, site: Any) -> None:
    response = admin_client.get(_url(Issue, "change", site.published.pk))
    (entries, _transitions) = response.context["inline_admin_formsets"]
    assert (entries.has_add_permission, entries.has_change_permission) == (False, False)
    assert entries.has_delete_permission is False
    assert 'name="entries-0-position"' not in response.content.decode()


# --- deletion -----------------------------------------------------------------------------------


def test_issue_admin_published_issue_cannot_be_deleted(admin_client: Any, site: Any) -> None:
    url = _url(Issue, "delete", site.published.pk)
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        _url(Issue, "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [site.published.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert response.context["title"] == "Cannot delete issue"
    assert response.context["protected"] == [
        f"{site.published}: a published issue is never deleted."
    ]
    assert Issue.objects.filter(pk=site.published.pk).exists()


def test_issue_admin_draft_with_entries_cannot_be_deleted(admin_client: Any, rl_draft: Any) -> None:
    response = admin_client.post(_url(Issue, "delete", rl_draft.issue.pk), {"post": "yes"})
    assert response.status_code == 200
    assert response.context["protected"] == [
        f"{rl_draft.issue}: remove its entries first, so that their recommendations return to "
        "the accepted ones."
    ]
    assert rl_draft.issue.entries.count() == 2


def test_issue_admin_empty_draft_can_be_deleted(admin_client: Any, site: Any) -> None:
    response = admin_client.post(_url(Issue, "delete", site.draft.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Issue.objects.filter(pk=site.draft.pk).exists()
    assert not IssueTransition.objects.filter(issue_id=site.draft.pk).exists()


# --- corrections ----------------------------------------------------------------------------------


def test_correction_admin_names_the_changes_as_people_know_them(
    admin_client: Any, admin_user: Any, site: Any
) -> None:
    entry = site.published.entries.get()
    issue_services.correct_issue(
        site.published,
        by=admin_user,
        note="Summary fixed.",
        entries={entry.pk: {"shown_summary": "A <better> summary."}},
    )
    correction = Correction.objects.latest("id")
    page = admin_client.get(_url(Correction, "change", correction.pk)).content.decode()
    assert "Summary of entry 1: <del>" in page
    assert "</del> → <ins>A &lt;better&gt; summary.</ins>" in page
    assert "shown_summary" not in page
    listed = admin_client.get(_url(Correction, "changelist")).content.decode()
    assert "summary of entry 1" in listed
    assert "title</td>" in listed  # the site's first correction changed the issue's title
