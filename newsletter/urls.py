from django.urls import path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("p/<slug:slug>/subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    path("newsletter/confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("newsletter/webhooks/mailgun/", views.mailgun_webhook, name="webhook-mailgun"),
    path(
        "newsletter/unsubscribe/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="unsubscribe",
    ),
]
