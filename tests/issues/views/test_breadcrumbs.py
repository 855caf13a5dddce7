"""Breadcrumbs on the deep reader pages that had none: a paper's page (the site, the publication
that last featured it, that issue) and a member's page (the site, the member), in both
languages, at no query more."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue
from issues.services import create_issue, publish_issue, schedule_recommendation
from papers.models import Paper
from publications.enums import TeamRole
from publications.models import Publication
from publications.services import grant_role
from recommendations.enums import RecommendationStatus
from tests.factories import PaperFactory, PublicationFactory, RecommendationFactory, UserFactory
from tests.languages import reverse_in

pytestmark = pytest.mark.django_db

NAV = '<nav class="kicker breadcrumbs" aria-label="Breadcrumb">'


def _feature(publication: Publication, editor: Any, paper: Paper, submitter: Any) -> Issue:
    issue = create_issue(publication, by=editor, title="An issue")
    recommendation = RecommendationFactory(
        publication=publication,
        paper=paper,
        submitter=submitter,
        status=RecommendationStatus.ACCEPTED,
        decided_at=timezone.now(),
    )
    schedule_recommendation(recommendation, issue=issue, by=editor)
    return publish_issue(issue, by=editor)


def _trail(client: Client, url: str, nav: str = NAV) -> str:
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="kicker breadcrumbs"') == 1
    return page.split(nav, 1)[1].split("</nav>", 1)[0]


@pytest.fixture
def featured_twice(publication: Publication, editor: Any, contributor: Any) -> dict[str, Any]:
    """A paper featured by Pretraining Weekly a week ago, then by 强化学习周刊 (RL Weekly)."""
    other = PublicationFactory(slug="rl-weekly", name="RL Weekly", name_zh="强化学习周刊")
    grant_role(editor, role=TeamRole.EDITOR, publication=other)
    paper = PaperFactory(title="Dense Passage Retrieval")
    older = _feature(publication, editor, paper, contributor)
    Issue.objects.filter(pk=older.pk).update(published_at=timezone.now() - dt.timedelta(days=7))
    latest = _feature(other, editor, paper, contributor)
    return {"paper": paper, "latest": latest, "entry": latest.entries.get()}


def test_paper_page_leads_back_through_the_issue_that_last_featured_it(
    client: Client, featured_twice: dict[str, Any]
) -> None:
    paper, latest, entry = (
        featured_twice["paper"],
        featured_twice["latest"],
        featured_twice["entry"],
    )
    trail = _trail(client, reverse("papers:paper-detail", args=[paper.pk]))

    assert trail == (
        f'<a href="/en/">{settings.SITE_NAME}</a>'
        ' › <a href="/en/p/rl-weekly/">RL Weekly</a>'
        f' › <a href="/en/p/rl-weekly/{latest.number}/#entry-{entry.pk}">Issue {latest.number}</a>'
    )
    assert "pretraining-weekly" not in trail


def test_paper_page_breadcrumbs_in_chinese(client: Client, featured_twice: dict[str, Any]) -> None:
    paper, latest = featured_twice["paper"], featured_twice["latest"]
    trail = _trail(
        client,
        reverse_in("zh-hans", "papers:paper-detail", args=[paper.pk]),
        '<nav class="kicker breadcrumbs" aria-label="位置">',
    )

    assert '<a href="/zh/p/rl-weekly/">强化学习周刊</a>' in trail
    assert f">第 {latest.number} 期</a>" in trail


def test_paper_page_never_featured_leads_to_the_site_only(client: Client, db: None) -> None:
    paper = PaperFactory(title="Only Recommended")
    RecommendationFactory(paper=paper)  # submitted: in no published issue

    trail = _trail(client, reverse("papers:paper-detail", args=[paper.pk]))

    assert trail == f'<a href="/en/">{settings.SITE_NAME}</a>'


def test_paper_page_breadcrumbs_cost_no_query(
    client: Client, featured_twice: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    url = reverse("papers:paper-detail", args=[featured_twice["paper"].pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    # Featured once more: the trail names the newest issue, at the same cost.
    third = PublicationFactory(slug="third-weekly", name="Third Weekly")
    editor = UserFactory(username="third-editor")
    grant_role(editor, role=TeamRole.EDITOR, publication=third)
    _feature(third, editor, featured_twice["paper"], UserFactory(username="third-member"))
    with django_assert_max_num_queries(len(before.captured_queries)):
        trail = _trail(client, url)
    assert '<a href="/en/p/third-weekly/">Third Weekly</a>' in trail


def test_contributor_page_breadcrumbs(client: Client, contributor: Any) -> None:
    contributor.display_name = "Ada <Lovelace>"
    contributor.save()

    trail = _trail(client, reverse("issues:contributors-detail", args=[contributor.username]))

    assert trail == (
        f'<a href="/en/">{settings.SITE_NAME}</a>'
        f' › <a href="{reverse("issues:contributor-index")}">Contributors</a>'
        ' › <span aria-current="page">Ada &lt;Lovelace&gt;</span>'
    )
