"""The objects of webhook payloads, as the API shows them (its serializers), with full links."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from common.links import site_url
from issues.api.serializers import CorrectionSerializer, IssueSerializer
from issues.models import Correction, Issue
from issues.selectors import issue_contents, issue_contributors
from recommendations.api.serializers import RecommendationSerializer
from recommendations.models import Recommendation
from recommendations.selectors import with_paper_details


class _SiteRequest:
    """What the API's serializers ask of a request, answered for the public site (``SITE_URL``):
    a payload is built by a worker, with no request, and its links must be absolute."""

    user = AnonymousUser()

    def build_absolute_uri(self, path: str) -> str:
        return site_url(path)


def issue_object(issue: Issue) -> dict[str, Any]:
    contents = issue_contents(issue)
    context = {
        "request": _SiteRequest(),
        "contents": contents,
        "contributors": issue_contributors(contents),
    }
    return IssueSerializer(issue, context=context).data


def correction_object(correction: Correction) -> dict[str, Any]:
    return CorrectionSerializer(correction).data


def recommendation_object(recommendation: Recommendation) -> dict[str, Any]:
    fresh = with_paper_details(Recommendation.objects.filter(pk=recommendation.pk)).get()
    return RecommendationSerializer(fresh, context={"request": _SiteRequest()}).data
