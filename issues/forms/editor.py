"""Forms of the editor pages: validation of input only; ``issues.services`` decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.forms import PlainTextField
from common.validators import TITLE_MAX_LENGTH, validate_http_url

#: How a ``datetime-local`` field sends its value (seconds only when the browser adds them).
DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _text(label: Any, *, rows: int = 0, max_length: int, **kwargs: Any) -> PlainTextField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return PlainTextField(
        label=label, max_length=max_length, required=False, widget=widget, **kwargs
    )


class IssueTextsForm(forms.Form):
    """The texts of an issue that ``update_issue`` and ``correct_issue`` take."""

    title = _text(_("Title"), max_length=TITLE_MAX_LENGTH)
    intro_en = _text(_("Introduction (English)"), rows=6, max_length=20_000)
    intro_zh = _text(_("Introduction (Chinese)"), rows=6, max_length=20_000)
    credits = _text(
        _("Contributor credit line"),
        max_length=1000,
        help_text=_("Leave empty to list the contributors of the entries."),
    )


class ScheduleForm(forms.Form):
    """When the issue should be published, in the site's time zone."""

    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a date and a time, like 2030-01-31 09:00.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django reads a naive date and time in the current time zone, which is the site's.
        self.fields["publish_at"].help_text = _("Time zone: %(zone)s.") % {
            "zone": settings.TIME_ZONE
        }


class EntryOrderForm(forms.Form):
    """The new order of an issue's entries: their ids, comma-separated."""

    order = forms.CharField(max_length=10_000)

    def clean_order(self) -> list[int]:
        try:
            return [int(part) for part in self.cleaned_data["order"].split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("The order lists entries by number.")) from None


class RecommendationChoiceForm(forms.Form):
    recommendation = forms.IntegerField(min_value=1)


class CorrectionForm(IssueTextsForm):
    """A correction of a published issue: the changed texts and the erratum readers see."""

    note = PlainTextField(
        label=_("Erratum shown to readers"),
        help_text=_("Say what was corrected; it appears, dated, under the issue."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    field_order = ["note", "title", "intro_en", "intro_zh", "credits"]


def _optional_url(value: str) -> None:
    if value:
        validate_http_url(value)


class EntryCorrectionForm(forms.Form):
    """What one entry of a published issue shows (the ``shown_*`` fields ``correct_issue``
    changes); used with the prefix ``entry-<id>``."""

    shown_title = _text(_("Title"), max_length=2000)
    shown_title_zh = _text(_("Chinese title"), max_length=500)
    shown_authors = _text(_("Authors"), rows=3, max_length=20_000, help_text=_("One per line."))
    shown_institutions = _text(
        _("Institutions"),
        rows=2,
        max_length=20_000,
        help_text=_(
            "One per line: the Chinese short form, “ | ” and the English one (斯坦福 | Stanford), "
            "or one name for both."
        ),
    )
    shown_summary = _text(_("Summary (Markdown)"), rows=6, max_length=10_000)
    shown_code_url = _text(_("Code link"), max_length=500, validators=[_optional_url])
    shown_url = _text(_("Paper link"), max_length=500, validators=[_optional_url])


class LeadItemsForm(forms.Form):
    """The entries the headline names; none chosen: the first of each section."""

    leads = forms.TypedMultipleChoiceField(
        label=_("Lead items"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose lead items among this issue's entries.")},
    )

    def __init__(self, *args: Any, entries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leads"].choices = [(entry.pk, label) for entry, label in entries]
