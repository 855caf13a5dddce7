"""The candidate inbox: papers found for a publication, waiting for a member to write them up.

A ``Watch`` (arXiv categories and a query) is polled by a worker; the papers it finds become
``Candidate`` rows of the publication, ranked by ``score``. Members claim a candidate (one
claimant at a time), dismiss it with a reason, or mark their interest; each change of state is
recorded in ``CandidateTransition``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.models import TransitionRecord
from inbox.enums import CandidateState


def default_keep_per_poll() -> int:
    return settings.INBOX_KEEP_PER_POLL


class InboxSettings(models.Model):
    """A publication's inbox rules, kept by its editors; made on demand by
    ``services.settings_for``."""

    publication = models.OneToOneField(
        "publications.Publication", on_delete=models.CASCADE, related_name="inbox_settings"
    )
    claim_days = models.PositiveSmallIntegerField(
        _("days a claim lasts"),
        default=7,
        help_text=_("A claim is released after this many days without a recommendation."),
    )
    expire_days = models.PositiveSmallIntegerField(
        _("days a candidate waits"),
        default=30,
        help_text=_("An unclaimed candidate older than this expires."),
    )
    keep_per_poll = models.PositiveSmallIntegerField(
        _("candidates kept per poll"),
        default=default_keep_per_poll,
        help_text=_("A poll keeps only this many of the papers it finds, the best ranked."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("inbox settings")
        verbose_name_plural = _("inbox settings")

    def __str__(self) -> str:
        return gettext("Inbox settings of %(publication)s") % {"publication": self.publication}


class Watch(models.Model):
    """What a worker searches arXiv for, daily, on behalf of a publication."""

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="watches"
    )
    name = models.CharField(_("name"), max_length=100)
    categories = models.CharField(
        _("arXiv categories"),
        max_length=200,
        blank=True,
        help_text=_("Separated by spaces, e.g. cs.CL cs.LG."),
    )
    query = models.CharField(
        _("query"),
        max_length=500,
        blank=True,
        help_text=_("In arXiv's search syntax, e.g. abs:pretrain* AND ti:language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    newest_submitted_at = models.DateTimeField(
        _("newest submission seen"),
        null=True,
        blank=True,
        help_text=_("The next poll stops at submissions this old."),
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_found = models.PositiveIntegerField(_("papers found by the last poll"), default=0)
    last_kept = models.PositiveIntegerField(_("candidates kept by the last poll"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["publication", "name", "id"]
        verbose_name = _("watch")
        verbose_name_plural = _("watches")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.categories.strip() or self.query.strip()):
            raise ValidationError(gettext("Give arXiv categories, a query, or both."))

    def search_query(self) -> str:
        """The arXiv API's ``search_query``: ``(cat:a OR cat:b) AND (query)``, either part alone
        when the other is empty."""
        categories = " OR ".join(f"cat:{c}" for c in self.categories.split())
        query = self.query.strip()
        if categories and query:
            return f"({categories}) AND ({query})"
        return categories or query


class Candidate(models.Model):
    """A paper found for a publication, waiting for a member to write it up."""

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="candidates"
    )
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="candidacies")
    watch = models.ForeignKey(
        Watch, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates"
    )
    score = models.FloatField(_("score"), default=0.0)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=CandidateState.choices,
        default=CandidateState.NEW,
        db_index=True,
    )
    found_at = models.DateTimeField(_("found"), default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(_("submitted to arXiv"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)
    dismiss_reason = models.CharField(_("why dismissed"), max_length=300, blank=True)
    interest_count = models.PositiveIntegerField(_("interested members"), default=0)
    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["publication", "paper"], name="candidate_unique_paper"),
            # A claim and its claimant go together: a candidate is claimed exactly while it names
            # who claimed it and since when (a member removed with a claim has it released first,
            # ``receivers.release_claims_of_removed_member``).
            models.CheckConstraint(
                condition=(
                    models.Q(
                        state=CandidateState.CLAIMED,
                        claimed_by__isnull=False,
                        claimed_at__isnull=False,
                    )
                    | (
                        ~models.Q(state=CandidateState.CLAIMED)
                        & models.Q(claimed_by__isnull=True, claimed_at__isnull=True)
                    )
                ),
                name="candidate_claimed_has_claimant",
            ),
        ]
        indexes = [
            # The inbox's tabs, by rank and by date, each a walk of one index.
            models.Index(
                fields=["publication", "state", "-score", "id"], name="candidate_rank_idx"
            ),
            models.Index(
                fields=["publication", "state", "-found_at", "id"], name="candidate_date_idx"
            ),
            models.Index(fields=["claimed_by", "state"], name="candidate_claimant_idx"),
        ]

    def __str__(self) -> str:
        return str(self.paper)


class Interest(models.Model):
    """A member would like to see a candidate written up (not necessarily by them)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="interests")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "member"], name="interest_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.candidate}"


class CandidateTransition(TransitionRecord):
    """The audit of a candidate: claimed, released (by the claimant, an editor or time),
    dismissed, restored, expired, recommended."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("candidate transition")
        verbose_name_plural = _("candidate transitions")


class DigestSubscription(models.Model):
    """A member who opted in to the weekly mail of a publication's best unclaimed candidates."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_digests"
    )
    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="inbox_digests"
    )
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "publication"], name="digestsubscription_unique_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.publication}"
