"""URLs of the publications' settings and topics pages and of their uploads (``files``, the
uploaded files themselves, in the namespace ``uploads``)."""

from django.urls import path

from publications import views

app_name = "publications"

urlpatterns = [
    path(
        "editor/p/<slug:slug>/settings/",
        views.PublicationSettingsView.as_view(),
        name="settings",
    ),
    path("editor/p/<slug:slug>/topics/", views.PublicationTopicsView.as_view(), name="topics"),
    path(
        "editor/p/<slug:slug>/topics/<int:pk>/",
        views.TopicEditView.as_view(),
        name="topic-edit",
    ),
    path(
        "editor/p/<slug:slug>/topics/<int:pk>/delete/",
        views.TopicDeleteView.as_view(),
        name="topic-delete",
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
]

#: The uploaded files, at the same address in every language (weekly/urls.py puts them outside
#: the language prefix): pages and mails of either language link them, and links to them were
#: shared before addresses had a language.
files = (
    [
        path(
            "media/publications/<str:token>.<str:extension>",
            views.PublicationUploadView.as_view(),
            name="upload",
        ),
    ],
    "uploads",
)
