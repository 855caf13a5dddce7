"""The states of a candidate, the actions that move it, and the table of allowed transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CandidateState(models.TextChoices):
    """``new`` → ``claimed`` (a member writes it up) → ``recommended``; ``new`` → ``dismissed``
    (and back by ``restore``) or ``expired`` (unclaimed for too long)."""

    NEW = "new", _("New")
    CLAIMED = "claimed", _("Claimed")
    DISMISSED = "dismissed", _("Dismissed")
    EXPIRED = "expired", _("Expired")
    RECOMMENDED = "recommended", _("Recommended")


class CandidateAction(models.TextChoices):
    CLAIM = "claim", _("Claimed")
    RELEASE = "release", _("Released")
    DISMISS = "dismiss", _("Dismissed")
    RESTORE = "restore", _("Restored")
    EXPIRE = "expire", _("Expired")
    RECOMMEND = "recommend", _("Recommended")


_S = CandidateState

#: action -> (states it may start from, state it leads to).
CANDIDATE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    CandidateAction.CLAIM: (frozenset({_S.NEW}), _S.CLAIMED),
    CandidateAction.RELEASE: (frozenset({_S.CLAIMED}), _S.NEW),
    CandidateAction.DISMISS: (frozenset({_S.NEW}), _S.DISMISSED),
    CandidateAction.RESTORE: (frozenset({_S.DISMISSED}), _S.NEW),
    CandidateAction.EXPIRE: (frozenset({_S.NEW}), _S.EXPIRED),
    CandidateAction.RECOMMEND: (frozenset({_S.CLAIMED}), _S.RECOMMENDED),
}

#: States in which a candidate is still open to members: shown in the inbox's working tabs.
OPEN_CANDIDATE_STATES = frozenset({_S.NEW, _S.CLAIMED})


class InboxView(models.TextChoices):
    """The tabs of the inbox."""

    NEW = "new", _("New")
    CLAIMED = "claimed", _("Claimed")
    MINE = "mine", _("Mine")
    DISMISSED = "dismissed", _("Dismissed")


class InboxSort(models.TextChoices):
    RANK = "rank", _("Rank")
    DATE = "date", _("Date")
