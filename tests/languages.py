"""Addresses of pages in a language: every page's path starts with its language (``/zh/…``,
``/en/…``, ``common.i18n``), and ``reverse`` writes the active one's."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation


def reverse_in(language: str, name: str, *args: Any, **kwargs: Any) -> str:
    """``reverse(name, …)`` under ``language``: ``reverse_in("zh-hans", "papers:search")``."""
    with translation.override(language):
        return reverse(name, *args, **kwargs)


def in_chinese(path: str) -> str:
    """An English page's path as the Chinese page's: ``/en/search/`` → ``/zh/search/``."""
    assert path.startswith("/en/"), path
    return "/zh/" + path.removeprefix("/en/")
