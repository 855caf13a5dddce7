"""The members' weekly digest of a publication's best unclaimed candidates: who asked for it."""

from __future__ import annotations

from typing import Any

from inbox.models import DigestSubscription
from publications.models import Publication
from publications.permissions import require


def subscribe_digest(member: Any, publication: Publication) -> DigestSubscription:
    """``member`` asks for the weekly mail of the publication's best unclaimed candidates;
    subscribing twice is one subscription.

    Side effects: may insert a DigestSubscription."""
    require(member, "inbox.view_inbox", publication)
    subscription, _created = DigestSubscription.objects.get_or_create(
        member=member, publication=publication
    )
    return subscription


def unsubscribe_digest(member: Any, publication: Publication) -> bool:
    """``member`` stops the digest of the publication (also from the mail's signed link, without
    signing in); whether there was a subscription.

    Side effects: may delete a DigestSubscription."""
    deleted, _rows = DigestSubscription.objects.filter(
        member=member, publication=publication
    ).delete()
    return bool(deleted)
