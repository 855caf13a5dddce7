"""The Django admin of every model: pages answer, workflow status is read-only, actions call the
services and report their refusals, the audit log cannot be touched."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drafting import models as drafting
from inbox import models as inbox
from issues.models import Correction, CreditedName, Issue, IssueEntry, IssueTransition
from issues.services import (
    correct_issue,
    create_issue,
    publish_issue,
    schedule_recommendation,
)
from newsletter.models import Delivery, SoftBounce, Subscriber, Suppression
from notifications.models import Notification
from papers.models import (
    InstitutionGlossaryChange,
    MetadataEntry,
    Paper,
    PaperMerge,
    PossibleDuplicate,
)
from publications.enums import TeamRole
from publications.models import (
    Membership,
    PublicationChange,
    PublicationStyle,
    PublicationUpload,
    Topic,
)
from publications.services import create_publication, grant_role
from recommendations.models import Recommendation, Review, Transition
from tests.admin_site import _accepted, _url
from webhooks import models as webhooks

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "contributors",
    "drafting",
    "papers",
    "publications",
    "recommendations",
    "issues",
    "notifications",
    "newsletter",
    "webhooks",
    "inbox",
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
    CreditedName,
    Notification,
    Subscriber,
    Delivery,
    Suppression,
    SoftBounce,
    MetadataEntry,
    webhooks.Endpoint,
    webhooks.Event,
    webhooks.Delivery,
    webhooks.Attempt,
    PossibleDuplicate,
    PaperMerge,
    InstitutionGlossaryChange,
    PublicationStyle,
    PublicationUpload,
    PublicationChange,
    drafting.HouseStyleSettings,
    drafting.GlossaryTerm,
    drafting.PromptTemplate,
    drafting.Draft,
    drafting.DraftingRequest,
    drafting.BackendProblem,
    inbox.InboxSettings,
    inbox.Watch,
    inbox.Candidate,
    inbox.CandidateTransition,
    inbox.Interest,
    inbox.DigestSubscription,
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
