"""The subscription form: validation only; ``newsletter.services.subscribe`` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from issues.forms import PlainTextField


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.org"}),
    )
    # Left empty by people; filled by bots that fill every field. Hidden by the stylesheet.
    website = PlainTextField(label=_("Leave this empty"), required=False, max_length=200)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _(
                    "This form looks filled in by a program. If you are a person, clear your "
                    "browser's autofill for this page and try again."
                )
            )
        return cleaned
