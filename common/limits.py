"""Request bodies: how large they may be, and a readable refusal when they are not.

One page takes a file (a publication's image, ``accepts_one_file``); every other refuses a form
that carries one before any of it is kept (``RefuseFiles``). No form or JSON body of ours comes
near ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (1 MB by default). A body declared larger is refused with 413
before anything reads it (``RequestSizeMiddleware``); what Django itself refuses while reading a
form (``RequestDataTooBig``, ``TooManyFieldsSent``) gets a page that says what went wrong instead
of a bare "Bad Request" (``bad_request``, the site's ``handler400``). Under ``/api/`` both answer
in the API's one error shape.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from common import views
from common.api.errors import error_body

API_PREFIX = "/api/"
TEMPLATE = "request_refused.html"


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:  # Django reads such a body as empty too
        return 0


def _refusal(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body(code, message), status=status)
    context = {"status": status, "message": message}
    return render(request, TEMPLATE, context, status=status)


def too_large(request: HttpRequest) -> HttpResponse:
    """413: the body is over the limit (the API's ``too_large``, or a page saying so)."""
    if request.path.startswith(API_PREFIX):
        message = "The request body is too large."
    else:
        message = _(
            "What you sent is too large: the limit is %(limit)s. Please shorten it and send it "
            "again."
        ) % {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    return _refusal(request, 413, "too_large", message)


class RequestSizeMiddleware:
    """Refuses a request whose declared body is over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, for
    every path and method, before any view or middleware reads it.

    Placed last: its refusal passes back through every other middleware, so it carries the
    security headers and is logged like any answer. A body without a declared length (chunked)
    is never read by Django at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return too_large(request)
        return self.get_response(request)


def bad_request(request: HttpRequest, exception: Exception, **kwargs: Any) -> HttpResponse:
    """The site's 400 handler: Django calls it for a request it finds suspicious.

    Too large a body (should one get past ``RequestSizeMiddleware``) answers 413; too many form
    fields, or a file (none is taken: ``DATA_UPLOAD_MAX_NUMBER_FILES`` is 0), 400; each page
    says why. Anything else gets ``common.views.bad_request``'s page.
    """
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    if isinstance(exception, TooManyFieldsSent):
        message = _("The form you sent has too many fields (more than %(limit)d).") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
        return _refusal(request, 400, "invalid", message)
    if isinstance(exception, TooManyFilesSent):
        if any(isinstance(h, MemoryFileUploadHandler) for h in request.upload_handlers):
            return _refusal(request, 400, "invalid", _("Send one file at a time."))
        return _refusal(request, 400, "invalid", _("This site takes no files."))
    return views.bad_request(request, exception)


class RefuseFiles(FileUploadHandler):
    """The site's upload handler (``FILE_UPLOAD_HANDLERS``): a file part is refused, as too many
    files (400, "This site takes no files."), before any byte of it is kept."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        raise TooManyFilesSent("This site takes no files.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        return None

    def file_complete(self, file_size: int) -> None:
        return None


def accepts_one_file(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view that takes one file, held in memory (``RequestSizeMiddleware`` bounds the body).

    The handlers must be changed before anything reads the body, and the CSRF check reads it:
    so, as Django's documentation of upload handlers says, the check runs after the change.
    """

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.upload_handlers = [MemoryFileUploadHandler(request)]
        return csrf_protect(view)(request, *args, **kwargs)

    return wrapped
