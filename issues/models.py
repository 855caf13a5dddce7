"""Issues, their entries and corrections.

Statuses change only through ``issues.services``; every change writes an ``IssueTransition`` row.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.models import TransitionRecord
from issues.enums import IssueStatus, Section


class Issue(models.Model):
    """One issue of a publication. Its number is given when it is published, never before."""

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.PROTECT, related_name="issues"
    )
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
    # A past issue brought in from its published text (``issues.services.importing``).
    source = models.CharField(
        _("imported from"),
        max_length=300,
        blank=True,
        help_text=_("Where an imported issue's text came from; empty for issues made here."),
    )
    source_sha256 = models.CharField(
        _("fingerprint of the imported text"), max_length=64, blank=True, editable=False
    )
    credited_names = models.ManyToManyField(
        "CreditedName", blank=True, related_name="issues", verbose_name=_("credited names")
    )

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
            # The same text imported twice is the same issue.
            models.UniqueConstraint(
                fields=["publication", "source_sha256"],
                condition=~models.Q(source_sha256=""),
                name="issue_unique_import",
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

    @property
    def is_imported(self) -> bool:
        return bool(self.source_sha256)


class IssueEntry(models.Model):
    """A recommendation's place in an issue.

    An entry of an imported issue has no recommendation: it is its frozen copy alone, with the
    subject phrase and topic the issue's intro gave it; the issue's credited names credit it.

    Until publication the entry shows the recommendation and paper as they are; publishing copies
    what it shows into the ``shown_*`` fields, so later metadata refreshes leave a published issue
    as readers saw it. Corrections change those copies and are recorded.
    """

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="entries")
    recommendation = models.OneToOneField(
        "recommendations.Recommendation",
        on_delete=models.PROTECT,
        related_name="entry",
        null=True,
        blank=True,
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
    is_lead = models.BooleanField(
        _("lead item"),
        default=False,
        help_text=_(
            "The issue's headline names its lead items; without any, the first of each section."
        ),
    )

    shown_title = models.TextField(_("title as published"), blank=True)
    shown_title_zh = models.CharField(_("Chinese title as published"), max_length=500, blank=True)
    shown_authors = models.TextField(_("authors as published"), blank=True)
    shown_institutions = models.TextField(_("institutions as published"), blank=True)
    shown_institutions_more = models.BooleanField(
        _("institutions cut short"),
        default=False,
        help_text=_(
            "The institutions as published were only some of them: 等 (et al.) follows them, "
            "however few."
        ),
    )
    shown_summary = models.TextField(_("summary as published"), blank=True)
    shown_code_url = models.URLField(_("code link as published"), max_length=500, blank=True)
    shown_url = models.URLField(_("link as published"), max_length=500, blank=True)
    # An imported entry's, in place of its (absent) recommendation's.
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=60, blank=True)
    topic = models.ForeignKey(
        "publications.Topic",
        on_delete=models.SET_NULL,
        related_name="imported_entries",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["issue", "section", "position", "id"]
        verbose_name = _("issue entry")
        verbose_name_plural = _("issue entries")
        constraints = [
            models.UniqueConstraint(fields=["issue", "paper"], name="issueentry_unique_paper"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} — {self.position}: {self.recommendation}"


class CoRecommendation(models.Model):
    """Another member's recommendation of an entry's paper, credited on that one entry.

    Several members may recommend one paper to a publication; an issue shows the paper once
    (``issueentry_unique_paper``), and the later recommendations join the entry of the first:
    their members are named with its recommender in the entry and the credit line, and their
    recommendations are scheduled and published with it.
    """

    entry = models.ForeignKey(
        IssueEntry, on_delete=models.CASCADE, related_name="co_recommendations"
    )
    recommendation = models.OneToOneField(
        "recommendations.Recommendation", on_delete=models.PROTECT, related_name="co_entry"
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["entry", "joined_at", "id"]
        verbose_name = _("co-recommendation")
        verbose_name_plural = _("co-recommendations")

    def __str__(self) -> str:
        return f"{self.entry}: + {self.recommendation_id}"


class CreditedName(models.Model):
    """A name a past issue credits, of someone who may have no account here.

    A member claims the name as theirs; once one of the publication's editors confirms the
    claim, the entries of the issues crediting the name count as that member's.
    """

    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="credited_names"
    )
    name = models.CharField(_("name"), max_length=100)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credited_names",
        verbose_name=_("member"),
        help_text=_("The member this name is, once an editor confirmed their claim."),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["publication", "name"]
        verbose_name = _("credited name")
        verbose_name_plural = _("credited names")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "name"], name="creditedname_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


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


class IssueTransition(TransitionRecord):
    """The audit trail of an issue: who moved it from which state to which, and why."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("issue transition")
        verbose_name_plural = _("issue transitions")

    def __str__(self) -> str:
        return f"issue {self.issue_id}: {super().__str__()}"
