"""Forms of the publication's voice: fields only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PlainTextField
from drafting.enums import Spacing
from drafting.services.voice import EXAMPLES_MAX, INSTRUCTIONS_MAX_LENGTH, LENGTH_MAX


class HouseStyleForm(forms.Form):
    spacing = forms.ChoiceField(
        label=_("Spacing between Chinese and Latin text"), choices=Spacing.choices
    )
    summary_min_length = forms.IntegerField(
        label=_("Shortest summary"), min_value=0, max_value=LENGTH_MAX, required=False
    )
    summary_max_length = forms.IntegerField(
        label=_("Longest summary"), min_value=0, max_value=LENGTH_MAX, required=False
    )
    title_max_length = forms.IntegerField(
        label=_("Longest Chinese title"),
        min_value=0,
        max_value=LENGTH_MAX,
        required=False,
        help_text=_("In characters, white space not counted; empty or 0 for no bound."),
    )
    drafts_enabled = forms.BooleanField(
        label=_("Ask the language model for drafts of entries"),
        required=False,
        help_text=_("Only when the site has a language model (LLM_API_URL)."),
    )
    show_draft_note = forms.BooleanField(
        label=_("Tell readers when an entry began as a model's draft"), required=False
    )


class GlossaryTermForm(forms.Form):
    term = PlainTextField(label=_("Term"), max_length=100, help_text=_("In English."))
    translation = PlainTextField(
        label=_("In Chinese"),
        max_length=100,
        required=False,
        help_text=_("Empty: kept in English, as Transformer or BERT."),
    )
    avoid = PlainTextField(
        label=_("Renderings to avoid"),
        max_length=2200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line."),
    )


class PromptTemplateForm(forms.Form):
    instructions = PlainTextField(
        label=_("Instructions"),
        max_length=INSTRUCTIONS_MAX_LENGTH + 100,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "What the model is asked. {publication}, {glossary}, {topics} and {examples} are "
            "filled in; the form of the answer is added by the site."
        ),
    )
    examples = forms.IntegerField(
        label=_("Past entries shown as examples"), min_value=0, max_value=EXAMPLES_MAX
    )
