"""Field validators shared by the forms, the API and the models."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

GITHUB_USERNAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def validate_github_username(value: str) -> None:
    if not GITHUB_USERNAME_RE.match(value):
        raise ValidationError(
            _("Enter a GitHub user name: letters, digits and single hyphens, at most 39."),
            code="invalid_github",
        )


def validate_orcid(value: str) -> None:
    """An ORCID iD such as 0000-0002-1825-0097, with its ISO 7064 11,2 check digit."""
    if not ORCID_RE.match(value):
        raise ValidationError(
            _("Enter an ORCID iD in the form 0000-0002-1825-0097."), code="invalid_orcid"
        )
    digits = value.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        raise ValidationError(
            _("This ORCID iD's check digit is wrong; please copy it again."),
            code="invalid_orcid_checksum",
        )
