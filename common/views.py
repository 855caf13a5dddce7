"""The site's error pages: 400, 403, 404, 500 and a refused form (CSRF), in the reader's language
and the site's layout; under ``/api/`` each answers in the API's one error shape instead.

Django's own pages are English only ("Not Found", "Server Error (500)") and its CSRF page
addresses developers. These handlers are named in ``weekly/urls.py`` (``handler400`` falls back
here through ``common.limits``) and ``CSRF_FAILURE_VIEW``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import page_not_found as django_page_not_found
from django.views.defaults import permission_denied as django_permission_denied

from common.api.errors import error_body

logger = logging.getLogger("weekly.errors")

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page, saying what was wrong with the request.

    Django's own page says only "Bad Request (400)". A ``BadRequest`` raised by our views
    carries a sentence written for people, shown as it is (the size refusals are answered by
    ``common.limits.bad_request`` first). Other suspicious requests get a general sentence:
    their messages are for the log, not the page.
    """
    if type(exception) is BadRequest and str(exception):
        reason = str(exception)
    else:
        reason = _("The request could not be read. Go back, reload the page and try again.")
    if _is_api(request):
        return JsonResponse(error_body("invalid", reason), status=400)
    return render(request, "400.html", {"reason": reason}, status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: the page in the site's layout (``403.html``), or the API's ``not_allowed``."""
    if _is_api(request):
        return JsonResponse(
            error_body("not_allowed", "You do not have permission to perform this action."),
            status=403,
        )
    return django_permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: the page in the site's layout (``404.html``), or the API's ``not_found``."""
    if _is_api(request):
        return JsonResponse(
            error_body("not_found", "There is no such endpoint in this API."), status=404
        )
    return django_page_not_found(request, exception)


def _stylesheet() -> str:
    """The stylesheet's address, or nothing: the 500 page must render even when the static
    files are what failed (no manifest, say)."""
    try:
        return static("weekly/weekly.css")
    except Exception:  # any failure here would turn the error page itself into a crash
        logger.warning("The 500 page goes without its stylesheet.", exc_info=True)
        return ""


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500: a page standing alone, or the API's ``server_error``.

    It extends no layout and runs no context processor: whatever failed (the database, a
    template tag, the static files) must not fail the error page too. The reader's language is
    still the one the request chose (``LocaleMiddleware`` set it before the fault). Django has
    logged the exception (logger ``django.request``) before calling this.
    """
    if _is_api(request):
        return JsonResponse(
            error_body(
                "server_error",
                "The server met an error it did not expect. It has been logged; please try "
                "again later.",
            ),
            status=500,
        )
    template = loader.get_template("500.html")
    context = {"stylesheet": _stylesheet(), "SITE_NAME": settings.SITE_NAME}
    return HttpResponse(template.render(context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (``CSRF_FAILURE_VIEW``).

    Django's page explains the check to developers; a reader needs to know what to do. The
    usual causes are a page left open past a log-in or log-out (the token changed) and a
    browser that refuses cookies. The technical reason goes to the log.
    """
    logger.info("CSRF check failed on %s: %s", request.path, reason)
    if _is_api(request):
        return JsonResponse(
            error_body("not_allowed", "CSRF check failed: send the CSRF token with the request."),
            status=403,
        )
    return render(request, "403_csrf.html", status=403)
