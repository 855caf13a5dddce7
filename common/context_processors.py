"""What every page's template may read besides Django's own context."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from common.i18n import X_DEFAULT, hreflang, language_of_path, strip_language, translate_url_from
from common.links import site_url


def site(request: HttpRequest) -> dict[str, Any]:
    """``SITE_NAME``: the name the header, the tab titles and the error pages give the site."""
    return {"SITE_NAME": settings.SITE_NAME}


def language_alternates(request: HttpRequest) -> dict[str, Any]:
    """``language_alternates``: this page in every language, for ``<link rel="alternate"
    hreflang>`` and the language switch, as ``(hreflang, full address)`` pairs, the address
    without a language (which redirects by the reader's choice) as ``x-default``. Empty on a
    page whose address has no language (the admin, an error page of an unknown address)."""
    language = language_of_path(request.path_info)
    if language is None or getattr(request, "resolver_match", None) is None:
        return {"language_alternates": ()}
    path = request.get_full_path()
    alternates = [
        (hreflang(code), site_url(translate_url_from(path, language, code)))
        for code, _name in settings.LANGUAGES
    ]
    alternates.append((X_DEFAULT, site_url(strip_language(path))))
    return {"language_alternates": alternates}
