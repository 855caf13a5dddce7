"""The publication's settings page (its style) and its topics page. Validation is the service's
(one message for the page and the API); the forms only carry the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from common.forms import PlainTextField
from publications.models import PublicationStyle
from publications.services import STYLE_FIELDS, TOPIC_POSITION_MAX


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


class PublicationUploadForm(forms.Form):
    """An image for the publication's texts. What it is and whether it is too large is the
    service's to say (``publications.uploads.read_image``), for the page and the API alike."""

    file = forms.FileField(
        label=_("Image"),
        help_text=_("PNG, JPEG or GIF, such as a QR code."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )

    def clean_file(self) -> bytes:
        image: UploadedFile = self.cleaned_data["file"]
        self.name = image.name or ""
        # One byte more than allowed is enough for the service to say it is too large.
        return image.read(settings.PUBLICATION_UPLOAD_MAX_BYTES + 1)


class TopicForm(forms.Form):
    """A topic of the publication, new or changed."""

    name_en = PlainTextField(label=_("English name"), max_length=100)
    name_zh = PlainTextField(label=_("Chinese name"), max_length=100, required=False)
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=80,
        help_text=_("The topic's name in addresses, e.g. language-models."),
    )
    description = PlainTextField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=TOPIC_POSITION_MAX,
        required=False,
        help_text=_("Topics are listed and grouped by this number, lowest first; empty: last."),
    )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as the services take them (no position: the topic stays where it
        is, or a new one comes last)."""
        fields = dict(self.cleaned_data)
        if fields.get("position") is None:
            fields.pop("position", None)
        return fields
