"""Field validators shared by services, forms and the API, so all refuse alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext

from common.exceptions import InvalidInput

SUMMARY_MAX_LENGTH = 10_000
TITLE_MAX_LENGTH = 300

_http_url = URLValidator(schemes=["http", "https"])
#: What RFC 3986 lets no web address hold unencoded, and Django's check lets through in paths:
#: quotes and angle brackets end an HTML attribute or a Markdown ``<…>`` link around the address.
URL_UNSAFE_CHARACTERS = '"<>{}|\\^`'


def validate_http_url(value: str) -> None:
    """An absolute http(s) URL of at most 500 characters, without the characters a URL must
    percent-encode (``URL_UNSAFE_CHARACTERS``)."""
    if len(value) > 500:
        raise ValidationError(
            gettext("A link may be at most 500 characters long."), code="too_long"
        )
    try:
        _http_url(value)
    except ValidationError:
        raise ValidationError(
            gettext("Enter a full web address starting with http:// or https://."),
            code="invalid_url",
        ) from None
    unsafe = dict.fromkeys(c for c in value if c in URL_UNSAFE_CHARACTERS)
    if unsafe:
        raise ValidationError(
            gettext(
                "This link holds characters a web address may not contain as they are: "
                "%(characters)s. Copy the address from the browser's address bar, which encodes "
                "them."
            )
            % {"characters": " ".join(unsafe)},
            code="unsafe_characters",
        )


def validate_summary(value: str) -> None:
    if not value.strip():
        raise ValidationError(
            gettext("Write a summary: a paragraph on what the item is about."), code="required"
        )
    if len(value) > SUMMARY_MAX_LENGTH:
        raise ValidationError(
            gettext("A summary may be at most %(limit)s characters long.")
            % {"limit": SUMMARY_MAX_LENGTH},
            code="too_long",
        )


def validate_no_control_characters(value: str) -> None:
    """Refuse control characters other than tab and line breaks, and the characters XML cannot
    carry (lone surrogates, U+FFFE, U+FFFF), which would break the feeds."""
    if any((ord(c) < 32 and c not in "\t\n\r") or c == "\x7f" for c in value):
        raise ValidationError(
            gettext("This text contains control characters."), code="control_characters"
        )
    if any("\ud800" <= c <= "\udfff" or c in "\ufffe\uffff" for c in value):
        raise ValidationError(
            gettext(
                "This text contains characters that are not allowed (U+FFFE, U+FFFF or a lone "
                "surrogate)."
            ),
            code="invalid_characters",
        )


def normalise_text(value: str) -> str:
    """A text as it is stored and compared: line breaks as LF, none of the blanks that end a
    line, and no blank lines or blanks at the start or end.

    Browsers send a textarea's line breaks as CRLF (the HTML standard says so) while what is
    stored has LF, and a text pasted back carries trailing blanks no reader sees: without this, an
    unchanged text reads as changed. Two blanks ending a line (a Markdown hard line break) go too.
    """
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def check_field(field: str, value: str, *validators: Any) -> str:
    """Run the shared validators on ``value``; their error becomes ``InvalidInput`` on ``field``."""
    try:
        validate_no_control_characters(value)
        for validator in validators:
            validator(value)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field=field) from None
    return value


def max_length(limit: int) -> Any:
    def validator(value: str) -> None:
        if len(value) > limit:
            raise ValidationError(
                gettext("At most %(limit)s characters, please.") % {"limit": limit}
            )

    return validator
