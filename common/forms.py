"""What the editorial forms share: a plain-text field, and a service's refusal shown on a form.

Forms validate input only; the services decide and write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from common.validators import validate_no_control_characters


def add_workflow_error(form: forms.Form, error: Any) -> None:
    """A service's refusal (``WorkflowError``) on the field it names, or on the whole form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class PlainTextField(forms.CharField):
    """Text without control characters, refused with one message (nulls included)."""

    default_validators = [validate_no_control_characters]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
