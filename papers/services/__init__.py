"""Writes to the paper catalogue, one module per concern.

- ``catalogue``: one row per paper, and the metadata stored on it, cut to the catalogue's limits,
  with its authors and institutions.
- ``hand_entry``: metadata entered by hand, and the audit of who entered what.
- ``fetching``: asking a worker for a paper's metadata, and one fetch from start to end.
- ``sources``: what arXiv and AMiner answer, stored paper by paper.

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
from papers.services.sources import ERROR_MAX_LENGTH, FetchOutcome

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
    "FetchOutcome",
    "PaperMetadata",
    "aminer",
    "aminer_client",
    "apply_paper_metadata",
    "arxiv",
    "arxiv_client",
    "enter_metadata_by_hand",
    "fetch_metadata",
    "fill_missing_title_zh",
    "get_or_create_paper",
    "refetch_metadata",
    "request_metadata_fetch",
]
