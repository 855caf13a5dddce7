"""The roles of a publication's team."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamRole(models.TextChoices):
    """A member's role within one publication. An editor has every right of a reviewer."""

    REVIEWER = "reviewer", _("Reviewer")
    EDITOR = "editor", _("Editor")
