"""URLs of the review pages (see ``recommendations/views/review.py``)."""

from django.urls import path

from recommendations.views import review as views

app_name = "review"

urlpatterns = [
    path("review/", views.ReviewQueueView.as_view(), name="queue"),
    path(
        "review/accepted/",
        views.AcceptedRecommendationListView.as_view(),
        name="accepted",
    ),
    path(
        "review/<int:pk>/",
        views.RecommendationReviewView.as_view(),
        name="recommendation",
    ),
    path(
        "review/<int:pk>/edit/",
        views.RecommendationReviseView.as_view(),
        name="revise",
    ),
    path(
        "review/<int:pk>/accept/",
        views.RecommendationAcceptView.as_view(),
        name="accept",
    ),
]
