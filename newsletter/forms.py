"""The subscription form: validation only; ``newsletter.services.subscribe`` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.org"}),
    )
    # Left empty by people; filled by bots that fill every field. Hidden by the stylesheet.
    # No length or character checks: the page shows no error of this hidden field, so anything
    # in it gets the form-wide message of ``clean`` (the request's size limit bounds it).
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].validators = []  # not even the NUL check: see above

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
