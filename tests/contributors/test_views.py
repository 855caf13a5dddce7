"""Tests for the members' account pages: sign up, log in and out, password reset and change,
profile, API token, and the per-address limits of sign-up and log-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory
from tests.factories.contributors import TEST_PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()

NEW_PASSWORD = "a quiet heron at dawn"
SIGNUP = {
    "username": "lin",
    "email": "lin@example.org",
    "display_name": "林 Lin",
    "password1": NEW_PASSWORD,
    "password2": NEW_PASSWORD,
}


def _session_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def _login_url(next_url: str) -> str:
    return f"{reverse('contributors:login')}?next={next_url}"


# ================================================================ sign up


def test_signup_page_renders_a_labelled_form(client: Client) -> None:
    response = client.get(reverse("contributors:signup"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Sign up · Weekly</title>" in html
    assert html.count("<h1>") == 1
    for name in ("username", "email", "display_name", "password1", "password2"):
        assert f'<label for="id_{name}">' in html


def test_signup_creates_the_member_and_logs_them_in(client: Client) -> None:
    response = client.post(reverse("contributors:signup"), SIGNUP)

    assert response.status_code == 302
    assert response.url == reverse("contributors:profile")
    member = User.objects.get(username="lin")
    assert member.email == "lin@example.org"
    assert member.display_name == "林 Lin"
    assert member.check_password(NEW_PASSWORD)
    assert member.is_active
    assert not member.is_staff
    assert _session_user_id(client) == member.pk
    page = client.get(response.url).content.decode()
    assert "Welcome, 林 Lin! Your account is ready." in page


def test_signup_goes_on_to_the_page_it_came_from(client: Client) -> None:
    response = client.post(reverse("contributors:signup"), {**SIGNUP, "next": "/en/p/some-weekly/"})

    assert response.status_code == 302
    assert response.url == "/en/p/some-weekly/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "http://testserver.evil/"]
)
def test_signup_ignores_a_next_page_on_another_host(client: Client, next_url: str) -> None:
    response = client.post(reverse("contributors:signup"), {**SIGNUP, "next": next_url})

    assert response.status_code == 302
    assert response.url == reverse("contributors:profile")
    assert User.objects.filter(username="lin").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"username": "LIN"}, "username", "A user with that username already exists."),
        (
            {"email": "Lin@Example.org"},
            "email",
            "A member with this e-mail address exists already.",
        ),
        ({"password2": "another password 42"}, "password2", "The two password fields didn"),
        (
            {"password1": "password", "password2": "password"},
            "password2",
            "This password is too common.",
        ),
        ({"password1": "12", "password2": "12"}, "password2", "This password is too short."),
        ({"email": "not an address"}, "email", "Enter a valid email address."),
        ({"username": "lin lin"}, "username", "Enter a valid username."),
        ({"username": ""}, "username", "This field is required."),
    ],
)
def test_signup_refuses_bad_input_and_creates_nobody(
    client: Client, change: dict[str, str], field: str, message: str
) -> None:
    UserFactory(username="lin", email="lin@example.org")
    before = User.objects.count()
    data = {**SIGNUP, "username": "lin2", "email": "lin2@example.org", **change}

    response = client.post(reverse("contributors:signup"), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert User.objects.count() == before
    assert _session_user_id(client) is None


def test_signup_escapes_what_was_typed(client: Client) -> None:
    response = client.post(
        reverse("contributors:signup"),
        {**SIGNUP, "display_name": "<script>alert(1)</script>", "password2": "x"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_signup_sends_a_signed_in_member_to_their_profile(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    response = client.post(reverse("contributors:signup"), SIGNUP)

    assert response.status_code == 302
    assert response.url == reverse("contributors:profile")
    assert not User.objects.filter(username="lin").exists()


def test_signup_refuses_a_forged_post_without_csrf(db: None) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("contributors:signup"), SIGNUP)

    assert response.status_code == 403
    assert not User.objects.filter(username="lin").exists()


# ================================================================ log in, log out


def test_login_with_the_right_password_logs_in_and_follows_next(
    client: Client, contributor: Any
) -> None:
    response = client.post(
        reverse("contributors:login"),
        {"username": "contributor", "password": TEST_PASSWORD, "next": "/en/p/some-weekly/"},
    )

    assert response.status_code == 302
    assert response.url == "/en/p/some-weekly/"
    assert _session_user_id(client) == contributor.pk


def test_login_ignores_a_next_page_on_another_host(client: Client, contributor: Any) -> None:
    response = client.post(
        reverse("contributors:login"),
        {"username": "contributor", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response.url == resolve_url(settings.LOGIN_REDIRECT_URL) == "/en/"
    assert _session_user_id(client) == contributor.pk


def test_login_with_a_wrong_password_says_so(client: Client, contributor: Any) -> None:
    response = client.post(
        reverse("contributors:login"), {"username": "contributor", "password": "wrong"}
    )

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert _session_user_id(client) is None


def test_pages_for_members_send_the_anonymous_to_our_login(client: Client, db: None) -> None:
    response = client.get(reverse("contributors:profile"))

    assert response.status_code == 302
    assert response.url == _login_url(reverse("contributors:profile"))
    assert client.get(response.url).status_code == 200


def test_logout_by_post_logs_out(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    response = client.post(reverse("contributors:logout"))

    assert response.status_code == 302
    assert response.url == reverse("issues:home")
    assert _session_user_id(client) is None


def test_logout_by_get_does_not_log_out(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    response = client.get(reverse("contributors:logout"))

    assert response.status_code == 405
    assert _session_user_id(client) == contributor.pk


def test_nav_offers_login_and_signup_to_the_anonymous(client: Client, db: None) -> None:
    html = client.get(reverse("issues:home")).content.decode()

    assert f'href="{reverse("contributors:signup")}?next=/en/"' in html
    assert f'href="{reverse("contributors:login")}?next=/en/"' in html
    assert reverse("contributors:logout") not in html
    # The account pages do not send one back to themselves.
    html = client.get(reverse("contributors:login")).content.decode()
    assert f'href="{reverse("contributors:signup")}"' in html


def test_nav_offers_profile_token_and_logout_to_members(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    html = client.get(reverse("contributors:token")).content.decode()

    assert f'<span class="who">{contributor.public_name}</span>' in html
    assert f'<a href="{reverse("contributors:profile")}">Profile</a>' in html
    assert f'<a href="{reverse("contributors:token")}">API token</a>' in html
    assert re.search(
        rf'<form class="logout" action="{reverse("contributors:logout")}" method="post">'
        r'<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )
    assert reverse("contributors:signup") not in html


# ================================================================ password reset and change


def _reset_link(message: Any) -> str:
    match = re.search(r"^(http\S+)$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def test_password_reset_mails_a_link_that_sets_the_new_password(
    client: Client, contributor: Any
) -> None:
    response = client.post(
        reverse("contributors:password-reset"), {"email": contributor.email.upper()}
    )

    assert response.status_code == 302
    assert response.url == reverse("contributors:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contributor.email]
    assert message.subject == "Reset your Weekly password"
    link = _reset_link(message)
    assert link.startswith(settings.SITE_URL + "/en/accounts/password/reset/")
    assert "Your user name is contributor." in message.body

    form_page = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done.status_code == 302
    assert done.url == reverse("contributors:password-reset-complete")
    contributor.refresh_from_db()
    assert contributor.check_password(NEW_PASSWORD)
    assert not contributor.check_password(TEST_PASSWORD)
    # The link is spent.
    again = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert again.context["validlink"] is False
    assert "This link does not work" in again.content.decode()


def test_password_reset_link_uses_the_site_url_whatever_the_host_asked(
    client: Client, contributor: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    settings.SITE_URL = "https://weekly.example.org"

    client.post(
        reverse("contributors:password-reset"),
        {"email": contributor.email},
        HTTP_HOST="attacker.example",
    )

    assert _reset_link(mail.outbox[0]).startswith("https://weekly.example.org/en/accounts/")


def test_password_reset_for_an_unknown_address_answers_alike_and_sends_nothing(
    client: Client, db: None
) -> None:
    response = client.post(reverse("contributors:password-reset"), {"email": "who@example.org"})

    assert response.status_code == 302
    assert response.url == reverse("contributors:password-reset-done")
    assert mail.outbox == []


def test_password_change_for_a_member(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    response = client.post(
        reverse("contributors:password-change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("contributors:password-change-done")
    contributor.refresh_from_db()
    assert contributor.check_password(NEW_PASSWORD)
    assert _session_user_id(client) == contributor.pk


def test_password_change_refuses_a_wrong_old_password(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    response = client.post(
        reverse("contributors:password-change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    contributor.refresh_from_db()
    assert contributor.check_password(TEST_PASSWORD)


# ================================================================ profile

PROFILE = {
    "display_name": "Jane Doe",
    "affiliation": "Example University",
    "bio": "Reads papers on scaling.",
    "homepage_url": "https://jane.example.org/",
    "github_username": "jane-doe",
    "orcid": "0000-0002-1825-0097",
    # notify_by_email left out: an unticked box.
}


def test_profile_page_shows_the_members_fields(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    response = client.get(reverse("contributors:profile"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Your profile · Weekly</title>" in html
    for name in (*PROFILE, "notify_by_email"):
        assert f'<label for="id_{name}">' in html
    assert f'value="{contributor.display_name}"' in html
    public_page = reverse("issues:contributors-detail", args=[contributor.username])
    assert f'href="{public_page}"' in html


def test_profile_edit_changes_the_fields(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    response = client.post(reverse("contributors:profile"), PROFILE)

    assert response.status_code == 302
    assert response.url == reverse("contributors:profile")
    contributor.refresh_from_db()
    for name, value in PROFILE.items():
        assert getattr(contributor, name) == value
    assert contributor.notify_by_email is False
    assert "Your profile is saved." in client.get(response.url).content.decode()


def test_profile_edit_turns_notifications_back_on(client: Client, contributor: Any) -> None:
    contributor.notify_by_email = False
    contributor.save(update_fields=["notify_by_email"])
    client.force_login(contributor)

    client.post(reverse("contributors:profile"), {**PROFILE, "notify_by_email": "on"})

    contributor.refresh_from_db()
    assert contributor.notify_by_email is True


def test_profile_escapes_a_script_in_the_display_name(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    client.post(
        reverse("contributors:profile"), {**PROFILE, "display_name": "<script>alert(1)</script>"}
    )
    html = client.get(reverse("contributors:profile")).content.decode()

    contributor.refresh_from_db()
    assert contributor.display_name == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"orcid": "0000-0002-1825-0098"}, "This ORCID iD&#x27;s check digit is wrong"),
        ({"github_username": "-bad-"}, "Enter a GitHub user name"),
        ({"homepage_url": "not a url"}, "Enter a valid URL."),
        ({"display_name": "x" * 101}, "Ensure this value has at most 100 characters"),
    ],
)
def test_profile_edit_refuses_bad_input_and_changes_nothing(
    client: Client, contributor: Any, change: dict[str, str], message: str
) -> None:
    client.force_login(contributor)
    name_before = contributor.display_name

    response = client.post(reverse("contributors:profile"), {**PROFILE, **change})

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    contributor.refresh_from_db()
    assert contributor.display_name == name_before
    assert contributor.affiliation == ""
    # The navigation still names the member as stored.
    assert f'<span class="who">{name_before}</span>' in html


# ================================================================ API token


def _api_me(token: str) -> int:
    return Client().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_token_page_says_there_is_no_token_yet(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    response = client.get(reverse("contributors:token"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "You have no API token yet." in html
    assert "Create a token" in html
    assert 'curl -H "Authorization: Token YOUR-TOKEN" http://testserver/api/v1/me/' in html
    assert not Token.objects.exists()


def test_token_create_shows_a_key_the_api_accepts(client: Client, contributor: Any) -> None:
    client.force_login(contributor)

    response = client.post(reverse("contributors:token"))

    token = Token.objects.get(user=contributor)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{token.key}"' in html
    assert f'curl -H "Authorization: Token {token.key}"' in html
    assert "no-store" in response["Cache-Control"]
    assert _api_me(token.key) == 200
    # The key is not on the page reached by a GET.
    page = client.get(reverse("contributors:token")).content.decode()
    assert token.key not in page
    assert "You have an API token." in page


def test_token_show_answers_the_same_token(client: Client, contributor: Any) -> None:
    client.force_login(contributor)
    first = Token.objects.create(user=contributor)

    response = client.post(reverse("contributors:token"))

    assert first.key in response.content.decode()
    assert list(Token.objects.values_list("key", flat=True)) == [first.key]


def test_token_rotate_replaces_the_key(client: Client, contributor: Any) -> None:
    client.force_login(contributor)
    old = Token.objects.create(user=contributor).key

    response = client.post(reverse("contributors:token-rotate"))

    new = Token.objects.get(user=contributor).key
    assert new != old
    assert new in response.content.decode()
    assert "The old one no longer works." in response.content.decode()
    assert _api_me(new) == 200
    assert _api_me(old) == 401


def test_token_revoke_removes_the_key(client: Client, contributor: Any) -> None:
    client.force_login(contributor)
    old = Token.objects.create(user=contributor).key

    response = client.post(reverse("contributors:token-revoke"), follow=True)

    assert not Token.objects.filter(user=contributor).exists()
    assert "Your API token is revoked" in response.content.decode()
    assert "You have no API token yet." in response.content.decode()
    assert _api_me(old) == 401


@pytest.mark.parametrize("name", ["contributors:token-rotate", "contributors:token-revoke"])
def test_token_actions_are_post_only(client: Client, contributor: Any, name: str) -> None:
    client.force_login(contributor)
    key = Token.objects.create(user=contributor).key

    response = client.get(reverse(name))

    assert response.status_code == 405
    assert Token.objects.get(user=contributor).key == key


@pytest.mark.parametrize(
    "name", ["contributors:token", "contributors:token-rotate", "contributors:token-revoke"]
)
def test_token_actions_send_the_anonymous_to_login(client: Client, db: None, name: str) -> None:
    response = client.post(reverse(name))

    assert response.status_code == 302
    assert response.url == _login_url(reverse(name))
    assert not Token.objects.exists()


def test_token_actions_refuse_a_forged_post_without_csrf(contributor: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(contributor)
    key = Token.objects.create(user=contributor).key

    response = client.post(reverse("contributors:token-rotate"))

    assert response.status_code == 403
    assert Token.objects.get(user=contributor).key == key


# ================================================================ rate limits


def test_signup_is_throttled_per_client_address(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DRF copies the rates into the throttle class when it is imported; change them there.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "signup", "2/hour")
    for n in range(2):
        client.post(reverse("contributors:signup"), {**SIGNUP, "username": f"m{n}", "email": ""})

    response = client.post(reverse("contributors:signup"), SIGNUP)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts from your address. Please try again in" in (response.content.decode())
    assert 'value="lin@example.org"' in response.content.decode()
    assert not User.objects.exists()
    # Another address is not held back.
    other = client.post(reverse("contributors:signup"), SIGNUP, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302
    assert User.objects.filter(username="lin").exists()


def test_login_is_throttled_per_client_address(
    client: Client, contributor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "web_login", "2/hour")
    for _ in range(2):
        client.post(reverse("contributors:login"), {"username": "contributor", "password": "x"})

    response = client.post(
        reverse("contributors:login"), {"username": "contributor", "password": TEST_PASSWORD}
    )

    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts from your address." in html
    assert 'value="contributor"' in html
    assert _session_user_id(client) is None


def test_login_throttle_is_not_dodged_by_a_forged_forwarded_header(
    client: Client, contributor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "web_login", "1/hour")
    client.post(reverse("contributors:login"), {"username": "contributor", "password": "x"})

    response = client.post(
        reverse("contributors:login"),
        {"username": "contributor", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )

    assert response.status_code == 429
    assert _session_user_id(client) is None
