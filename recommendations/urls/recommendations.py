"""URLs of a member's recommendation pages (see ``recommendations/views/recommendations.py``).

The namespace is the model's word; the paths keep "submissions", which members see in addresses
and may have shared.
"""

from django.urls import path

from recommendations.views import recommendations as views

app_name = "recommendations"

urlpatterns = [
    path("submit/paper/", views.PaperRecommendView.as_view(), name="paper-create"),
    path("submit/news/", views.NewsRecommendView.as_view(), name="news-create"),
    path("submit/preview/", views.SummaryPreviewView.as_view(), name="preview"),
    path("submit/check/", views.IdentifierCheckView.as_view(), name="check"),
    path("submissions/", views.OwnRecommendationListView.as_view(), name="list"),
    path("submissions/<int:pk>/", views.RecommendationDetailView.as_view(), name="detail"),
    path(
        "submissions/<int:pk>/paper-status/",
        views.PaperStatusView.as_view(),
        name="paper-status",
    ),
    path("submissions/<int:pk>/edit/", views.RecommendationEditView.as_view(), name="edit"),
    path("submissions/<int:pk>/submit/", views.RecommendationSubmitView.as_view(), name="submit"),
    path(
        "submissions/<int:pk>/withdraw/",
        views.RecommendationWithdrawView.as_view(),
        name="withdraw",
    ),
]
