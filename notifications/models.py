"""The record that a member was told something, so that it is told once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An e-mail told a member about their recommendation: the record that it is told once.

    A review is told once (``review``); a publication once per member and issue (``issue``,
    listing all their items in it); an editor's acceptance once (``recommendation``); each edit of
    the team once (``transition``, its audit row); a recommendation's joining another member's
    entry of the same paper once (``transition``, the audit row of its scheduling).
    """

    class Kind(models.TextChoices):
        REVIEWED = "reviewed", _("Reviewed")
        ACCEPTED = "accepted", _("Accepted by an editor")
        PUBLISHED = "published", _("Published")
        REVISED = "revised", _("Edited by the team")
        CO_CREDITED = "co_credited", _("Credited with another member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    review = models.OneToOneField(
        "recommendations.Review",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
    )
    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    transition = models.OneToOneField(
        "recommendations.Transition",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
    )
    issue = models.ForeignKey(
        "issues.Issue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
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
                    | models.Q(kind="revised", transition__isnull=False)
                    | models.Q(kind="co_credited", transition__isnull=False)
                ),
                name="notification_has_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.user}"
