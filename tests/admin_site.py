"""The admin site the admin tests work with: a few rows of every model, made through the
services, and helpers to drive the admin's pages. ``site`` and ``rl_draft`` are registered for
every test by ``tests/conftest.py``."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from contributors.services import get_api_token
from issues.services import (
    correct_issue,
    create_issue,
    import_issue,
    publish_issue,
    schedule_recommendation,
)
from newsletter import services as newsletter_services
from notifications.services import notify_published
from papers.enums import MetadataStatus
from papers.models import Institution, Paper
from papers.services import AuthorData, PaperMetadata, apply_paper_metadata
from papers.services.institutions import name_institution
from publications.models import Publication, Topic
from publications.services import (
    create_publication,
    set_publication_style,
    upload_publication_image,
)
from recommendations.enums import RecommendationKind, Verdict
from recommendations.models import Recommendation
from recommendations.services import (
    create_recommendation,
    enter_paper_metadata,
    merge_papers,
    review_recommendation,
)
from tests.factories import SubscriberFactory
from tests.factories.drafting import drafting_rows
from tests.factories.inbox import inbox_rows
from tests.factories.publications import png_bytes
from webhooks import services as webhook_services
from webhooks.models import Delivery as WebhookDelivery
from webhooks.models import Endpoint
from webhooks.tasks import task_emit_event

# --- data ---------------------------------------------------------------------------------------

#: A past issue in the digest's plain-text layout, written here.
PAST_ISSUE = (
    "往期标题\n\n论文推荐\n\n标题：示例大学 | A Past Paper（一篇往期论文）\n作者：Ada Lovelace\n"
    "简介：往期的简介。\n论文地址：https://www.aminer.cn/pub/5f0e8b2d9e795ea8c3a5d1c0\n\n"
    "（本期贡献者：往期贡献者）\n"
)


def _url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _accepted(
    publication: Publication, *, by: Any, reviewer: Any, identifier: str, title: str, topic: Any
) -> Recommendation:
    """A paper recommendation with metadata, submitted, reviewed and accepted; under the
    publication's topic of ``topic``'s slug (made like ``topic`` when it has none)."""
    if topic is not None and topic.publication_id != publication.pk:
        topic, _created = Topic.objects.get_or_create(
            publication=publication,
            slug=topic.slug,
            defaults={"name_en": topic.name_en, "name_zh": topic.name_zh},
        )
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
    endpoint = webhook_services.create_endpoint(
        publication,
        by=admin_user,
        url="https://hooks.example.org/weekly",
        events=["issue.published"],
    )
    published = create_issue(publication, by=admin_user, title="Phrase retrieval")
    schedule_recommendation(featured, issue=published, by=admin_user)
    publish_issue(published, by=admin_user)
    # What publishing does after its commit for webhooks: the event, its delivery, one call
    # (refused at once: the endpoint's address was moved to a documentation range).
    task_emit_event("issue.published", published.pk)
    Endpoint.objects.filter(pk=endpoint.pk).update(url="https://192.0.2.1/weekly")
    webhook_services.attempt_delivery(WebhookDelivery.objects.get(endpoint=endpoint))
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
    # The same paper cited by its AMiner link: AMiner's metadata names the arXiv id another row
    # holds, and the two rows are recorded as possible duplicates.
    on_aminer = Paper.objects.create(aminer_id="614407b25244ab9dcbd29c5c")
    apply_paper_metadata(
        on_aminer,
        PaperMetadata(
            title="Phrase Retrieval Learns Passage Retrieval, Too", arxiv_id="2109.08133"
        ),
        source="aminer",
    )
    # One paper recommended twice under two rows, which an editor merged.
    twice = [
        create_recommendation(
            by=contributor, publication=publication, identifier=i, summary="Same."
        )
        for i in ("2401.00077", "https://www.aminer.cn/pub/5f0e8b2d9e795ea8c3a5d1b0")
    ]
    merge_papers(twice[0].paper, twice[1].paper, by=admin_user)
    # An institution no glossary knew, named by an editor in one click.
    name_institution(
        Institution.objects.get(name="Princeton University"), by=admin_user, short_zh="普林斯顿大学"
    )
    # A past issue brought in from its text: entries without recommendations, a credited name.
    import_issue(publication, PAST_ISSUE, by=admin_user, number=100, date=dt.date(2021, 10, 1))
    draft = create_issue(publication, by=admin_user, title="Next week")
    set_publication_style(publication, by=admin_user, authors_shown=2)
    upload_publication_image(publication, by=admin_user, data=png_bytes(), name="qr.png")
    get_api_token(contributor)
    SubscriberFactory(publication=publication, email="gone@example.org")
    newsletter_services.suppress_address(
        "gone@example.org", reason="bounce", source="smtp", detail="550 5.1.1 No such mailbox"
    )
    newsletter_services.record_soft_bounce(
        "full@example.org", message="issue:1", source="smtp", detail="452 4.2.2 Over quota"
    )
    drafting_rows(publication, featured.paper, editor=admin_user)
    inbox_rows(publication, editor=admin_user, member=contributor)
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
