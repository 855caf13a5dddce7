"""Authentication of API requests: DRF's token scheme, refusing keys no token can have."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

# DRF makes every key of 40 lower-case hex digits. Letters and digits of either case still go to
# the lookup, so a key set by hand (in upper-case hex, say) keeps working; anything else (above
# all NUL and the other control characters, which a client can put in a header) is in no key.
# PostgreSQL refuses a NUL in a query outright, so such a key must never reach the database.
_KEY = re.compile(r"[0-9A-Za-z]+")


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF reads it; a key that no token can have is refused
    without a query."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if not _KEY.fullmatch(key):
            # DRF's own refusal of an unknown key (the same message and translations), so the
            # two answers are the same.
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(key)
