from django import template
from django.utils.safestring import SafeString, mark_safe

from common.markup import render_markdown, render_markdown_with_images

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render member-written Markdown; the sanitiser makes the result safe to mark so."""
    return mark_safe(render_markdown(text))  # noqa: S308 (nh3 has sanitised it)


@register.filter(name="markdown_with_images")
def markdown_with_images_filter(text: str) -> SafeString:
    """Render a publication's own Markdown (its closing block), images kept, sanitised."""
    return mark_safe(render_markdown_with_images(text))  # noqa: S308 (nh3 has sanitised it)


@register.filter
def name_in(obj: object, language: str) -> str:
    """``{{ topic|name_in:LANGUAGE_CODE }}`` for anything with ``name_for(language)``."""
    return obj.name_for(language or "en")  # type: ignore[attr-defined]
