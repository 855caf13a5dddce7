"""The real published issue in ``../shared/examples``, which tests read where it is.

It lives beside the checkout, as in CI; a checkout elsewhere skips the tests that read it,
saying why, as the tests that replay recorded answers do (``tests.servers.scholarly``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "examples" / "000_27ed92895d22b51c.txt"

needs_example = pytest.mark.skipif(
    not EXAMPLE.is_file(), reason=f"the example issue is not at {EXAMPLE}"
)
