"""The choices of the drafting app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from drafting.house_style import SPACING_ANY, SPACING_NONE, SPACING_SPACE


class Spacing(models.TextChoices):
    """How a publication spaces Chinese and Latin text (``drafting.house_style``)."""

    SPACE = SPACING_SPACE, _("a space between them (使用 BERT 模型)")
    NONE = SPACING_NONE, _("no space (使用BERT模型)")
    ANY = SPACING_ANY, _("either: not checked")


class DraftStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    DRAFTING = "drafting", _("being drafted")
    READY = "ready", _("ready")
    REFUSED = "refused", _("refused")
    FAILED = "failed", _("failed")


#: Statuses after which nothing changes until somebody asks again: the page stops polling.
FINAL_DRAFT_STATUSES = frozenset({DraftStatus.READY, DraftStatus.REFUSED, DraftStatus.FAILED})


class BackendFault(models.TextChoices):
    """What is wrong with the language model's configuration, told to the editors once."""

    UNAUTHORIZED = "unauthorized", _("the key was refused")
    MODEL_MISSING = "model_missing", _("the model does not exist")
