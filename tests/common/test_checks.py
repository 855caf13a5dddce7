"""Tests of the project's system checks (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from common.checks import check_site_url


@pytest.mark.parametrize(
    ("site_url", "hosts", "debug", "expected"),
    [
        ("https://weekly.example.org", ["weekly.example.org"], False, []),
        ("https://weekly.example.org", [".example.org"], False, []),
        ("http://127.0.0.1:8000", ["weekly.example.org"], False, ["weekly.W002"]),
        ("weekly.example.org", ["weekly.example.org"], False, ["weekly.W001"]),
        ("http://weekly.example.org", ["weekly.example.org"], False, ["weekly.W003"]),
        ("http://127.0.0.1:8000", ["127.0.0.1"], True, []),
    ],
)
def test_site_url_is_checked_against_the_hosts_served(
    settings: Any, site_url: str, hosts: list[str], debug: bool, expected: list[str]
) -> None:
    settings.SITE_URL = site_url
    settings.ALLOWED_HOSTS = hosts
    settings.DEBUG = debug
    assert [message.id for message in check_site_url()] == expected


def test_check_deploy_names_the_development_default(settings: Any) -> None:
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["weekly.example.org"]
    with pytest.raises(SystemCheckError, match=r"weekly\.W002"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "urls")
