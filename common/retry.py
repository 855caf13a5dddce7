"""How long a Celery task waits before it tries again (``self.retry(countdown=…)``)."""

from __future__ import annotations

import random

from django.conf import settings

#: The longest a retry waits, jitter and a server's ``Retry-After`` included. A task waiting for
#: its countdown is a message its worker has not acknowledged: past the broker's visibility
#: timeout (``CELERY_VISIBILITY_TIMEOUT``), Redis hands it to another worker too, and again.
BACKOFF_CAP = 120.0


def backoff(retries: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter from ``METADATA_RETRY_BACKOFF`` seconds, never sooner
    than the server asked, and never longer than ``BACKOFF_CAP``."""
    jitter = random.uniform(0.5, 1.5)  # noqa: S311 (spreading retries, not cryptography)
    delay = settings.METADATA_RETRY_BACKOFF * 2**retries * jitter
    return min(BACKOFF_CAP, max(delay, retry_after or 0.0))
