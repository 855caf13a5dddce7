"""The search page's marks: ``{{ title|highlight:query }}``, ``{{ text|search_teaser:query }}``
(``issues/highlight.py``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from issues import highlight as marks

register = template.Library()


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, the words of ``query`` in it marked."""
    return marks.highlight(text, query or "")


@register.filter
def search_teaser(text: str, query: str) -> SafeString:
    """A plain text cut to a teaser around the first match of ``query``, escaped and marked."""
    return marks.highlight(marks.excerpt(text, query or ""), query or "")
