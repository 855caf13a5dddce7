"""The publication's settings page: its style. Validation is the service's (one message for the
page and the API); the form only carries the fields."""

from __future__ import annotations

from typing import Any

from django import forms

from publications.models import PublicationStyle
from publications.services import STYLE_FIELDS


class PublicationStyleForm(forms.ModelForm):
    class Meta:
        model = PublicationStyle
        fields = STYLE_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in (
                "header_template",
                "intro_template_zh",
                "intro_template_en",
                "invitation_zh",
                "invitation_en",
                "entry_template",
                "closing",
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # " 等" and a joiner keep their blanks: they are written as they are.
        for name in ("authors_more", "last_joiner_zh"):
            self.fields[name].strip = False
