"""Rate limits of the sign-up and log-in forms, per client address (``common.throttles``)."""

from __future__ import annotations

from common.throttles import ClientAddressThrottle


class SignupThrottle(ClientAddressThrottle):
    scope = "signup"


class LoginThrottle(ClientAddressThrottle):
    scope = "web_login"
