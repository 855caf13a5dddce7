"""Every web form and query string, fed each text of the hostile corpus into each field in turn
(the other fields valid), as the member the page is for.

An answer may accept the value or refuse it; it may never be a server error. A refusal is a 4xx
that says what is wrong, or the form again with its error; and after a refusal every stored
row reads as before (``harness.run_corpus``). One test per form, collecting the failures, so a
broken form lists every value that broke it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contributors.services import notifications_off_token
from newsletter.services import confirmation_token, unsubscribe_token
from tests.factories.contributors import TEST_PASSWORD
from tests.security import corpus
from tests.security.conftest import World
from tests.security.harness import RUNS, run_corpus

pytestmark = pytest.mark.django_db

TEXTS = corpus.texts()
#: Values for a field that is a path segment: the text values, %-encoded by the harness.
PATH_TEXTS = [bad for bad in TEXTS if bad.group != "oversized" or len(bad.value) <= 2048]


def _as(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _assert_clean(run: Any) -> None:
    assert run.cases > 0
    assert not run.failures, run.report()


def _no_markup_echo(bad: corpus.Bad, field: str, response: HttpResponse) -> str:
    """A page that shows the value back shows it as text, never as markup."""
    if bad.group != "html" or response.streaming:
        return ""
    body = response.content.decode("utf-8", "replace")
    if "<" in bad.value and bad.value in body:
        return "the value came back unescaped"
    return ""


# --- accounts -----------------------------------------------------------------------------------


def test_signup_form(world: World) -> None:
    run = run_corpus(
        "signup",
        _as(None),
        "post",
        reverse("contributors:signup"),
        valid={
            "username": "newcomer",
            "email": "newcomer@example.org",
            "display_name": "New Comer",
            "password1": "a long passphrase 9431",
            "password2": "a long passphrase 9431",
            "next": "/",
        },
        fields=["username", "email", "display_name", "password1", "next"],
        values=TEXTS,
        check=_no_markup_echo,
    )
    _assert_clean(run)


def test_login_form(world: World) -> None:
    run = run_corpus(
        "login",
        _as(None),
        "post",
        reverse("contributors:login"),
        valid={"username": "contributor", "password": TEST_PASSWORD, "next": "/"},
        fields=["username", "password", "next"],
        values=TEXTS,
        check=_no_markup_echo,
    )
    _assert_clean(run)
