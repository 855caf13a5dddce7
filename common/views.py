"""The site's general 400 page (``handler400`` falls back to it, through ``common.limits``)."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


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
    return render(request, "400.html", {"reason": reason}, status=400)
