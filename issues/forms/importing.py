"""The form of the editor's page that imports a past issue from its pasted text."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PlainTextField
from issues.importing.parser import MAX_TEXT_LENGTH


class ImportIssueForm(forms.Form):
    text = PlainTextField(
        label=_("The issue's text"),
        max_length=MAX_TEXT_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=_(
            "As it was published: the digest's plain text from a blog or WeChat, or this site's "
            "Markdown export."
        ),
    )
    number = forms.IntegerField(
        label=_("Issue number"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text=_("When the text gives none."),
    )
    date = forms.DateField(
        label=_("Published on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the text gives none."),
    )
