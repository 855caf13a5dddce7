"""The Django admin of every model: pages answer, workflow status is read-only, actions call the
services and report their refusals, the audit log cannot be touched."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from common.exceptions import Conflict
from issues import services as issue_services
from issues.enums import IssueStatus
from issues.models import Correction, Issue, IssueEntry, IssueTransition
from issues.services import (
    correct_issue,
    create_issue,
    publish_issue,
    schedule_issue,
    schedule_recommendation,
    unschedule_recommendation,
)
from newsletter import services as newsletter_services
from newsletter.models import Delivery, Subscriber
from notifications.models import Notification
from notifications.services import notify_published
from papers.enums import MetadataStatus
from papers.models import MetadataEntry, Paper, Topic
from papers.services import AuthorData, PaperMetadata, apply_paper_metadata
from publications.enums import TeamRole
from publications.models import Membership, Publication
from publications.services import create_publication, grant_role
from recommendations.enums import RecommendationKind, RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review, Transition
from recommendations.services import (
    create_recommendation,
    enter_paper_metadata,
    review_recommendation,
)
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "contributors",
    "papers",
    "publications",
    "recommendations",
    "issues",
    "notifications",
    "newsletter",
}
OUR_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS),
    key=lambda model: model._meta.label,
)
#: Records that only the services write: viewable in the admin, never added, changed or deleted.
READ_ONLY_MODELS = {
    Recommendation,
    Review,
    IssueEntry,
    Transition,
    IssueTransition,
    Correction,
    Notification,
    Subscriber,
    Delivery,
    MetadataEntry,
}


# --- data ---------------------------------------------------------------------------------------


def _url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _accepted(
    publication: Publication, *, by: Any, reviewer: Any, identifier: str, title: str, topic: Any
) -> Recommendation:
    """A paper recommendation with metadata, submitted, reviewed and accepted."""
    recommendation = create_recommendation(
        by=by,
        publication=publication,
        identifier=identifier,
        summary=f"Why {title} matters.",
        title_zh="中文标题",
        topic=topic,
    )
    apply_paper_metadata(
        recommendation.paper,
        PaperMetadata(
            title=title,
            authors=[AuthorData("Jinhyuk Lee", "Korea University"), AuthorData("Danqi Chen")],
            institutions=["Korea University", "Princeton University"],
            published_on=dt.date(2021, 9, 17),
            primary_category="cs.CL",
        ),
        source="arxiv",
    )
    review_recommendation(recommendation, by=reviewer, verdict=Verdict.APPROVE)
    return recommendation


@pytest.fixture
def site(
    admin_user: Any, publication: Publication, contributor: Any, reviewer: Any, topic: Topic
) -> SimpleNamespace:
    """A few rows of every model, made through the services where a workflow is involved:
    a published and corrected issue #1, a submitted news item, an empty draft issue."""
    contributor.display_name = "张三"
    contributor.save(update_fields=["display_name"])
    featured = _accepted(
        publication,
        by=contributor,
        reviewer=reviewer,
        identifier="2109.08133",
        title="Phrase Retrieval Learns Passage Retrieval, Too",
        topic=topic,
    )
    published = create_issue(publication, by=admin_user, title="Phrase retrieval")
    schedule_recommendation(featured, issue=published, by=admin_user)
    publish_issue(published, by=admin_user)
    correct_issue(
        published, by=admin_user, note="Fixed the title.", fields={"title": "Phrase retrieval!"}
    )
    # What publishing does after its commit: the newsletter, and the contributors told.
    SubscriberFactory(publication=publication, email="reader@example.org")
    SubscriberFactory(publication=publication, email="later@example.org", pending=True)
    newsletter_services.queue_issue_newsletter(published)
    newsletter_services.send_newsletter_batch(published)
    notify_published(published)
    news = create_recommendation(
        by=contributor,
        publication=publication,
        kind=RecommendationKind.NEWS,
        news_title="A new benchmark for retrieval",
        news_url="https://news.example.org/benchmark",
        summary="A benchmark of 18 retrieval tasks.",
    )
    # A paper whose fetch gave up, filled in by hand by the member who recommended it.
    unfetched = create_recommendation(
        by=contributor, publication=publication, identifier="2401.00042", summary="Worth a look."
    )
    Paper.objects.filter(pk=unfetched.paper_id).update(metadata_status=MetadataStatus.FAILED)
    enter_paper_metadata(
        Paper.objects.get(pk=unfetched.paper_id),
        by=contributor,
        title="Entered by Hand",
        authors=["Ada Lovelace"],
    )
    draft = create_issue(publication, by=admin_user, title="Next week")
    return SimpleNamespace(
        publication=publication,
        contributor=contributor,
        reviewer=reviewer,
        topic=topic,
        featured=featured,
        published=published,
        news=news,
        draft=draft,
    )


@pytest.fixture
def rl_draft(admin_user: Any, contributor: Any, topic: Topic) -> SimpleNamespace:
    """A publication with no published issue yet and a draft issue holding two entries."""
    publication = create_publication(slug="rl-weekly", name="RL Weekly")
    recommendations = [
        _accepted(
            publication,
            by=contributor,
            reviewer=admin_user,
            identifier=identifier,
            title=title,
            topic=topic,
        )
        for identifier, title in [
            ("2106.01345", "Decision Transformer"),
            ("2106.02039", "Trajectory Transformer"),
        ]
    ]
    issue = create_issue(publication, by=admin_user, title="Transformers for RL")
    entries = [schedule_recommendation(rec, issue=issue, by=admin_user) for rec in recommendations]
    return SimpleNamespace(
        publication=publication, issue=issue, recommendations=recommendations, entries=entries
    )


def _messages(response: Any) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in get_messages(response.wsgi_request)]


def _action(client: Any, model: Any, action: str, objects: list[Any]) -> Any:
    return client.post(
        _url(model, "changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], "index": 0},
    )


def _form_data(response: Any) -> dict[str, Any]:
    """The POST data of an admin change form as it was rendered (main form and inlines)."""
    forms = [response.context["adminform"].form]
    data: dict[str, Any] = {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(n): management[n].value() for n in management.fields})
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _readonly_values(response: Any) -> dict[str, str]:
    return {
        field.field["name"]: str(field.contents())
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
        if field.is_readonly
    }


# --- every model --------------------------------------------------------------------------------


def test_admin_covers_every_model_of_our_apps() -> None:
    from django.apps import apps

    covered = set(OUR_MODELS)
    for model_admin in admin.site._registry.values():
        covered |= {inline.model for inline in model_admin.inlines}
    ours = {m for app in OUR_APPS for m in apps.get_app_config(app).get_models()}
    assert ours - covered == set()


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_lists_every_row(admin_client: Any, site: Any, model: Any) -> None:
    response = admin_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model._default_manager.count() > 0


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_add_page_answers_unless_read_only(admin_client: Any, site: Any, model: Any) -> None:
    response = admin_client.get(_url(model, "add"))
    assert response.status_code == (403 if model in READ_ONLY_MODELS else 200)


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_change_page_answers(admin_client: Any, site: Any, model: Any) -> None:
    # The newest row: for issues that is the draft, which may be changed.
    obj = model._default_manager.order_by("-pk").first()
    response = admin_client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200
    verb = "View" if model in READ_ONLY_MODELS else "Change"
    assert response.context["title"] == f"{verb} {model._meta.verbose_name}"


@pytest.mark.parametrize(
    "model", [Recommendation, Issue, IssueEntry, Transition, Review, Membership, Correction, Paper]
)
def test_admin_changelist_queries_do_not_grow_with_rows(
    admin_client: Any,
    site: Any,
    admin_user: Any,
    contributor: Any,
    reviewer: Any,
    topic: Topic,
    model: Any,
) -> None:
    url = _url(model, "changelist")
    admin_client.get(url)  # warm up the session and content-type caches
    with CaptureQueriesContext(connection) as before:
        rows_before = admin_client.get(url).context["cl"].result_count
    # Another whole cycle: publication, team, reviewed recommendations, published issue.
    other = create_publication(slug="cv-weekly", name="CV Weekly")
    grant_role(reviewer, role=TeamRole.EDITOR, publication=other)
    issue = create_issue(other, by=admin_user, title="Vision")
    for identifier in ("2010.11929", "2103.14030"):
        rec = _accepted(
            other,
            by=contributor,
            reviewer=reviewer,
            identifier=identifier,
            title=f"Paper {identifier}",
            topic=topic,
        )
        schedule_recommendation(rec, issue=issue, by=admin_user)
    publish_issue(issue, by=admin_user)
    correct_issue(issue, by=admin_user, note="Typo.", fields={"title": "Vision!"})
    with CaptureQueriesContext(connection) as after:
        rows_after = admin_client.get(url).context["cl"].result_count
    assert rows_after > rows_before
    assert len(after) == len(before)


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


def test_recommendation_admin_is_view_only(admin_client: Any, site: Any) -> None:
    url = _url(Recommendation, "change", site.news.pk)
    response = admin_client.post(url, {"status": RecommendationStatus.ACCEPTED})
    assert response.status_code == 403
    site.news.refresh_from_db()
    assert site.news.status == RecommendationStatus.SUBMITTED
    assert 'name="status"' not in admin_client.get(url).content.decode()


def test_paper_admin_metadata_status_is_read_only(admin_client: Any, site: Any) -> None:
    paper = site.featured.paper
    url = _url(Paper, "change", paper.pk)
    response = admin_client.get(url)
    html = response.content.decode()
    for name in ("metadata_status", "metadata_attempts", "metadata_error", "metadata_fetched_at"):
        assert f'name="{name}"' not in html
    assert 'name="metadata_source"' in html
    data = _form_data(response)
    data.update(doi="10.48550/ARXIV.2109.08133", metadata_status=MetadataStatus.FAILED)
    response = admin_client.post(url, data)
    assert response.status_code == 302
    paper.refresh_from_db()
    assert (paper.doi, paper.metadata_status) == ("10.48550/arxiv.2109.08133", MetadataStatus.OK)
    assert list(paper.authorships.values_list("author__name", flat=True)) == [
        "Jinhyuk Lee",
        "Danqi Chen",
    ]


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


# --- recommendation actions -----------------------------------------------------------------------


def test_recommendation_admin_accept(admin_client: Any, admin_user: Any, site: Any) -> None:
    response = _action(admin_client, Recommendation, "accept", [site.news])
    assert _messages(response) == [(messages.SUCCESS, "1 recommendation was accepted.")]
    site.news.refresh_from_db()
    assert site.news.status == RecommendationStatus.ACCEPTED
    transition = Transition.objects.filter(recommendation=site.news).latest("id")
    assert (transition.action, transition.actor, transition.from_status) == (
        "accept",
        admin_user,
        RecommendationStatus.SUBMITTED,
    )


def test_recommendation_admin_accept_refuses_a_published_one(admin_client: Any, site: Any) -> None:
    response = _action(admin_client, Recommendation, "accept", [site.featured])
    assert _messages(response) == [
        (
            messages.ERROR,
            f"{site.featured}: A recommendation that is published cannot be accepted.",
        ),
        (messages.WARNING, "0 recommendations were accepted."),
    ]
    site.featured.refresh_from_db()
    assert site.featured.status == RecommendationStatus.PUBLISHED


def test_recommendation_admin_withdraw_refuses_someone_elses(admin_client: Any, site: Any) -> None:
    response = _action(admin_client, Recommendation, "withdraw", [site.news])
    assert _messages(response) == [
        (
            messages.ERROR,
            "A new benchmark for retrieval: Only the member who submitted this recommendation "
            "may withdraw it.",
        ),
        (messages.WARNING, "0 recommendations were withdrawn."),
    ]
    site.news.refresh_from_db()
    assert site.news.status == RecommendationStatus.SUBMITTED


def test_recommendation_admin_withdraw_ones_own(
    admin_client: Any, admin_user: Any, site: Any
) -> None:
    own = create_recommendation(
        by=admin_user, publication=site.publication, identifier="1810.04805", summary="BERT."
    )
    response = _action(admin_client, Recommendation, "withdraw", [own])
    assert _messages(response) == [(messages.SUCCESS, "1 recommendation was withdrawn.")]
    own.refresh_from_db()
    assert own.status == RecommendationStatus.WITHDRAWN


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


def test_publication_admin_with_issues_cannot_be_deleted(admin_client: Any, site: Any) -> None:
    assert admin_client.get(_url(Publication, "delete", site.publication.pk)).status_code == 403
    empty = create_publication(slug="empty", name="Empty Weekly")
    response = admin_client.post(_url(Publication, "delete", empty.pk), {"post": "yes"})
    assert response.status_code == 302
    assert list(Publication.objects.values_list("slug", flat=True)) == ["pretraining-weekly"]


def test_transition_admin_refuses_add_change_delete(admin_client: Any, site: Any) -> None:
    transition = Transition.objects.order_by("id").first()
    count = Transition.objects.count()
    assert admin_client.get(_url(Transition, "add")).status_code == 403
    assert admin_client.post(_url(Transition, "add"), {"action": "x"}).status_code == 403
    change = _url(Transition, "change", transition.pk)
    assert admin_client.post(change, {"to_status": "published"}).status_code == 403
    assert admin_client.post(_url(Transition, "delete", transition.pk)).status_code == 403
    changelist = admin_client.get(_url(Transition, "changelist"))
    assert changelist.context["action_form"] is None  # no actions at all, so no delete_selected
    response = admin_client.post(
        _url(Transition, "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [transition.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert Transition.objects.count() == count
    transition.refresh_from_db()
    assert transition.action == "create"


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


def test_admin_team_roles_and_issues_follow_the_capabilities(
    client: Any, site: Any, other_publication: Publication
) -> None:
    """A staff editor with every Django permission still may not grant roles, and creates issues
    only for the publication they edit."""
    from tests.factories import UserFactory

    staff = UserFactory(username="staff-editor", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="issues"))
    Membership.objects.create(publication=site.publication, user=staff, role=TeamRole.EDITOR)
    client.force_login(staff)
    assert client.get(_url(Membership, "add")).status_code == 403
    response = client.get(_url(Issue, "add"))
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["publication"].queryset
    assert list(choices) == [site.publication]
    assert client.get(_url(Issue, "change", site.draft.pk)).context["title"] == "Change issue"
