"""Filters for feed items, which are read away from the site."""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

from common.links import site_url

register = template.Library()

#: A link or source on this site's own path (not ``//host/…``, which is another site).
_SITE_PATH = re.compile(r'(\s(?:href|src)=")(/(?!/)[^"]*)"')


@register.filter(is_safe=True)
def absolute_links(html: str) -> SafeString:
    """Make the site's own links absolute: a feed reader has no page to resolve them against.

    The input is already-rendered, escaped template output; only the path inside an attribute
    changes, so the result is as safe as the input.
    """
    return mark_safe(_SITE_PATH.sub(lambda m: f'{m.group(1)}{site_url(m.group(2))}"', str(html)))  # noqa: S308
