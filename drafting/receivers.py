"""What the drafting app does when the catalogue speaks (connected in ``DraftingConfig.ready``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drafting.services.drafts import request_drafts_for_paper


def on_metadata_arrived(sender: Any, paper_ids: Sequence[int], **kwargs: Any) -> None:
    """Queue drafts of the papers' entries in the publications writing them up."""
    for paper_id in paper_ids:
        request_drafts_for_paper(paper_id)
