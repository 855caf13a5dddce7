"""Writes to the paper catalogue, one module per concern.

- ``catalogue``: one row per paper, and the metadata stored on it, cut to the catalogue's limits,
  with its authors and institutions.
- ``hand_entry``: metadata entered by hand, and the audit of who entered what.
- ``fetching``: asking a worker for a paper's metadata, and one fetch from start to end.
- ``sources``: what arXiv and AMiner answer, stored paper by paper; an arXiv search's entries
  stored as fetched (``store_arxiv_entries``).
- ``enrichment``: a paper's affiliations from OpenAlex, its institutions' names from ROR.

The public names are re-exported here, so callers write ``services.fetch_metadata(...)``. A test
that replaces a name replaces it in the module that looks it up (``services.fetching``, …).
"""

# The clients' modules too, as before: `services.arxiv.ArxivUnavailable`.
from papers.clients import aminer, arxiv
from papers.services.catalogue import (
    ABSTRACT_MAX_LENGTH,
    AUTHORS_MAX,
    CATEGORIES_MAX,
    COMMENT_MAX_LENGTH,
    INSTITUTIONS_MAX,
    TITLE_MAX_LENGTH,
    AuthorData,
    PaperMetadata,
    apply_paper_metadata,
    fill_missing_title_zh,
    get_or_create_paper,
)
from papers.services.enrichment import (
    EnrichmentOutcome,
    RorOutcome,
    enrich_papers,
    institution_for,
    openalex_client,
    read_ror_records,
    request_enrichment,
    request_ror_records,
    ror_client,
)
from papers.services.fetching import (
    MAX_ATTEMPTS,
    UNFETCHED_STATUSES,
    aminer_client,
    arxiv_client,
    fetch_metadata,
    refetch_metadata,
    request_metadata_fetch,
)
from papers.services.hand_entry import enter_metadata_by_hand
from papers.services.sources import ERROR_MAX_LENGTH, FetchOutcome, store_arxiv_entries

__all__ = [
    "ABSTRACT_MAX_LENGTH",
    "AUTHORS_MAX",
    "CATEGORIES_MAX",
    "COMMENT_MAX_LENGTH",
    "ERROR_MAX_LENGTH",
    "INSTITUTIONS_MAX",
    "MAX_ATTEMPTS",
    "TITLE_MAX_LENGTH",
    "UNFETCHED_STATUSES",
    "AuthorData",
    "EnrichmentOutcome",
    "FetchOutcome",
    "PaperMetadata",
    "RorOutcome",
    "aminer",
    "aminer_client",
    "apply_paper_metadata",
    "arxiv",
    "arxiv_client",
    "enrich_papers",
    "enter_metadata_by_hand",
    "fetch_metadata",
    "fill_missing_title_zh",
    "get_or_create_paper",
    "institution_for",
    "openalex_client",
    "read_ror_records",
    "refetch_metadata",
    "request_enrichment",
    "request_metadata_fetch",
    "request_ror_records",
    "ror_client",
    "store_arxiv_entries",
]
