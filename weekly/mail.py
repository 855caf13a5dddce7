"""What every e-mail of the site needs: links that work outside the site, and header-safe text."""

from __future__ import annotations

from django.conf import settings


def site_url(path: str) -> str:
    """``path`` as a full link on the public site (``SITE_URL``): a mail has no request."""
    return settings.SITE_URL + path


def header_text(text: str) -> str:
    """Text fit for a mail header: every line break (CR, LF, U+2028…) and run of spaces made one
    space, so no text can end the header and start another."""
    return " ".join((text or "").split())
