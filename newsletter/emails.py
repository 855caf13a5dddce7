"""The newsletter's messages: the issue itself (text and HTML parts) and the confirmation mail.

The issue's parts are rendered once per batch (``IssueMail.of``); each subscriber's copy only
adds its own unsubscribe link, in the footer and in the ``List-Unsubscribe`` headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.links import site_url
from common.mail import header_text
from issues import exports, selectors
from issues.models import Issue
from publications.models import Publication


def list_id(publication: Publication) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{header_text(publication.name)} <{publication.slug}.{host}>"


@dataclass(frozen=True)
class IssueMail:
    """One issue, ready to be addressed to each subscriber."""

    issue: Issue
    subject: str
    text: str
    html: str

    @classmethod
    def of(cls, issue: Issue) -> IssueMail:
        contents = selectors.issue_contents(issue)
        corrections = list(issue.corrections.all())
        publication = issue.publication
        subject = header_text(f"{publication.name} #{issue.number}: {issue.title}".rstrip(": "))
        return cls(
            issue=issue,
            subject=subject,
            text=exports.issue_markdown(issue, contents, corrections),
            html=exports.issue_html(issue, contents, corrections),
        )

    def message_for(self, subscriber: Any, unsubscribe_token: str) -> EmailMultiAlternatives:
        publication = self.issue.publication
        # The links lead to the pages in the subscriber's language (their address says it).
        with translation.override(subscriber.language):
            unsubscribe_url = site_url(
                reverse("newsletter:unsubscribe", kwargs={"token": unsubscribe_token})
            )
            context = {
                "issue": self.issue,
                "publication": publication,
                "issue_url": site_url(self.issue.get_absolute_url()),
                "unsubscribe_url": unsubscribe_url,
                "body": self.text,
                "body_html": mark_safe(self.html),  # noqa: S308 (the export escapes and sanitises)
            }
            text = render_to_string("newsletter/issue_email.txt", context)
            html = render_to_string("newsletter/issue_email.html", context)
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=text,
            to=[subscriber.email],
            headers={
                # RFC 2369 and RFC 8058: mail clients offer "unsubscribe" and POST to the link.
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": list_id(publication),
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(html, "text/html")
        return message


def confirmation_message(subscriber: Any, token: str) -> EmailMultiAlternatives:
    """The double opt-in mail: one link that confirms the subscription."""
    publication = subscriber.publication
    with translation.override(subscriber.language):
        context = {
            "publication": publication,
            "publication_name": publication.name_for(subscriber.language),
            "confirm_url": site_url(reverse("newsletter:confirm", kwargs={"token": token})),
            "max_age_days": max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
        }
        subject = header_text(
            _("Confirm your subscription to %(name)s") % {"name": context["publication_name"]}
        )
        text = render_to_string("newsletter/confirm_email.txt", context)
        html = render_to_string("newsletter/confirm_email.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
