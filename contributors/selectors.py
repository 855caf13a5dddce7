"""Reads of members."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

User = get_user_model()


def active_member(username: str) -> Any | None:
    """The active member with this user name (public pages show nobody else)."""
    return User.objects.filter(username=username, is_active=True).first()
