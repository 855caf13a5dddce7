"""Site-wide plain views that belong to no app: robots.txt and the favicon, which describe this
site's own URLs and icon."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views import View
from django.views.generic import RedirectView

from common.links import site_url

#: Crawlers may read every page but the admin and the API, whose content the pages show anyway,
#: and the members' inboxes (which answer anonymous readers with the sign-in page).
DISALLOWED_PREFIXES = ("/admin/", "/api/")
#: A slug standing for every publication's in the paths of ``disallowed_pages``.
_ANY_SLUG = "any-publication"


def disallowed_pages() -> list[str]:
    """Paths of members' pages, in every language, a publication's slug written ``*`` (a
    wildcard the major crawlers read)."""
    paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            path = reverse("inbox:inbox", args=[_ANY_SLUG])
        paths.append(path.replace(_ANY_SLUG, "*"))
    return paths


class RobotsTxtView(View):
    """``/robots.txt``, pointing crawlers at the sitemap.

    The sitemap's address is built from ``SITE_URL``, not the request's host: crawlers are
    told the canonical address, whichever name they reached the site by.
    """

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest) -> HttpResponse:
        lines = [
            "User-agent: *",
            "Allow: /",
            *(f"Disallow: {prefix}" for prefix in (*DISALLOWED_PREFIXES, *disallowed_pages())),
            f"Sitemap: {site_url(reverse('sitemap-index'))}",
        ]
        return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class FaviconView(RedirectView):
    """``/favicon.ico``, which browsers ask for on pages that name no icon (the admin, the API
    docs): the site's icon. Its static URL is looked up per request, since the manifest of
    hashed names exists only after ``collectstatic``."""

    permanent = True

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return static("weekly/favicon.svg")
