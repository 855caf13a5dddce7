"""The publication's settings page: its style. Validation is the service's (one message for the
page and the API); the form only carries the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

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
