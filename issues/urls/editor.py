"""URLs of the editor pages (see ``issues/views/editor.py`` and, for the institution glossary,
``issues/views/glossary.py``)."""

from django.urls import path

from issues.views import editor as views
from issues.views import glossary, importing

app_name = "editor"

urlpatterns = [
    path("editor/", views.EditorHomeView.as_view(), name="home"),
    path("editor/p/<slug:slug>/new/", views.IssueCreateView.as_view(), name="issue-create"),
    path("editor/p/<slug:slug>/import/", importing.IssueImportView.as_view(), name="issue-import"),
    path("editor/issues/<int:pk>/", views.IssueBuilderView.as_view(), name="issue-builder"),
    path(
        "editor/issues/<int:pk>/assemble/",
        views.IssueAssembleView.as_view(),
        name="issue-assemble",
    ),
    path("editor/issues/<int:pk>/entries/add/", views.EntryAddView.as_view(), name="entry-add"),
    path("editor/issues/<int:pk>/leads/", views.IssueLeadsView.as_view(), name="issue-leads"),
    path(
        "editor/issues/<int:pk>/entries/order/",
        views.EntryReorderView.as_view(),
        name="entry-reorder",
    ),
    path(
        "editor/issues/<int:pk>/entries/<int:entry_id>/remove/",
        views.EntryRemoveView.as_view(),
        name="entry-remove",
    ),
    path(
        "editor/issues/<int:pk>/schedule/", views.IssueScheduleView.as_view(), name="issue-schedule"
    ),
    path(
        "editor/issues/<int:pk>/unschedule/",
        views.IssueUnscheduleView.as_view(),
        name="issue-unschedule",
    ),
    path("editor/issues/<int:pk>/publish/", views.IssuePublishView.as_view(), name="issue-publish"),
    path("editor/issues/<int:pk>/correct/", views.IssueCorrectView.as_view(), name="issue-correct"),
    path(
        "editor/issues/<int:pk>/progress/",
        views.IssueProgressView.as_view(),
        name="issue-progress",
    ),
    path(
        "editor/institutions/unnamed/",
        glossary.InstitutionsUnnamedView.as_view(),
        name="institutions-unnamed",
    ),
    path("editor/glossary/", glossary.GlossaryListView.as_view(), name="glossary"),
    path("editor/glossary/new/", glossary.GlossaryEntryView.as_view(), name="glossary-create"),
    path("editor/glossary/<int:pk>/", glossary.GlossaryEntryView.as_view(), name="glossary-edit"),
]
