"""URLs of the inbox's pages (see ``inbox/views/``): namespace ``inbox``, under the language
prefix. The members' inbox of a publication and its actions live under ``/p/<slug>/inbox/``, the
editors' watches under ``/editor/p/<slug>/watches/``, the digest's unsubscribe link under
``/inbox/digest/``."""

from django.urls import path

from inbox.views import digest, inbox, watches

app_name = "inbox"

urlpatterns = [
    path("p/<slug:slug>/inbox/", inbox.InboxPageView.as_view(), name="inbox"),
    path("p/<slug:slug>/inbox/digest/", inbox.DigestView.as_view(), name="digest"),
    path("p/<slug:slug>/inbox/<int:pk>/claim/", inbox.ClaimView.as_view(), name="claim"),
    path("p/<slug:slug>/inbox/<int:pk>/release/", inbox.ReleaseView.as_view(), name="release"),
    path("p/<slug:slug>/inbox/<int:pk>/dismiss/", inbox.DismissView.as_view(), name="dismiss"),
    path("p/<slug:slug>/inbox/<int:pk>/restore/", inbox.RestoreView.as_view(), name="restore"),
    path("p/<slug:slug>/inbox/<int:pk>/interest/", inbox.InterestView.as_view(), name="interest"),
    path("p/<slug:slug>/inbox/<int:pk>/write-up/", inbox.WriteUpView.as_view(), name="write-up"),
    path("editor/p/<slug:slug>/watches/", watches.WatchListView.as_view(), name="watches"),
    path(
        "editor/p/<slug:slug>/watches/<int:pk>/",
        watches.WatchEditView.as_view(),
        name="watch-edit",
    ),
    path(
        "editor/p/<slug:slug>/watches/<int:pk>/delete/",
        watches.WatchDeleteView.as_view(),
        name="watch-delete",
    ),
    path(
        "editor/p/<slug:slug>/watches/<int:pk>/poll/",
        watches.WatchPollView.as_view(),
        name="watch-poll",
    ),
    path(
        "inbox/digest/unsubscribe/<str:token>/",
        digest.DigestUnsubscribeView.as_view(),
        name="digest-unsubscribe",
    ),
]
