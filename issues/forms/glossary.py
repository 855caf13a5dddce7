"""Forms of the institution glossary's pages: validation of input only; the services decide
and write (``issues.services.glossary``), with the same limits (``papers.services.institutions``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PlainTextField
from papers.services.institutions import NAME_MAX_LENGTH, SHORT_FORM_MAX_LENGTH


class InstitutionNameForm(forms.Form):
    """One click: an institution's Chinese short form (and its English one, if the editor
    knows it)."""

    institution = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    short_zh = PlainTextField(label=_("Chinese short form"), max_length=SHORT_FORM_MAX_LENGTH)
    short_en = PlainTextField(
        label=_("English short form"), max_length=SHORT_FORM_MAX_LENGTH, required=False
    )


class GlossaryEntryForm(forms.Form):
    """An entry of the glossary, new or changed."""

    name = PlainTextField(
        label=_("Full name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("In English, as ROR or the papers write it: Stanford University."),
    )
    short_zh = PlainTextField(
        label=_("Chinese short form"),
        max_length=SHORT_FORM_MAX_LENGTH,
        required=False,
        help_text=_("As the community writes it: 斯坦福, 清华, 谷歌."),
    )
    short_en = PlainTextField(
        label=_("English short form"),
        max_length=SHORT_FORM_MAX_LENGTH,
        required=False,
        help_text=_("Stanford, MIT, CMU; empty: the full name."),
    )
    ror_id = PlainTextField(
        label=_("ROR id"),
        max_length=40,
        required=False,
        help_text=_("The nine characters after https://ror.org/, only when you are sure of it."),
    )
    aliases = PlainTextField(
        label=_("Other names"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, in any language: how papers also name it."),
    )

    def service_fields(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values["aliases"] = values["aliases"].splitlines()
        return values
