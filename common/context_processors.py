"""What every page's template may read besides Django's own context."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """``SITE_NAME``: the name the header, the tab titles and the error pages give the site."""
    return {"SITE_NAME": settings.SITE_NAME}
