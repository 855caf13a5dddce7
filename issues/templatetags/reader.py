"""Template helpers of the reader pages: language tags for mixed text, the authors and the
institutions in the publication's style, plain-text teasers of Markdown summaries, and page links
that keep the rest of the query string."""

from __future__ import annotations

import html
import re
from typing import Any

import nh3
from django import template
from django.utils.translation import get_language, gettext

from common.markup import render_markdown
from issues.exports import author_selection, institution_selection

register = template.Library()

# CJK ideographs (with extension A and compatibility ones), CJK punctuation and full-width forms.
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@register.filter
def text_lang(text: str) -> str:
    """``lang`` for a block of text written by members or fetched: ``zh-Hans`` when it holds
    Chinese characters, else ``en`` (titles and abstracts are English or Chinese)."""
    return "zh-Hans" if _CJK.search(text or "") else "en"


@register.filter
def styled_authors(names: list[str], style: Any) -> str:
    """The authors the publication's style shows (the first N, or the first and the last),
    then "et al." in the reader's language when some are left out."""
    shown, more = author_selection(names, style)
    return ", ".join(shown) + (" " + gettext("et al.") if more else "")


@register.filter
def styled_institutions(entry: Any, style: Any = None) -> str:
    """The entry's institutions in the reader's language, the first N its publication's style
    shows: Chinese short forms joined by 、 then 等 (斯坦福、高丽大学等), or English ones
    joined by commas then "et al." (Stanford, Korea University et al.). 等 / "et al." follows
    too when the entry's own list was cut short (an imported text's 等), however few it names."""
    cut = getattr(entry, "institutions_more", False)
    if (get_language() or "").lower().startswith("zh"):
        shown, more = institution_selection(entry.institutions, style, cut)
        return "、".join(shown) + ("等" if more else "")
    english = list(entry.institutions_en) or entry.institutions
    shown, more = institution_selection(english, style, cut)
    return ", ".join(shown) + (" " + gettext("et al.") if more else "")


@register.filter
def plain_text(markdown_text: str) -> str:
    """A Markdown summary as plain text (for a teaser); the template escapes it as usual."""
    stripped = nh3.clean(render_markdown(markdown_text), tags=set())
    return " ".join(html.unescape(stripped).split())


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int) -> str:
    """``?…&page=N``: the current query string with another page number."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
