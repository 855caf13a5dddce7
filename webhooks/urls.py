"""URLs of the webhook pages (see ``webhooks/views.py``)."""

from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("editor/p/<slug:slug>/webhooks/", views.EndpointListView.as_view(), name="endpoint-list"),
    path("editor/webhooks/<int:pk>/", views.EndpointDetailView.as_view(), name="endpoint-detail"),
    path(
        "editor/webhooks/<int:pk>/delete/",
        views.EndpointDeleteView.as_view(),
        name="endpoint-delete",
    ),
]
