"""URLs of the publication's voice (its editors') and of drafts."""

from django.urls import path

from drafting import views

app_name = "drafting"

urlpatterns = [
    path("editor/p/<slug:slug>/voice/", views.VoiceView.as_view(), name="voice"),
    path(
        "editor/p/<slug:slug>/voice/glossary/<int:pk>/",
        views.GlossaryTermEditView.as_view(),
        name="glossary-term",
    ),
    path(
        "editor/p/<slug:slug>/voice/glossary/<int:pk>/delete/",
        views.GlossaryTermDeleteView.as_view(),
        name="glossary-term-delete",
    ),
    path("editor/p/<slug:slug>/voice/prompt/", views.PromptTemplateView.as_view(), name="prompt"),
    path("drafts/<slug:slug>/<int:paper>/", views.DraftRequestView.as_view(), name="draft-request"),
    path(
        "drafts/<slug:slug>/<int:paper>/status.json",
        views.DraftStatusView.as_view(),
        name="draft-status",
    ),
]
