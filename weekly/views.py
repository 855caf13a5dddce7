"""Site-wide plain views that belong to no app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import RedirectView

from weekly.links import site_url

#: Crawlers may read every page but the admin and the API, whose content the pages show anyway.
DISALLOWED_PREFIXES = ("/admin/", "/api/")


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
            *(f"Disallow: {prefix}" for prefix in DISALLOWED_PREFIXES),
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


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page, saying what was wrong with the request.

    Django's own page says only "Bad Request (400)". A ``BadRequest`` raised by our views
    carries a sentence written for people, shown as it is (the size refusals are answered by
    ``weekly.limits.bad_request`` first). Other suspicious requests get a general sentence:
    their messages are for the log, not the page.
    """
    if type(exception) is BadRequest and str(exception):
        reason = str(exception)
    else:
        reason = _("The request could not be read. Go back, reload the page and try again.")
    return render(request, "400.html", {"reason": reason}, status=400)
