"""The e-mail that tells a publication's editors one of its webhook endpoints was disabled."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from common.links import site_url
from common.mail import header_text


def disabled_message(editor: Any, endpoint: Any) -> EmailMessage:
    with translation.override(getattr(editor, "mail_language", "") or settings.LANGUAGE_CODE):
        page = site_url(reverse("webhooks:endpoint-detail", args=[endpoint.pk]))
        publication = endpoint.publication.name_for(translation.get_language())
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": editor.public_name},
                _(
                    "The webhook endpoint %(url)s of %(publication)s failed %(count)s events in a "
                    "row and is now disabled: it is called no more."
                )
                % {
                    "url": endpoint.url,
                    "publication": publication,
                    "count": endpoint.consecutive_failures,
                },
                _(
                    "Its delivery log says what it answered. Once it works again, switch it on "
                    "on its page:"
                )
                + "\n"
                + page,
            ]
        )
        return EmailMessage(
            subject=header_text(_("Webhook disabled: %(url)s") % {"url": endpoint.url}),
            body=body,
            to=[editor.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
