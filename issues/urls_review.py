"""URLs of the review pages (see ``issues/views_review.py``)."""

from django.urls import path

from issues import views_review

app_name = "review"

urlpatterns = [
    path("review/", views_review.ReviewQueueView.as_view(), name="queue"),
    path(
        "review/accepted/",
        views_review.AcceptedRecommendationListView.as_view(),
        name="accepted",
    ),
    path(
        "review/<int:pk>/",
        views_review.RecommendationReviewView.as_view(),
        name="recommendation",
    ),
    path(
        "review/<int:pk>/accept/",
        views_review.RecommendationAcceptView.as_view(),
        name="accept",
    ),
]
