"""Markdown written by members, rendered to HTML that is safe to show."""

from __future__ import annotations

import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4",
    "sub", "sup", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


#: One converter per thread: building one (its extensions, patterns and processors) cost more
#: than converting a summary (220 µs a call against 86 µs reused), and one is not thread-safe.
_converters = threading.local()


def _converter() -> markdown.Markdown:
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(
            extensions=["sane_lists"], output_format="html"
        )
    return converter


def render_markdown(text: str) -> str:
    """Markdown → sanitised HTML: no raw HTML survives, links get ``rel="nofollow noopener"``."""
    converter = _converter()
    try:
        html = converter.convert(text or "")
    finally:
        # What one text defined (its reference links, say) never reaches the next.
        converter.reset()
    return clean(html)


def render_markdown_with_images(text: str) -> str:
    """``render_markdown`` that keeps images (http and https ones, with their alt text): for the
    blocks a publication's editors write, such as a closing block with its QR code."""
    converter = _converter()
    try:
        html = converter.convert(text or "")
    finally:
        converter.reset()
    return clean(html, images=True)


def clean(html: str, *, images: bool = False) -> str:
    """Only the allowed tags and attributes of ``html``; links get ``rel="nofollow noopener"``."""
    tags, attributes = ALLOWED_TAGS, ALLOWED_ATTRIBUTES
    if images:
        tags = tags | {"img"}
        attributes = attributes | {"img": {"src", "alt", "title"}}
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
