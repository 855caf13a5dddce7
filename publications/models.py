"""Publications and their teams."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from publications.enums import TeamRole

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
