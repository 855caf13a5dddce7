from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path

from issues import feeds, views

app_name = "issues"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("p/<slug:slug>/", views.PublicationDetailView.as_view(), name="publication-detail"),
    path("p/<slug:slug>/feed/rss/", feeds.IssueFeed(), name="feed-rss"),
    path("p/<slug:slug>/feed/atom/", feeds.AtomIssueFeed(), name="feed-atom"),
    path("topics/", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("topics/<slug:slug>/feed/rss/", feeds.TopicFeed(), name="topic-feed-rss"),
    path("topics/<slug:slug>/feed/atom/", feeds.AtomTopicFeed(), name="topic-feed-atom"),
    path("p/<slug:slug>/<int:number>/", views.IssueDetailView.as_view(), name="issue-detail"),
    path(
        "p/<slug:slug>/<int:number>/issue.<str:fmt>",
        # The paste-ready HTML export is inline-styled by purpose: its styles may run, no script.
        csp_update({"style-src": [UNSAFE_INLINE]})(views.IssueExportView.as_view()),
        name="issue-export",
    ),
    path(
        "contributors/<str:username>/",
        views.ContributorDetailView.as_view(),
        name="contributors-detail",
    ),
    path("issues/<int:pk>/preview/", views.IssuePreviewView.as_view(), name="issue-preview"),
    path("papers/<int:pk>/refetch/", views.PaperRefetchView.as_view(), name="paper-refetch"),
    path(
        "papers/<int:pk>/metadata/",
        views.PaperMetadataEnterView.as_view(),
        name="paper-enter-metadata",
    ),
]

#: The paper's page and the search, under the catalogue's URL names (``papers:paper-detail``,
#: ``papers:search``, which the catalogue's API names too): this app builds them, since they show
#: the papers as published, and the root URLconf includes them in the namespace ``papers``.
paper_urlpatterns = [
    path("papers/<int:pk>/", views.PaperDetailView.as_view(), name="paper-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
]
