"""Recommendations, their reviews and their audit trail.

Statuses change only through ``recommendations.services``; every change writes a ``Transition`` row.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import TransitionRecord
from recommendations.enums import RecommendationKind, RecommendationStatus, Verdict


class Recommendation(models.Model):
    """A member's recommendation of a paper, or a research news item, for a publication."""

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.PROTECT, related_name="recommendations"
    )
    kind = models.CharField(
        _("kind"),
        max_length=8,
        choices=RecommendationKind.choices,
        default=RecommendationKind.PAPER,
    )
    paper = models.ForeignKey(
        "papers.Paper",
        on_delete=models.PROTECT,
        related_name="recommendations",
        null=True,
        blank=True,
    )
    news_title = models.CharField(_("news title"), max_length=300, blank=True)
    news_url = models.URLField(_("news link"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), help_text=_("Markdown."))
    title_zh = models.CharField(_("Chinese title"), max_length=500, blank=True)
    code_url = models.URLField(_("code"), max_length=500, blank=True)
    # What the entry shows of the paper, where the team wrote it otherwise; empty: the paper's.
    shown_authors = models.TextField(
        _("authors as shown"),
        blank=True,
        help_text=_("One per line, as the entry shows them; empty: the paper's authors."),
    )
    shown_institutions = models.TextField(
        _("institutions as shown"),
        blank=True,
        help_text=_("One per line, as the entry shows them; empty: the paper's institutions."),
    )
    paper_url = models.URLField(
        _("paper link"),
        max_length=500,
        blank=True,
        help_text=_("The link the entry gives for the paper; empty: the paper's own."),
    )
    subject_zh = models.CharField(
        _("subject (Chinese)"),
        max_length=60,
        blank=True,
        help_text=_("A short phrase in Chinese for what the paper is about."),
    )
    subject_en = models.CharField(
        _("subject (English)"),
        max_length=60,
        blank=True,
        help_text=_("The same phrase in English, e.g. phrase retrieval."),
    )
    topic = models.ForeignKey(
        "publications.Topic",
        on_delete=models.SET_NULL,
        related_name="recommendations",
        null=True,
        blank=True,
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recommendations"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.DRAFT,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    review_round = models.PositiveIntegerField(
        _("review round"),
        default=1,
        help_text=_(
            "The version the reviewers judge. A resubmission, or an edit of a submitted "
            "recommendation, starts the next round; only this round's approvals count."
        ),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=RecommendationKind.PAPER, paper__isnull=False)
                    | (
                        models.Q(kind=RecommendationKind.NEWS, paper__isnull=True)
                        & ~models.Q(news_title="")
                        & ~models.Q(news_url="")
                    )
                ),
                name="recommendation_kind_fields",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RecommendationStatus.values),
                name="recommendation_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "status", "submitted_at"], name="rec_queue_idx"),
            models.Index(fields=["submitter", "-created_at"], name="rec_submitter_idx"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def is_news(self) -> bool:
        return self.kind == RecommendationKind.NEWS

    @property
    def display_title(self) -> str:
        if self.is_news:
            return self.news_title
        return (self.paper.title or self.paper.identifier_display) if self.paper else ""

    @property
    def link(self) -> str:
        return self.news_url if self.is_news else (self.paper.url if self.paper else "")


class Review(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    comment = models.TextField(_("comment"), blank=True)
    round = models.PositiveIntegerField(
        _("round"), default=1, help_text=_("The review round of the version this review judged.")
    )
    created_at = models.DateTimeField(_("reviewed"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values), name="review_verdict_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} by {self.reviewer}"


class Transition(TransitionRecord):
    """The audit trail of a recommendation: who moved it from which state to which, and why."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="transitions"
    )
    changes = models.JSONField(
        _("changes"),
        default=list,
        blank=True,
        help_text=_("An edit's changed fields, each with its old and new value."),
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"recommendation {self.recommendation_id}: {super().__str__()}"
