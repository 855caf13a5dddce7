"""The OpenAPI schema: every operation documents the errors it can answer with."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable, machine-readable reason.")
    message = serializers.CharField(help_text="A sentence for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The fields at fault, each with its messages (empty when none is).",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_ERROR_DESCRIPTIONS = {
    400: "The input is not valid (see ``error.fields``).",
    401: "Not signed in, or the token is not valid.",
    403: "The caller lacks the capability.",
    404: "No such object, or not visible to the caller.",
    406: "The Accept header asks for a format the API does not serve.",
    409: "The object's state does not allow this action, or it changed meanwhile.",
    413: "The request body is too large.",
    415: "The request body is not JSON.",
    429: "Too many requests; wait for the number of seconds in Retry-After.",
}


#: gunicorn's limits (``gunicorn.conf.py``): a request past one never reaches the API.
REQUEST_LINE_LIMIT = 4094
HEADER_FIELD_SIZE_LIMIT = 8190
HEADER_FIELDS_LIMIT = 100

_BEFORE_THE_API = (
    " The web server answers before the API sees the request, with a short HTML page instead "
    "of the JSON error shape."
)
#: What the web server answers for any operation, whatever the API would have said.
_SERVER_REFUSALS = {
    414: (
        f"The request line (method, path and query string) is longer than {REQUEST_LINE_LIMIT} "
        "bytes." + _BEFORE_THE_API
    ),
    431: (
        f"A request header is longer than {HEADER_FIELD_SIZE_LIMIT} bytes, or there are more "
        f"than {HEADER_FIELDS_LIMIT} headers." + _BEFORE_THE_API
    ),
}


class WeeklyAutoSchema(AutoSchema):
    """Every operation documents the errors it can answer with, in the one error shape, and
    those the web server gives before the API, in its own."""

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        codes = [400, 401, 403, 404, 406, 429]
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes += [409, 413, 415]
        for code in codes:
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[code]),
                    str(code),
                    direction=direction,
                )
        for code, description in _SERVER_REFUSALS.items():
            responses.setdefault(
                str(code),
                {
                    "description": description,
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
            )
        return responses
