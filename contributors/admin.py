"""Admin for members, and their API tokens shown by their first characters only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from common.admin import run_action
from contributors import services
from contributors.forms import AdminLoginForm
from contributors.models import ApiToken, User
from contributors.services import PROFILE_FIELDS

# The admin's log-in counts failed attempts per user name with the site's and the API's.
admin.site.login_form = AdminLoginForm

PROFILE_FIELDSET = (
    _("Public profile"),
    {"fields": PROFILE_FIELDS},
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # The profile right after the personal info, before permissions and dates.
    fieldsets = (*BaseUserAdmin.fieldsets[:2], PROFILE_FIELDSET, *BaseUserAdmin.fieldsets[2:])
    # A homepage typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("username", "public_name_display", "email", "is_active", "is_staff")
    search_fields = (
        "username",
        "display_name",
        "first_name",
        "last_name",
        "email",
        "affiliation",
        "github_username",
        "orcid",
    )

    @admin.display(description=_("public name"), ordering="display_name")
    def public_name_display(self, user: User) -> str:
        return user.public_name

    actions = ["unlock_login"]

    @admin.action(description=_("Lift the log-in lockout"), permissions=["change"])
    def unlock_login(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        run_action(
            self,
            request,
            queryset,
            services.unlock_login,
            ngettext_lazy(
                "Log-in lockout lifted for %(count)d member.",
                "Log-in lockout lifted for %(count)d members.",
                "count",
            ),
        )


# DRF's page lists every token in clear; ours shows the first characters (ApiToken).
admin.site.unregister(TokenProxy)


@admin.register(ApiToken)
class ApiTokenAdmin(TokenAdmin):
    list_display = ("key_prefix", "user", "created")

    @admin.display(description=_("key"), ordering="key")
    def key_prefix(self, token: ApiToken) -> str:
        return f"{token.key[:6]}…"
