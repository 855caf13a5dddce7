"""The inbox's forms: validation only; the services decide and write (and say why not)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PlainTextField
from inbox.models import InboxSettings, Watch


class WatchForm(forms.Form):
    """A watch's fields; the categories and the query are checked by ``services.save_watch``,
    as they are for the API."""

    name = PlainTextField(label=_("Name"), max_length=100)
    categories = PlainTextField(
        label=_("arXiv categories"),
        max_length=200,
        required=False,
        help_text=Watch._meta.get_field("categories").help_text,
    )
    query = PlainTextField(
        label=_("Query"),
        max_length=500,
        required=False,
        help_text=Watch._meta.get_field("query").help_text,
    )
    is_active = forms.BooleanField(label=_("Active: polled daily"), required=False, initial=True)


class InboxSettingsForm(forms.Form):
    claim_days = forms.IntegerField(
        label=_("Days a claim lasts"),
        min_value=1,
        max_value=365,
        help_text=InboxSettings._meta.get_field("claim_days").help_text,
    )
    expire_days = forms.IntegerField(
        label=_("Days a candidate waits"),
        min_value=1,
        max_value=365,
        help_text=InboxSettings._meta.get_field("expire_days").help_text,
    )
    keep_per_poll = forms.IntegerField(
        label=_("Candidates kept per poll"),
        min_value=1,
        max_value=1000,
        help_text=InboxSettings._meta.get_field("keep_per_poll").help_text,
    )


class WriteUpForm(forms.Form):
    """The summary a draft recommendation starts with, where no language model drafts one."""

    # Not required here: the recommendations' service refuses an empty summary with its message.
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the paper does and why it matters, in a few sentences."),
    )
