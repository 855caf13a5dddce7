"""The Content-Security-Policy header, built once per process for the site-wide policy.

django-csp builds the header from the settings on every response, twice (the policy and the
report-only one): some 40 µs of a warm page's 0.4 ms. The site-wide policy changes only with the
settings, so this middleware builds both headers once and reuses them. A response that changes
its own policy (``csp_update`` and the like: the paste-ready HTML export, Redoc) or a request
that used a nonce goes through django-csp's own code, unchanged.
"""

from __future__ import annotations

import functools
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

#: The attributes by which a view or decorator gives a response a policy of its own.
OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


@functools.cache
def site_policy() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(header, its value, the path prefixes it is not sent on) for the policy and the
    report-only policy the settings set, each built once."""
    found = []
    for header, setting, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        value = build_policy(report_only=report_only)
        if value:
            excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            found.append((header, value, tuple(excluded)))
    return tuple(found)


@receiver(setting_changed)
def _forget_policy(*, setting: str, **_: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        site_policy.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the site-wide headers built once (see the module's note)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) for name in OWN_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # Django's debug pages, as django-csp leaves them
        exempt = {HEADER: "_csp_exempt", HEADER_REPORT_ONLY: "_csp_exempt_ro"}
        for header, value, excluded in site_policy():
            if (
                header not in response
                and not getattr(response, exempt[header], False)
                and not request.path_info.startswith(excluded)
            ):
                response[header] = value
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
