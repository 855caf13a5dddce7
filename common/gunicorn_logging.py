"""Gunicorn's own lines (start, worker boot, timeouts) in the project's JSON format.

Named by ``gunicorn.conf.py`` as ``logger_class`` when the logs are JSON. It only changes the
format: gunicorn's access log stays off (``accesslog = None``), since ``weekly.request`` already
writes one line per request with its id, user and duration.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from common.logs import JsonFormatter


class JsonLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
