"""Statuses of the paper catalogue and the transitions between them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MetadataStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be fetched")
    FETCHING = "fetching", _("Being fetched")
    OK = "ok", _("Fetched")
    NOT_FOUND = "not_found", _("Not found")
    FAILED = "failed", _("Fetching failed")


class MetadataSource(models.TextChoices):
    ARXIV = "arxiv", "arXiv"
    AMINER = "aminer", "AMiner"
    CROSSREF = "crossref", "Crossref"
    OPENALEX = "openalex", "OpenAlex"
    ACL_ANTHOLOGY = "acl", "ACL Anthology"
    OPENREVIEW = "openreview", "OpenReview"
    SEMANTIC_SCHOLAR = "s2", "Semantic Scholar"
    MANUAL = "manual", _("Entered by hand")


class AffiliationSource(models.TextChoices):
    """Where a paper's affiliations (its institutions, its authors' affiliations) came from."""

    OPENALEX = "openalex", "OpenAlex"


#: Metadata statuses that a fetch may start from. ``ok`` is included so that stale metadata can be
#: refreshed; ``fetching`` is not, so two workers never fetch the same paper at once.
FETCHABLE_STATUSES = (
    MetadataStatus.PENDING,
    MetadataStatus.OK,
    MetadataStatus.NOT_FOUND,
    MetadataStatus.FAILED,
)

#: Statuses in which the source has had its say without giving the metadata: it may then be filled
#: in by hand (``papers.selectors.awaits_hand_entry``).
HAND_ENTRY_STATUSES = (MetadataStatus.NOT_FOUND, MetadataStatus.FAILED)
