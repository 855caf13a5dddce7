"""Django's PostgreSQL backend, health-checking a kept connection only after it sat idle.

With ``CONN_HEALTH_CHECKS``, Django sends ``SELECT 1`` before the first query of every request
that reuses a connection (``CONN_MAX_AGE`` keeps them), so that one broken while it waited (a
database restart, an idle-killing proxy) is replaced instead of failing the request. Under
load a worker's connection answered a few milliseconds before: the check is a round trip per
request that tells nothing. Here a connection that answered a request within the last
``HEALTHY_FOR`` seconds is taken as alive; one idle for longer is checked as before. What that
leaves: a database that restarts within a second after a connection's last answer fails one
request per such connection, which Django then closes (its errors make it check the
connection at the request's end).
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

#: Seconds after a request's successful use during which a connection is not checked again.
HEALTHY_FOR = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    #: When (``time.monotonic``) a request last used the connection without error.
    answered_at: float | None = None

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and not self.health_check_done
            and self.answered_at is not None
            and time.monotonic() - self.answered_at < HEALTHY_FOR
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self) -> None:
        # Called as each request starts and ends: a connection that the request used (checked,
        # skipped or new) and that met no error has just answered.
        answered = self.connection is not None and self.health_check_done
        answered = answered and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if answered and self.connection is not None:
            self.answered_at = time.monotonic()

    def close(self) -> None:
        self.answered_at = None
        super().close()
