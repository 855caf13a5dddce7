"""URLs of the publications' settings pages and of their uploads."""

from django.urls import path

from publications import views

app_name = "publications"

urlpatterns = [
    path(
        "editor/p/<slug:slug>/settings/",
        views.PublicationSettingsView.as_view(),
        name="settings",
    ),
    path(
        "editor/p/<slug:slug>/settings/uploads/",
        views.PublicationUploadCreateView.as_view(),
        name="upload-create",
    ),
    path(
        "editor/p/<slug:slug>/settings/uploads/<int:pk>/delete/",
        views.PublicationUploadDeleteView.as_view(),
        name="upload-delete",
    ),
    path(
        "media/publications/<str:token>.<str:extension>",
        views.PublicationUploadView.as_view(),
        name="upload",
    ),
]
