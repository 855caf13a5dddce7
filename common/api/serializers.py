"""What the API's views share about serializers."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request


def validated(serializer_class: type, request: Request, **kwargs: Any) -> dict[str, Any]:
    """The request body checked by ``serializer_class``; a failed check answers 400 with the
    documented error shape (``common.api.errors``)."""
    given = serializer_class(data=request.data, **kwargs)
    given.is_valid(raise_exception=True)
    return given.validated_data
