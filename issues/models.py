"""The editorial work: publications and their teams, recommendations, reviews, issues.

Statuses change only through ``issues.services``; every change writes a ``Transition`` row.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from issues.enums import (
    IssueStatus,
    RecommendationKind,
    RecommendationStatus,
    Section,
    TeamRole,
    Verdict,
)

#: A new publication's ``weekly_submission_quota``: far above what a member who reads and writes
#: summaries sends in a week, far below what a script would.
DEFAULT_WEEKLY_SUBMISSION_QUOTA = 20


class Publication(models.Model):
    """A digest with its own team and its own issue numbering, e.g. Pretraining Weekly."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    approvals_required = models.PositiveSmallIntegerField(
        _("approvals required"),
        default=1,
        help_text=_("How many reviewers must approve a recommendation before it is accepted."),
    )
    weekly_submission_quota = models.PositiveIntegerField(
        _("weekly submission quota"),
        null=True,
        blank=True,
        default=DEFAULT_WEEKLY_SUBMISSION_QUOTA,
        help_text=_(
            "The most recommendations one member may make to this publication in any 7 days, "
            "drafts included; empty or 0 for no limit. Its editors are not limited."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approvals_required__gte=1),
                name="publication_approvals_required_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def name_for(self, language: str) -> str:
        if language.startswith("zh") and self.name_zh:
            return self.name_zh
        return self.name


class Membership(models.Model):
    """A member's team role in one publication. Every signed-up member is a contributor anyway."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        ordering = ["publication", "role", "user"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["publication", "user"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=TeamRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.publication})"


class Recommendation(models.Model):
    """A member's recommendation of a paper, or a research news item, for a publication."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="recommendations"
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
    topic = models.ForeignKey(
        "papers.Topic",
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


class Issue(models.Model):
    """One issue of a publication. Its number is given when it is published, never before."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="issues")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    credits = models.CharField(
        _("contributor credit line"),
        max_length=1000,
        blank=True,
        help_text=_("Names of this issue's contributors, separated by spaces."),
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
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
        ordering = ["publication", "-number", "-created_at"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        constraints = [
            models.UniqueConstraint(fields=["publication", "number"], name="issue_unique_number"),
            # Exactly the published issues have a number and a publication time.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status=IssueStatus.PUBLISHED,
                        number__isnull=False,
                        published_at__isnull=False,
                    )
                    | (
                        ~models.Q(status=IssueStatus.PUBLISHED)
                        & models.Q(number__isnull=True, published_at__isnull=True)
                    )
                ),
                name="issue_number_iff_published",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=IssueStatus.SCHEDULED)
                | models.Q(publish_at__isnull=False),
                name="issue_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True) | models.Q(number__gte=1),
                name="issue_number_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="issue_due_idx"),
            models.Index(
                fields=["publication", "status", "-published_at"], name="issue_archive_idx"
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return f"{self.publication} #{self.number}: {self.title or '—'}"
        return f"{self.publication} ({self.get_status_display()}): {self.title or '—'}"

    def get_absolute_url(self) -> str:
        if self.is_published:
            return reverse(
                "issues:issue-detail",
                kwargs={"slug": self.publication.slug, "number": self.number},
            )
        return reverse("issues:issue-preview", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == IssueStatus.PUBLISHED


class IssueEntry(models.Model):
    """A recommendation's place in an issue.

    Until publication the entry shows the recommendation and paper as they are; publishing copies
    what it shows into the ``shown_*`` fields, so later metadata refreshes leave a published issue
    as readers saw it. Corrections change those copies and are recorded.
    """

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="entries")
    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.PROTECT, related_name="entry"
    )
    # Copied from the recommendation so the database can refuse a paper twice in one issue.
    paper = models.ForeignKey(
        "papers.Paper",
        on_delete=models.PROTECT,
        related_name="issue_entries",
        null=True,
        blank=True,
    )
    section = models.CharField(_("section"), max_length=8, choices=Section.choices)
    position = models.PositiveIntegerField(_("position"))

    shown_title = models.TextField(_("title as published"), blank=True)
    shown_title_zh = models.CharField(_("Chinese title as published"), max_length=500, blank=True)
    shown_authors = models.TextField(_("authors as published"), blank=True)
    shown_institutions = models.TextField(_("institutions as published"), blank=True)
    shown_summary = models.TextField(_("summary as published"), blank=True)
    shown_code_url = models.URLField(_("code link as published"), max_length=500, blank=True)
    shown_url = models.URLField(_("link as published"), max_length=500, blank=True)

    class Meta:
        ordering = ["issue", "section", "position", "id"]
        verbose_name = _("issue entry")
        verbose_name_plural = _("issue entries")
        constraints = [
            models.UniqueConstraint(fields=["issue", "paper"], name="issueentry_unique_paper"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} — {self.position}: {self.recommendation}"


class Transition(models.Model):
    """The audit log: who moved a recommendation or an issue from which state to which, and why."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="transitions",
        null=True,
        blank=True,
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="transitions", null=True, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted, e.g. a scheduled publication."),
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    note = models.TextField(_("note"), blank=True)
    changes = models.JSONField(
        _("changes"),
        default=list,
        blank=True,
        help_text=_("An edit's changed fields, each with its old and new value."),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(recommendation__isnull=False, issue__isnull=True)
                    | models.Q(recommendation__isnull=True, issue__isnull=False)
                ),
                name="transition_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        subject = self.recommendation_id and f"recommendation {self.recommendation_id}"
        subject = subject or f"issue {self.issue_id}"
        return f"{subject}: {self.action} {self.from_status or '∅'} → {self.to_status}"


class Correction(models.Model):
    """An erratum to a published issue, shown with its date under the issue."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="corrections")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(_("erratum"), help_text=_("Shown to readers under the issue."))
    changes = models.JSONField(
        _("changes"), default=list, help_text=_("Each changed field with its old and new value.")
    )
    created_at = models.DateTimeField(_("corrected"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.issue}: {self.note[:60]}"


class Notification(models.Model):
    """An e-mail told a member about their recommendation: the record that it is told once.

    A review is told once (``review``); a publication once per member and issue (``issue``,
    listing all their items in it); an editor's acceptance once (``recommendation``).
    """

    class Kind(models.TextChoices):
        REVIEWED = "reviewed", _("Reviewed")
        ACCEPTED = "accepted", _("Accepted by an editor")
        PUBLISHED = "published", _("Published")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="notification"
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recommendation"],
                condition=models.Q(kind="accepted"),
                name="notification_accepted_once",
            ),
            models.UniqueConstraint(
                fields=["issue", "user"],
                condition=models.Q(kind="published"),
                name="notification_published_once",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="reviewed", review__isnull=False)
                    | models.Q(kind="accepted", recommendation__isnull=False)
                    | models.Q(kind="published", issue__isnull=False)
                ),
                name="notification_has_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.user}"
