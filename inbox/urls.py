"""URLs of the candidate inbox's pages."""

from django.urls import path

from inbox.views import digest

app_name = "inbox"

urlpatterns = [
    path(
        "inbox/digest/unsubscribe/<str:token>/",
        digest.DigestUnsubscribeView.as_view(),
        name="digest-unsubscribe",
    ),
]
