from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from contributors import views

app_name = "contributors"

ACCOUNT = "contributors/account/"

urlpatterns = [
    path("accounts/signup/", views.SignupView.as_view(), name="signup"),
    path("accounts/login/", views.AccountLoginView.as_view(), name="login"),
    path(
        "accounts/logout/",
        auth_views.LogoutView.as_view(),
        name="logout",
    ),
    path(
        "accounts/password/reset/",
        views.AccountPasswordResetView.as_view(),
        name="password-reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name=ACCOUNT + "password_reset_done.html"
        ),
        name="password-reset-done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=ACCOUNT + "password_reset_confirm.html",
            success_url=reverse_lazy("contributors:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=ACCOUNT + "password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name=ACCOUNT + "password_change_form.html",
            success_url=reverse_lazy("contributors:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name=ACCOUNT + "password_change_done.html"
        ),
        name="password-change-done",
    ),
    path("accounts/profile/", views.ProfileEditView.as_view(), name="profile"),
    path("accounts/token/", views.ApiTokenView.as_view(), name="token"),
    path("accounts/token/rotate/", views.ApiTokenRotateView.as_view(), name="token-rotate"),
    path("accounts/token/revoke/", views.ApiTokenRevokeView.as_view(), name="token-revoke"),
    path(
        "notifications/off/<str:token>/",
        views.NotificationsOffView.as_view(),
        name="notifications-off",
    ),
]
