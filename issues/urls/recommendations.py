"""URLs of the submissions pages (see ``issues/views/recommendations.py``)."""

from django.urls import path

from issues.views import recommendations as views

app_name = "submissions"

urlpatterns = [
    path("submit/paper/", views.PaperRecommendView.as_view(), name="paper-create"),
    path("submit/news/", views.NewsRecommendView.as_view(), name="news-create"),
    path("submit/preview/", views.SummaryPreviewView.as_view(), name="preview"),
    path("submit/check/", views.IdentifierCheckView.as_view(), name="check"),
    path("submissions/", views.MySubmissionsView.as_view(), name="list"),
    path("submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="detail"),
    path(
        "submissions/<int:pk>/paper-status/",
        views.PaperStatusView.as_view(),
        name="paper-status",
    ),
    path("submissions/<int:pk>/edit/", views.SubmissionEditView.as_view(), name="edit"),
    path("submissions/<int:pk>/submit/", views.SubmissionSubmitView.as_view(), name="submit"),
    path("submissions/<int:pk>/withdraw/", views.SubmissionWithdrawView.as_view(), name="withdraw"),
]
