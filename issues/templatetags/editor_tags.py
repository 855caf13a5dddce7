"""``{% load editor_tags %}``: what the site's navigation needs to know about editors."""

from __future__ import annotations

from typing import Any

from django import template

from publications.permissions import is_editor_anywhere

register = template.Library()


@register.filter
def edits_a_publication(user: Any) -> bool:
    """``{% if user|edits_a_publication %}``: the user is an editor of some publication (the
    roles are read once per request and user)."""
    return bool(is_editor_anywhere(user))
