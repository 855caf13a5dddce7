"""The recommendation admin: view-only, with actions that call the services; the audit trail
cannot be touched."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from papers.models import Paper, PaperMerge
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation, Transition
from recommendations.services import (
    create_recommendation,
)
from tests.admin_site import _action, _messages, _url
from tests.factories import PaperFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def test_recommendation_admin_is_view_only(admin_client: Any, site: Any) -> None:
    url = _url(Recommendation, "change", site.news.pk)
    response = admin_client.post(url, {"status": RecommendationStatus.ACCEPTED})
    assert response.status_code == 403
    site.news.refresh_from_db()
    assert site.news.status == RecommendationStatus.SUBMITTED
    assert 'name="status"' not in admin_client.get(url).content.decode()


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


# --- the catalogue's merge action ---------------------------------------------------------------


def _merge(client: Any, papers: list[Any]) -> Any:
    return client.post(
        reverse("admin:papers_paper_changelist"),
        {"action": "merge", ACTION_CHECKBOX_NAME: [p.pk for p in papers], "index": 0},
    )


def test_merge_action_keeps_the_older_row_and_records_the_merge(
    admin_user: Any, client: Any, publication: Any, contributor: Any
) -> None:
    older = PaperFactory(title="Older")
    newer = PaperFactory(arxiv_id=None, aminer_id="614407b25244ab9dcbd29c5c", title="Newer")
    for paper in (older, newer):
        RecommendationFactory(publication=publication, submitter=contributor, paper=paper)
    client.force_login(admin_user)

    response = _merge(client, [newer, older])

    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "Newer was merged into Older."
    ]
    assert list(Paper.objects.values_list("pk", "aminer_id")) == [
        (older.pk, "614407b25244ab9dcbd29c5c")
    ]
    assert PaperMerge.objects.get().removed_id == newer.pk


def test_merge_action_wants_exactly_two_papers(admin_user: Any, client: Any) -> None:
    papers = PaperFactory.create_batch(3)
    client.force_login(admin_user)

    response = _merge(client, papers)

    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "Select exactly two papers to merge."
    ]
    assert Paper.objects.count() == 3
    assert not PaperMerge.objects.exists()
