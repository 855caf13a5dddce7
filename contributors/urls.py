from django.urls import path

from contributors import views

app_name = "contributors"

urlpatterns = [
    path(
        "notifications/off/<str:token>/",
        views.NotificationsOffView.as_view(),
        name="notifications-off",
    ),
]
