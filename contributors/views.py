"""Members' own pages: sign up, log in and out, password reset and change, profile, API token;
and the "stop these e-mails" link of notifications.

Log-in, log-out and the password pages are Django's auth views with our templates (under
``contributors/account/``: the admin's ``registration/`` templates come first in the template
search, so ours have their own names).
"""

from __future__ import annotations

import copy
import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from rest_framework.throttling import SimpleRateThrottle

from contributors import selectors, services
from contributors.forms import LOGIN_LOCKED, LoginForm, ProfileForm, SignupForm
from contributors.throttles import LoginThrottle, SignupThrottle

#: The backend that signs in a member who has just signed up (several are configured).
SIGNUP_LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"

# --- rate limits ----------------------------------------------------------------------------------


def _throttled(
    request: HttpRequest, template_name: str, context: dict[str, Any], throttle: SimpleRateThrottle
) -> HttpResponse:
    """The form again, with why it is refused, as a 429 with ``Retry-After``."""
    retry_after = max(1, math.ceil(throttle.wait() or 1))
    minutes = math.ceil(retry_after / 60)
    context["throttled"] = ngettext(
        "Too many attempts from your address. Please try again in %(minutes)d minute.",
        "Too many attempts from your address. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    response = render(request, template_name, context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


# --- helpers --------------------------------------------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` page asked for, if it is on this site; else an empty string."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if not wanted.startswith("/"):  # our pages send a path; "foo" would be relative to the form
        return ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""


def _add_service_errors(form: Form, error: ValidationError) -> None:
    """A service's ``ValidationError`` as errors of ``form`` (on the field it names, if shown)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- sign up, log in --------------------------------------------------------------------------


class SignupView(View):
    """A new member (``services.create_member``), signed in at once and sent on to the page
    they came from, or to their profile."""

    template_name = "contributors/account/signup.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("contributors:profile")
        return self._page(request, SignupForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("contributors:profile")
        throttle = SignupThrottle()
        if not throttle.allow_request(request, self):
            return _throttled(request, self.template_name, self._context(request, None), throttle)
        form = SignupForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, status=400)
        data = form.cleaned_data
        try:
            member = services.create_member(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                display_name=data["display_name"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
            return self._page(request, form, status=400)
        except IntegrityError:  # the same name signed up a moment ago
            form.add_error("username", _("This user name is taken."))
            return self._page(request, form, status=400)
        login(request, member, backend=SIGNUP_LOGIN_BACKEND)
        messages.success(
            request, _("Welcome, %(name)s! Your account is ready.") % {"name": member.public_name}
        )
        # A URL, never a view name: redirect() would try to reverse "next=foo" as one.
        return HttpResponseRedirect(_safe_next(request) or reverse("contributors:profile"))

    def _context(self, request: HttpRequest, form: SignupForm | None) -> dict[str, Any]:
        if form is None:  # refused unread: what was typed comes back, but no password
            typed = ("username", "email", "display_name")
            form = SignupForm(initial={name: request.POST.get(name, "") for name in typed})
        return {"form": form, "next": _safe_next(request)}

    def _page(self, request: HttpRequest, form: SignupForm, *, status: int = 200) -> HttpResponse:
        return render(request, self.template_name, self._context(request, form), status=status)


class AccountLoginView(auth_views.LoginView):
    """Django's log-in, with a limit of attempts per client address and one of failures per
    user name (``contributors.lockout``)."""

    template_name = "contributors/account/login.html"
    authentication_form = LoginForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = LoginThrottle()
        if not throttle.allow_request(request, self):
            # An unbound form: a bound one would try the password while rendering its errors.
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username", "")}
            )
            return _throttled(
                request, self.template_name, self.get_context_data(form=form), throttle
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, LOGIN_LOCKED):
            # As refused as the throttles are: 429, and when to come back.
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


class AccountPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset by e-mail; the link in the mail leads to ``SITE_URL``, never to
    whatever host the request named."""

    template_name = "contributors/account/password_reset_form.html"
    email_template_name = "contributors/account/password_reset_email.txt"
    subject_template_name = "contributors/account/password_reset_subject.txt"
    success_url = reverse_lazy("contributors:password-reset-done")

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        return {"site_url": settings.SITE_URL}


# --- profile --------------------------------------------------------------------------------------


class ProfileEditView(LoginRequiredMixin, View):
    """The member's own profile (``services.update_profile``)."""

    template_name = "contributors/account/profile.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, ProfileForm(instance=copy.copy(request.user)))

    def post(self, request: HttpRequest) -> HttpResponse:
        # Forms and service work on copies: a refused edit leaves the signed-in member (shown
        # in the navigation) as stored.
        form = ProfileForm(request.POST, instance=copy.copy(request.user))
        if not form.is_valid():
            return self._page(request, form, status=400)
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.update_profile(copy.copy(request.user), by=request.user, **changes)
        except ValidationError as error:
            _add_service_errors(form, error)
            return self._page(request, form, status=400)
        messages.success(request, _("Your profile is saved."))
        return redirect("contributors:profile")

    def _page(self, request: HttpRequest, form: ProfileForm, *, status: int = 200) -> HttpResponse:
        context = {"form": form}
        return render(request, self.template_name, context, status=status)


# --- API token ------------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class ApiTokenView(LoginRequiredMixin, View):
    """Whether the member has an API token; the POST shows it (creating it on first use). The
    key appears only in answers to a POST, so it stays out of history and caches."""

    template_name = "contributors/account/token.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return token_page(request, has_token=selectors.has_api_token(request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        return token_page(request, token=services.get_api_token(request.user).key)


@method_decorator(never_cache, name="dispatch")
class ApiTokenRotateView(LoginRequiredMixin, View):
    """A new API token; the old one stops working."""

    def post(self, request: HttpRequest) -> HttpResponse:
        token = services.rotate_api_token(request.user)
        messages.success(request, _("Here is your new token. The old one no longer works."))
        return token_page(request, token=token.key)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    """No API token any more."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if services.revoke_api_token(request.user):
            messages.success(request, _("Your API token is revoked; it no longer works."))
        else:
            messages.info(request, _("You had no API token."))
        return redirect("contributors:token")


def token_page(request: HttpRequest, *, token: str = "", has_token: bool = False) -> HttpResponse:
    context = {
        "token": token,
        "has_token": bool(token) or has_token,
        "api_url": request.build_absolute_uri(reverse("api:me")),
        "docs_url": reverse("api:docs"),
    }
    return render(request, ApiTokenView.template_name, context)


# --- links from notification mails ----------------------------------------------------------------


@method_decorator(csrf_exempt, name="dispatch")
class NotificationsOffView(View):
    """The "stop these e-mails" link: a page with a button (a GET changes nothing), and the
    one-click POST of mail clients (``List-Unsubscribe-Post``), which carries no CSRF token: the
    signed link is the proof of who asks."""

    template_name = "contributors/notifications_off.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._answer(request, token, done=False)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._answer(request, token, done=True)

    def _answer(self, request: HttpRequest, token: str, *, done: bool) -> HttpResponse:
        try:
            member = services.member_from_notifications_off_token(token)
        except ValidationError as error:
            return render(request, self.template_name, {"error": error.messages[0]}, status=400)
        if done:
            services.turn_off_notifications(member)
        return render(request, self.template_name, {"member": member, "done": done})
