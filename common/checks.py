"""System checks of the project's own settings, run by ``manage.py check --deploy``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.http.request import validate_host


@register(Tags.urls, deploy=True)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Mails, feeds, the sitemap and robots.txt link the site by ``SITE_URL``, not by the address
    a request came to (a feed or a mail has no request to go by): a wrong value sends every
    reader of them elsewhere, such as the development default's port 8000."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [
            Warning(
                f"SITE_URL {settings.SITE_URL!r} is not a web address.",
                hint="Set SITE_URL to the site's public address, such as https://weekly.example.org.",
                id="weekly.W001",
            )
        ]
    if not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        return [
            Warning(
                f"SITE_URL's host {parts.hostname!r} is not in ALLOWED_HOSTS: links in mails and "
                "feeds lead to another site, or to the development default.",
                hint="Set SITE_URL to the public address the site is served at.",
                id="weekly.W002",
            )
        ]
    if parts.scheme == "http" and not settings.DEBUG:
        return [
            Warning(
                "SITE_URL starts with http://: links in mails and feeds are not encrypted.",
                hint="Serve the site over HTTPS and give SITE_URL as https://….",
                id="weekly.W003",
            )
        ]
    return []
