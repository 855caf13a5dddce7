"""Signals of the catalogue, for the apps built on it (``docs/ARCHITECTURE.md``).

``paper_metadata_arrived`` (``paper_ids``): the title, authors and abstract of these papers were
stored, fetched from their source or entered by hand. Sent once the transaction that stored
them commits (``send_metadata_arrived``), so a receiver that queues work finds them in the
database. The drafting app asks for drafts of their entries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger("weekly.papers")

paper_metadata_arrived = Signal()


def send_metadata_arrived(paper_ids: Sequence[int]) -> None:
    """Send ``paper_metadata_arrived`` after commit; a receiver's failure is logged, never the
    fetch's."""
    ids = list(dict.fromkeys(paper_ids))
    if not ids:
        return

    def send() -> None:
        for receiver, result in paper_metadata_arrived.send_robust(sender=None, paper_ids=ids):
            if isinstance(result, Exception):
                logger.error("%s failed on papers %s: %r", receiver, ids, result)

    transaction.on_commit(send, robust=True)
