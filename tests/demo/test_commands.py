"""The demo's command: seed_demo builds the demo site through the services, once."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from issues.enums import IssueStatus
from issues.models import Issue, IssueTransition
from papers.enums import MetadataStatus
from papers.models import Paper
from publications.models import Membership, Publication
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_issues_queue_and_users(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo")
    publication = Publication.objects.get(slug="pretraining-weekly")
    published = Issue.objects.filter(publication=publication, status=IssueStatus.PUBLISHED)
    assert sorted(published.values_list("number", flat=True)) == [1, 2]
    assert Issue.objects.filter(status=IssueStatus.DRAFT).count() == 1
    statuses = set(Recommendation.objects.values_list("status", flat=True))
    assert {
        RecommendationStatus.PUBLISHED,
        RecommendationStatus.SUBMITTED,
        RecommendationStatus.CHANGES_REQUESTED,
        RecommendationStatus.SCHEDULED,
    } <= statuses
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"editor": "editor", "reviewer": "reviewer"}
    assert get_user_model().objects.get(username="admin").is_superuser
    assert not Paper.objects.exclude(metadata_status=MetadataStatus.OK).exists()
    # Every recommendation went through the services, so each has its audit trail.
    assert not Recommendation.objects.filter(transitions__isnull=True).exists()
    assert IssueTransition.objects.filter(action="publish").count() == 2
    out = capsys.readouterr().out
    for username in ("admin", "editor", "reviewer", "contributor"):
        assert f" {username}\n" in out


def test_seed_demo_twice_is_refused_and_if_empty_is_quiet() -> None:
    call_command("seed_demo")
    count = Recommendation.objects.count()
    with pytest.raises(CommandError, match="exists already"):
        call_command("seed_demo")
    call_command("seed_demo", "--if-empty")
    assert Recommendation.objects.count() == count
