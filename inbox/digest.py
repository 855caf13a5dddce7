"""The weekly digest: to each member who asked for it (``DigestSubscription``), the publication's
best unclaimed candidates found since their last digest, in the language they are mailed in.

Sent once a week per subscription however often the task runs: a subscription is taken for this
week by a compare-and-set of its ``last_sent_at`` before its mail is sent (two runs at once send
one mail), and given back when the mail server refuses it, so the next run tries again. Nothing is
sent when nothing is new.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from common.exceptions import InvalidInput
from common.links import read_signed_token, site_url
from common.mail import header_text
from inbox.models import Candidate, DigestSubscription
from inbox.selectors import top_unclaimed
from publications.models import Publication
from publications.permissions import can

logger = logging.getLogger("weekly.inbox")

#: Candidates a digest lists.
DIGEST_SIZE = 10
#: A subscription is due again this long after its last digest: a week, less the slack of a task
#: that runs late one week and on time the next.
DIGEST_INTERVAL = dt.timedelta(days=6)
UNSUBSCRIBE_SALT = "inbox.digest-unsubscribe"


# --- the signed link ----------------------------------------------------------------------------


def unsubscribe_token(subscription: DigestSubscription) -> str:
    """The token of the digest's unsubscribe link: it names the member and the publication, and
    never expires (a member may find an old digest)."""
    return signing.dumps(
        {"m": subscription.member_id, "p": subscription.publication_id}, salt=UNSUBSCRIBE_SALT
    )


def subscription_from_token(token: str) -> tuple[Any, Publication]:
    """The member and publication an unsubscribe link names; ``InvalidInput`` for a bad link."""
    refusal = InvalidInput(
        gettext("This unsubscribe link is not valid. Copy the whole link from the e-mail."),
        code="bad_link",
    )
    try:
        payload = read_signed_token(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise refusal from None
    member = get_user_model().objects.filter(pk=payload.get("m")).first()
    publication = Publication.objects.filter(pk=payload.get("p")).first()
    if member is None or publication is None:
        raise refusal
    return member, publication


# --- the mail -----------------------------------------------------------------------------------


def inbox_url(publication: Publication) -> str:
    """The address of the publication's inbox, in the active language."""
    return site_url(reverse("inbox:inbox", kwargs={"slug": publication.slug}))


def digest_message(
    subscription: DigestSubscription, candidates: list[Candidate]
) -> EmailMultiAlternatives:
    """The digest of ``candidates`` for ``subscription``'s member, in their language."""
    member = subscription.member
    publication = subscription.publication
    with translation.override(member.mail_language or settings.LANGUAGE_CODE):
        language = translation.get_language()
        unsubscribe_url = site_url(
            reverse("inbox:digest-unsubscribe", kwargs={"token": unsubscribe_token(subscription)})
        )
        name = publication.name_for(language)
        context = {
            "member": member,
            "publication_name": name,
            "candidates": [
                {
                    "title": _title(candidate, language),
                    "identifier": candidate.paper.identifier_display,
                    "url": site_url(reverse("papers:paper-detail", args=[candidate.paper_id])),
                    "percent": round(candidate.score * 100),
                }
                for candidate in candidates
            ],
            "inbox_url": inbox_url(publication),
            "unsubscribe_url": unsubscribe_url,
        }
        subject = header_text(
            ngettext(
                "%(name)s: %(count)d paper waiting to be written up",
                "%(name)s: %(count)d papers waiting to be written up",
                len(candidates),
            )
            % {"name": name, "count": len(candidates)}
        )
        text = render_to_string("inbox/mail/digest.txt", context)
        html = render_to_string("inbox/mail/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[member.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients offer "unsubscribe" and POST to the link.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _title(candidate: Candidate, language: str) -> str:
    paper = candidate.paper
    if language.startswith("zh") and paper.title_zh:
        return paper.title_zh
    return str(paper)


# --- sending ------------------------------------------------------------------------------------


def send_digests(now: dt.datetime | None = None) -> int:
    """Mail the digest of every subscription due one (none this past ``DIGEST_INTERVAL``) whose
    publication found candidates since its last digest; the number sent.

    Side effects: sends mail; sets ``last_sent_at`` of the subscriptions mailed."""
    now = now or timezone.now()
    due = (
        DigestSubscription.objects.filter(member__is_active=True, member__email__gt="")
        .exclude(last_sent_at__gt=now - DIGEST_INTERVAL)
        .select_related("member", "publication")
        .order_by("pk")
    )
    sent = 0
    for subscription in due:
        if send_digest(subscription, now=now):
            sent += 1
    return sent


def send_digest(subscription: DigestSubscription, *, now: dt.datetime) -> bool:
    """Mail one subscription's digest if there is anything new; whether it was sent."""
    member, publication = subscription.member, subscription.publication
    if not can(member, "inbox.view_inbox", publication):
        return False
    candidates = top_unclaimed(publication, DIGEST_SIZE, since=subscription.last_sent_at)
    if not candidates:
        return False
    previous = subscription.last_sent_at
    # Taken for this week before the mail goes: of two runs at once, one sends.
    taken = DigestSubscription.objects.filter(pk=subscription.pk, last_sent_at=previous).update(
        last_sent_at=now
    )
    if not taken:
        return False
    try:
        digest_message(subscription, candidates).send()
    except (OSError, smtplib.SMTPException) as error:
        # Given back, so the next run tries again.
        DigestSubscription.objects.filter(pk=subscription.pk, last_sent_at=now).update(
            last_sent_at=previous
        )
        logger.warning("The digest of subscription %s was not sent: %s", subscription.pk, error)
        return False
    subscription.last_sent_at = now
    return True
