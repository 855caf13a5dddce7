"""The Content-Security-Policy header built once per process (``common.csp``)."""

from __future__ import annotations

from typing import Any

import pytest
from csp.constants import SELF, UNSAFE_INLINE
from csp.utils import build_policy
from django.test import Client

from common import csp


def test_site_policy_is_django_csps_and_built_once(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[bool] = []

    def counting(**kwargs: Any) -> str:
        built.append(kwargs.get("report_only", False))
        return build_policy(**kwargs)

    monkeypatch.setattr(csp, "build_policy", counting)
    csp.site_policy.cache_clear()

    answers = [
        Client().get(path) for path in ("/healthz/live", "/en/topics/", "/en/topics/", "/en/")
    ]

    headers = {a.get("Content-Security-Policy") for a in answers[1:]}
    assert len(headers) == 1  # the one header built
    assert set(headers.pop().split("; ")) == set(build_policy().split("; "))
    assert "'unsafe-inline'" not in build_policy()
    assert built == [False, True]  # the policy and the report-only one, once


def test_changed_settings_change_the_header(db: None, settings: Any) -> None:
    Client().get("/en/topics/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "img-src": ["*"]}}

    header = Client().get("/en/topics/")["Content-Security-Policy"]

    assert set(header.split("; ")) == {"default-src 'self'", "img-src *"}


def test_response_with_a_policy_of_its_own_keeps_it(db: None) -> None:
    """Redoc relaxes styles for its own response (``csp_update``): django-csp builds that one."""
    header = Client().get("/api/v1/redoc/")["Content-Security-Policy"]

    assert f"style-src {SELF} {UNSAFE_INLINE}" in header
