"""One error shape for every error answer of the API::

    {"error": {"code": "invalid",
               "message": "A sentence for people.",
               "fields": {"summary": ["…"]}}}

``fields`` names the fields at fault (empty when the error is not about one field). The API's
views answer their refusals here; what never reaches a view of the API (a 500, a CSRF refusal, a
path that names no endpoint) is answered in the same shape by ``common.views``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.api.parsers import RequestTooLarge
from common.exceptions import WorkflowError

_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "not_allowed",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "too_large",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {"field" or "field.sub" or "field.0": [messages]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors" and not prefix:
                name = ""
            flat.update(_flatten(value, name))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix: [str(item) for item in items]}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Turn every refusal into the one error shape, with a message a person can read."""
    if isinstance(exc, WorkflowError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        response = Response(error_body(exc.code, exc.message, fields), status=exc.http_status)
        retry_after = getattr(exc, "retry_after", None)  # a quota: when to try again
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = _CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        general = fields.pop("", [])
        message = (
            " ".join(general) or "Some fields are not valid: " + ", ".join(sorted(fields)) + "."
        )
        response.data = error_body("invalid", message, fields)
    else:
        detail = getattr(exc, "detail", "")
        response.data = error_body(
            getattr(detail, "code", None) if code == "error" else code, str(detail)
        )
    return response


@csrf_exempt
def not_found(request: Any, *args: Any, **kwargs: Any) -> JsonResponse:
    """A path under the API that names no endpoint.

    Exempt from the CSRF check, as the API's views are: otherwise a POST to a mistyped path
    (an id that is no number, say) would answer the site's HTML 403 page instead of this 404.
    """
    return JsonResponse(
        error_body("not_found", "There is no such endpoint in this API."), status=404
    )
