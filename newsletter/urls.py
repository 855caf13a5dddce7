"""URLs of the newsletter's pages, and of the mail service's webhook (``hooks``)."""

from django.urls import path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("p/<slug:slug>/subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    path("newsletter/confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path(
        "newsletter/unsubscribe/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="unsubscribe",
    ),
]

#: Called by the mail service, at an address that has no language (weekly/urls.py puts it
#: outside the language prefix): a POST cannot follow the redirect to one.
hooks = (
    [path("newsletter/webhooks/mailgun/", views.mailgun_webhook, name="mailgun")],
    "newsletter-hooks",
)
