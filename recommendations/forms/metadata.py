"""The form of a paper's metadata entered by hand: validation of input only;
``recommendations.services.metadata`` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PlainTextField
from papers.selectors import paper_for_reference
from papers.services import ABSTRACT_MAX_LENGTH, TITLE_MAX_LENGTH


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class PaperMetadataForm(forms.Form):
    """A paper's metadata entered by hand, when no source could provide it."""

    title = PlainTextField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    title_zh = PlainTextField(
        label=_("Chinese title"),
        max_length=500,
        required=False,
    )
    authors = PlainTextField(
        label=_("Authors"),
        help_text=_("One per line, in the paper's order."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20_000,
        required=False,
    )
    institutions = PlainTextField(
        label=_("Institutions"),
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100, required=False)
    abstract = PlainTextField(
        label=_("Abstract"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=ABSTRACT_MAX_LENGTH,
        required=False,
    )
    keep = forms.BooleanField(
        label=_("Keep my entry over the source's"),
        help_text=_(
            "Fetches from arXiv or AMiner then leave these fields alone, until the entry is saved "
            "again without this."
        ),
        required=False,
    )

    def __init__(self, *args: Any, can_keep: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only editors may keep a hand entry over the source's; members are not offered it.
        if not can_keep:
            del self.fields["keep"]

    def clean_authors(self) -> list[str]:
        return _lines(self.cleaned_data["authors"])

    def clean_institutions(self) -> list[str]:
        return _lines(self.cleaned_data["institutions"])


class PaperMergeForm(forms.Form):
    """Which row to merge into the paper shown, and the editor's word where one published issue
    shows both."""

    other = PlainTextField(
        label=_("The duplicate"),
        max_length=2048,
        help_text=_(
            "Its arXiv id, DOI or link (ACL Anthology, OpenReview, Semantic Scholar, AMiner), or "
            "its number in the catalogue (#42). It is merged into this paper and removed; nothing "
            "it holds is lost."
        ),
    )
    keep_published_entries = forms.BooleanField(
        label=_("A published issue may keep both entries"),
        required=False,
        help_text=_(
            "Only needed when one published issue shows both papers: it keeps both entries as "
            "readers saw them, the second no longer linked to the paper."
        ),
    )
    note = PlainTextField(label=_("Note"), max_length=2000, required=False)

    def clean_other(self) -> Any:
        paper = paper_for_reference(self.cleaned_data["other"])
        if paper is None:
            raise forms.ValidationError(_("No paper in the catalogue answers to this."))
        return paper
