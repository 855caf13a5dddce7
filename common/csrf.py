"""CSRF protection for the forms of pages that a shared cache may keep.

A page cached for every anonymous reader (``issues.caching``) is the same bytes for all of them,
so it cannot carry a reader's CSRF token; a page made to carry one could not be shared. Its forms
(the language switch in the site header, the newsletter's subscription) post to views wrapped in
``same_origin_form``, which take the browser's word for where the form came from instead:

- ``Sec-Fetch-Site``, which current browsers send with every request over HTTPS or to localhost
  and which no page can set: ``same-origin`` (or ``none``, a request the reader made by hand) is
  let through, ``same-site`` and ``cross-site`` are refused;
- ``Origin``, which browsers send with every POST: it must be this site's own (its scheme and
  host, or one of ``CSRF_TRUSTED_ORIGINS``), as Django's own check requires.

Each of the two headers that a request carries must say "this site", and a request that carries
neither (no browser of the last five years, or a client that is no browser) gets Django's check
unchanged: a token matching its CSRF cookie. A form posted from another site is refused in every
case, with Django's 403 page.

This is the check Go's ``net/http`` makes (``CrossOriginProtection``) and the one the Fetch
Metadata standard describes for this purpose. It is kept to the views of those forms, whose effect
is small and visible (a language, a subscription that must still be confirmed by mail); every
other form keeps its token.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.module_loading import import_string

logger = logging.getLogger("django.security.csrf")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
#: ``Sec-Fetch-Site`` values that no other site's page can cause.
OWN_SITE = ("same-origin", "none")


def _own_origin(request: HttpRequest) -> bool:
    origin = request.META["HTTP_ORIGIN"]
    own = f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


def _refuse(request: HttpRequest, reason: str) -> HttpResponse:
    logger.warning(
        "Forbidden (%s): %s", reason, request.path, extra={"status_code": 403, "request": request}
    )
    return import_string(settings.CSRF_FAILURE_VIEW)(request, reason=reason)


def cross_site_refusal(request: HttpRequest) -> HttpResponse | None:
    """The 403 for a request that another site may have made, else None."""
    if request.method in SAFE_METHODS:
        return None
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is None and "HTTP_ORIGIN" not in request.META:
        # No browser said where the form came from: the token decides, as everywhere else.
        return CsrfViewMiddleware(lambda _request: HttpResponse()).process_view(
            request, None, (), {}
        )
    if fetch_site is not None and fetch_site not in OWN_SITE:
        return _refuse(request, f"Sec-Fetch-Site is {fetch_site!r}.")
    if "HTTP_ORIGIN" in request.META and not _own_origin(request):
        return _refuse(request, f"Origin checking failed - {request.META['HTTP_ORIGIN']}.")
    return None


def same_origin_form(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view`` taking a form posted from this site's own pages without a CSRF token, and
    refusing one posted from anywhere else (see the module's note)."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = cross_site_refusal(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    # CsrfViewMiddleware leaves the request to this view's own check.
    checked.csrf_exempt = True  # type: ignore[attr-defined]
    return checked
