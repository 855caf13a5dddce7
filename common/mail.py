"""What every e-mail of the site needs besides its links (``common.links``)."""

from __future__ import annotations


def header_text(text: str) -> str:
    """Text fit for a mail header: every line break (CR, LF, U+2028…) and run of spaces made one
    space, so no text can end the header and start another."""
    return " ".join((text or "").split())
