"""Request bodies: JSON only, and never more than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes.

JSON may spell a lone UTF-16 surrogate (``"\\ud800"``), which is no character: no text field
could keep it, and an error message that quoted it back could not be encoded. Such bodies are
refused as unreadable, like malformed JSON.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _has_lone_surrogate(data: Any) -> bool:
    """Whether any string or key of the parsed ``data`` holds a lone surrogate."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class BoundedJSONParser(JSONParser):
    """JSON bodies up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes; larger ones are refused unread."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        # A body declared too large never gets here: common.limits.RequestSizeMiddleware refuses
        # it first. This catches one that says less than it sends.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge()
        if not body.strip():
            return {}
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("The JSON is nested too deeply.") from None
        if _has_lone_surrogate(data):
            raise exceptions.ParseError(
                "The JSON holds a lone surrogate (such as \\ud800), which is no character."
            )
        return data
