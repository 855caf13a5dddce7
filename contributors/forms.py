"""Forms of members' account pages: validation only; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from contributors import lockout
from contributors.services import PROFILE_FIELDS

User = get_user_model()


#: The form error code of a log-in refused because its user name failed too often.
LOGIN_LOCKED = "login_locked"


class LockoutLoginMixin:
    """Django's log-in form, through ``lockout.authenticate_member``: failed log-ins are
    counted per user name, and a name that failed too often is refused for a while (with its
    own message and code ``login_locked``), the right password included."""

    request: Any
    cleaned_data: dict[str, Any]
    user_cache: Any

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = lockout.authenticate_member(
                    self.request, username=username, password=password
                )
            except lockout.LoginLocked as locked:
                self.retry_after = locked.retry_after
                raise ValidationError(locked.message, code=LOGIN_LOCKED) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()  # type: ignore[attr-defined]
            self.confirm_login_allowed(self.user_cache)  # type: ignore[attr-defined]
        return self.cleaned_data


class LoginForm(LockoutLoginMixin, AuthenticationForm):
    """The site's log-in form."""


class AdminLoginForm(LockoutLoginMixin, AdminAuthenticationForm):
    """The admin's log-in form (staff only), counted with the site's."""


class SignupForm(UserCreationForm):
    """A new member: user name, e-mail address, display name and the password twice (checked by
    the site's password validators). ``save()`` is never called: ``services.create_member``
    makes the member."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("For a forgotten password and, if you wish, notices about your papers."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "display_name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "A member with this e-mail address exists already. Log in, or reset the "
                    "password if you forgot it."
                ),
                code="email_taken",
            )
        return email


def _profile_formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a homepage typed without its scheme
    return field.formfield(**kwargs)


class ProfileForm(forms.ModelForm):
    """The member's public profile: the fields ``services.update_profile`` changes. Bound to a
    copy of the member, so a refused edit leaves the signed-in user as it was; ``save()`` is
    never called."""

    class Meta:
        model = User
        fields = PROFILE_FIELDS
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
        formfield_callback = _profile_formfield
