"""Serializer fields shared by the apps' API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string"})
class LinkField(serializers.CharField):
    """A web link a member or a metadata source gave, or "" when there is none.

    Checked as a URL on input like ``serializers.URLField``, but documented as a plain string:
    the empty string is no URI, and Django accepts international domain names
    (``http://例子.测试/``), which the OpenAPI ``uri`` format refuses, so ``format: uri`` would
    promise more than the stored links keep. (The check runs here rather than as a field
    validator, which the schema generator would turn into ``format: uri`` again.)
    """

    default_error_messages = {"invalid": _("Enter a valid URL.")}

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value:
            try:
                URLValidator()(value)
            except ValidationError:
                self.fail("invalid")
        return value


def absolute(context: dict[str, Any], path: str) -> str:
    """``path`` as a full link when the serializer has the request, else as it is."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


#: ``ModelSerializer.serializer_field_mapping`` with the models' URL fields as ``LinkField``.
FIELD_MAPPING = {**serializers.ModelSerializer.serializer_field_mapping, models.URLField: LinkField}
