"""Tests of common.sessions: the session store refuses, without a query, a key no session of
Django's can have (a NUL above all, which PostgreSQL refuses in a query). How the API answers such
a cookie is tested in ``tests/common/api/test_authentication.py``."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY

from common.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_session_store_is_the_configured_engine() -> None:
    assert import_module(settings.SESSION_ENGINE).SessionStore is SessionStore


def test_session_store_key_of_django_s_alphabet_is_kept() -> None:
    key = "0123456789abcdefghijklmnopqrstuv"

    assert SessionStore(key).session_key == key


@pytest.mark.parametrize(
    "key",
    [
        "abcdefgh\x00ijklmnop",
        "abcdefghijklmnop\x00",
        "abcdefgh\x1bijklmnop",
        "ABCDEFGHIJKLMNOP",
        "abcdefgh-ijklmnop",
        "abcdefghéijklmnop",
        "abcdefg",  # Django's own rule: eight characters at least
        "",
        None,
    ],
    ids=[
        "nul",
        "trailing-nul",
        "escape",
        "upper-case",
        "dash",
        "non-ascii",
        "short",
        "empty",
        "none",
    ],
)
def test_session_store_foreign_key_is_no_session_without_a_query(
    django_assert_num_queries: Any, key: str | None
) -> None:
    store = SessionStore(key)

    with django_assert_num_queries(0):
        assert store.session_key is None
        assert store.get(SESSION_KEY) is None
        assert store.is_empty()
