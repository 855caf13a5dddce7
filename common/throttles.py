"""Rate limits of the site's own forms, per client address.

They count like the API's throttles (DRF's ``SimpleRateThrottle``, rates in
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``) and read the client's address by the API's rules
(``NUM_PROXIES``), so a forged ``X-Forwarded-For`` does not dodge them.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle


class ClientAddressThrottle(SimpleRateThrottle):
    """Requests per client address, for members and anonymous visitors alike."""

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
