"""The REST API, version 1: every app's endpoints under /api/v1/, with its schema and docs."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from common.api.errors import not_found
from contributors.api import views as contributors
from inbox.api import views as inbox
from issues.api import statistics
from issues.api import views as issues
from papers.api import views as papers
from publications.api import views as publications
from recommendations.api import views as recommendations
from webhooks.api import views as webhooks

app_name = "api"

urlpatterns = [
    path("auth/token/", contributors.TokenView.as_view(), name="auth-token"),
    path("me/", contributors.MeView.as_view(), name="me"),
    path(
        "contributors/<str:username>/",
        contributors.ContributorDetailView.as_view(),
        name="contributor-detail",
    ),
    path("publications/", issues.PublicationListView.as_view(), name="publication-list"),
    path(
        "publications/<slug:slug>/style/",
        publications.PublicationStyleView.as_view(),
        name="publication-style",
    ),
    path(
        "publications/<slug:slug>/uploads/",
        publications.PublicationUploadListView.as_view(),
        name="publication-uploads",
    ),
    path(
        "publications/<slug:slug>/uploads/<int:pk>/",
        publications.PublicationUploadDetailView.as_view(),
        name="publication-upload",
    ),
    path(
        "publications/<slug:slug>/topics/",
        publications.PublicationTopicCreateView.as_view(),
        name="publication-topics",
    ),
    path(
        "publications/<slug:slug>/",
        issues.PublicationDetailView.as_view(),
        name="publication-detail",
    ),
    path(
        "publications/<slug:slug>/statistics/",
        statistics.PublicationStatisticsView.as_view(),
        name="publication-statistics",
    ),
    path("statistics/", statistics.SiteStatisticsView.as_view(), name="statistics"),
    path(
        "publications/<slug:slug>/issues/",
        issues.PublicationIssueListView.as_view(),
        name="issue-list",
    ),
    path(
        "publications/<slug:slug>/issues/<int:number>/",
        issues.PublishedIssueView.as_view(),
        name="published-issue",
    ),
    path("issues/<int:pk>/", issues.IssueDetailView.as_view(), name="issue-detail"),
    path("issues/<int:pk>/assemble/", issues.IssueAssembleView.as_view(), name="issue-assemble"),
    path("issues/<int:pk>/publish/", issues.IssuePublishView.as_view(), name="issue-publish"),
    path(
        "issues/<int:pk>/unschedule/",
        issues.IssueUnscheduleView.as_view(),
        name="issue-unschedule",
    ),
    path("issues/<int:pk>/entries/", issues.IssueEntryListView.as_view(), name="issue-entries"),
    path("issues/<int:pk>/leads/", issues.IssueLeadsView.as_view(), name="issue-leads"),
    path(
        "issues/<int:pk>/entries/<int:entry_id>/",
        issues.IssueEntryDetailView.as_view(),
        name="issue-entry",
    ),
    path(
        "issues/<int:pk>/corrections/",
        issues.IssueCorrectionListView.as_view(),
        name="issue-corrections",
    ),
    path("papers/", issues.PaperListView.as_view(), name="paper-list"),
    path("papers/<int:pk>/", papers.PaperDetailView.as_view(), name="paper-detail"),
    path(
        "papers/<int:pk>/refetch/", recommendations.PaperRefetchView.as_view(), name="paper-refetch"
    ),
    path(
        "papers/<int:pk>/metadata/",
        recommendations.PaperMetadataView.as_view(),
        name="paper-metadata",
    ),
    path("papers/<int:pk>/merge/", recommendations.PaperMergeView.as_view(), name="paper-merge"),
    path("topics/", publications.TopicListView.as_view(), name="topic-list"),
    path("topics/<int:pk>/", publications.TopicDetailView.as_view(), name="topic-detail"),
    path(
        "recommendations/",
        recommendations.RecommendationListView.as_view(),
        name="recommendation-list",
    ),
    path(
        "recommendations/queue/",
        recommendations.ReviewQueueView.as_view(),
        name="recommendation-queue",
    ),
    path(
        "recommendations/<int:pk>/",
        recommendations.RecommendationDetailView.as_view(),
        name="recommendation-detail",
    ),
    path(
        "recommendations/<int:pk>/entry/",
        recommendations.RecommendationEntryView.as_view(),
        name="recommendation-entry",
    ),
    path(
        "recommendations/<int:pk>/submit/",
        recommendations.RecommendationSubmitView.as_view(),
        name="recommendation-submit",
    ),
    path(
        "recommendations/<int:pk>/withdraw/",
        recommendations.RecommendationWithdrawView.as_view(),
        name="recommendation-withdraw",
    ),
    path(
        "recommendations/<int:pk>/accept/",
        recommendations.RecommendationAcceptView.as_view(),
        name="recommendation-accept",
    ),
    path(
        "recommendations/<int:pk>/reviews/",
        recommendations.RecommendationReviewListView.as_view(),
        name="recommendation-reviews",
    ),
    path(
        "publications/<slug:slug>/candidates/",
        inbox.PublicationCandidateListView.as_view(),
        name="publication-candidates",
    ),
    path("candidates/<int:pk>/", inbox.CandidateDetailView.as_view(), name="candidate-detail"),
    path("candidates/<int:pk>/claim/", inbox.CandidateClaimView.as_view(), name="candidate-claim"),
    path(
        "candidates/<int:pk>/release/",
        inbox.CandidateReleaseView.as_view(),
        name="candidate-release",
    ),
    path(
        "candidates/<int:pk>/dismiss/",
        inbox.CandidateDismissView.as_view(),
        name="candidate-dismiss",
    ),
    path(
        "candidates/<int:pk>/restore/",
        inbox.CandidateRestoreView.as_view(),
        name="candidate-restore",
    ),
    path(
        "candidates/<int:pk>/interest/",
        inbox.CandidateInterestView.as_view(),
        name="candidate-interest",
    ),
    path(
        "candidates/<int:pk>/write-up/",
        inbox.CandidateWriteUpView.as_view(),
        name="candidate-write-up",
    ),
    path(
        "publications/<slug:slug>/watches/",
        inbox.PublicationWatchListView.as_view(),
        name="publication-watches",
    ),
    path("watches/<int:pk>/", inbox.WatchDetailView.as_view(), name="watch-detail"),
    path(
        "publications/<slug:slug>/inbox-settings/",
        inbox.PublicationInboxSettingsView.as_view(),
        name="publication-inbox-settings",
    ),
    path(
        "publications/<slug:slug>/webhooks/",
        webhooks.PublicationWebhookListView.as_view(),
        name="webhook-list",
    ),
    path("webhooks/<int:pk>/", webhooks.WebhookDetailView.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:pk>/deliveries/",
        webhooks.WebhookDeliveryListView.as_view(),
        name="webhook-deliveries",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its settings as a script of its own, so the page needs no inline one.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Redoc injects its styles at run time, and its search runs in a worker it makes from a blob:
    # this page alone allows inline styles (never scripts) and workers from blob: URLs.
    path(
        "redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
    # Anything else under /api/v1/ is a 404 in the API's error shape, not an HTML page (any
    # character: an id that is no number may carry a %0A, which "." would not match).
    re_path(r"^[\s\S]*$", not_found, name="not-found"),
]
