"""Reads of members."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

User = get_user_model()


def active_member(username: str) -> Any | None:
    """The active member with this user name (public pages show nobody else)."""
    return User.objects.filter(username=username, is_active=True).first()


def has_api_token(user: Any) -> bool:
    """Whether ``user`` holds an API token (without creating one)."""
    return Token.objects.filter(user=user).exists()
