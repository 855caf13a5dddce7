"""The roles of a publication's team, and the choices of its style."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamRole(models.TextChoices):
    """A member's role within one publication. An editor has every right of a reviewer."""

    REVIEWER = "reviewer", _("Reviewer")
    EDITOR = "editor", _("Editor")


class AuthorStyle(models.TextChoices):
    FIRST = "first", _("The first authors, then “et al.”")
    FIRST_LAST = "first_last", _("The first authors and the last, then “et al.”")


class LinkFormat(models.TextChoices):
    AUTOLINK = "autolink", _("In angle brackets (<https://…>), as Markdown links them")
    BARE = "bare", _("Bare (https://…), as blog editors link them")


class PublicationAction(models.TextChoices):
    """What a publication's audit trail records."""

    EDIT_STYLE = "edit_style", _("Style changed")
    UPLOAD = "upload", _("Image uploaded")
    DELETE_UPLOAD = "delete_upload", _("Image deleted")
    CREATE_TOPIC = "create_topic", _("Topic created")
    EDIT_TOPIC = "edit_topic", _("Topic changed")
    REORDER_TOPICS = "reorder_topics", _("Topics reordered")
    DELETE_TOPIC = "delete_topic", _("Topic deleted")
