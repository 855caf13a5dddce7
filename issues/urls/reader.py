"""URLs of the readers' pages (see ``issues/views/reader.py``) and of a paper's metadata
(``issues/views/metadata.py``): namespace ``issues``."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path

from issues import feeds
from issues.views import importing, reader, statistics

app_name = "issues"

urlpatterns = [
    path("", reader.HomeView.as_view(), name="home"),
    path("p/<slug:slug>/", reader.PublicationDetailView.as_view(), name="publication-detail"),
    path(
        "p/<slug:slug>/statistics/",
        statistics.PublicationStatisticsView.as_view(),
        name="publication-statistics",
    ),
    path(
        "p/<slug:slug>/credited-names/",
        importing.CreditedNamesView.as_view(),
        name="credited-names",
    ),
    path("statistics/", statistics.SiteStatisticsView.as_view(), name="statistics"),
    path("contributors/", statistics.ContributorIndexView.as_view(), name="contributor-index"),
    path("p/<slug:slug>/feed/rss/", feeds.IssueFeed(), name="feed-rss"),
    path("p/<slug:slug>/feed/atom/", feeds.AtomIssueFeed(), name="feed-atom"),
    path("topics/", reader.TopicListView.as_view(), name="topic-list"),
    # Addresses from before topics belonged to publications: to the one publication's topic.
    path("topics/<slug:slug>/", reader.TopicRedirectView.as_view(), name="topic-redirect"),
    path(
        "topics/<slug:slug>/feed/<str:feed>/",
        reader.TopicRedirectView.as_view(),
        name="topic-feed-redirect",
    ),
    path(
        "p/<slug:publication>/topics/<slug:slug>/",
        reader.TopicDetailView.as_view(),
        name="topic-detail",
    ),
    path(
        "p/<slug:publication>/topics/<slug:slug>/feed/rss/",
        feeds.TopicFeed(),
        name="topic-feed-rss",
    ),
    path(
        "p/<slug:publication>/topics/<slug:slug>/feed/atom/",
        feeds.AtomTopicFeed(),
        name="topic-feed-atom",
    ),
    path("p/<slug:slug>/<int:number>/", reader.IssueDetailView.as_view(), name="issue-detail"),
    path(
        "p/<slug:slug>/<int:number>/issue.<str:fmt>",
        # The paste-ready HTML export is inline-styled by purpose: its styles may run, no script.
        csp_update({"style-src": [UNSAFE_INLINE]})(reader.IssueExportView.as_view()),
        name="issue-export",
    ),
    path(
        "contributors/<str:username>/",
        reader.ContributorDetailView.as_view(),
        name="contributors-detail",
    ),
    path("issues/<int:pk>/preview/", reader.IssuePreviewView.as_view(), name="issue-preview"),
]
