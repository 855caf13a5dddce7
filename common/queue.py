"""Enqueueing Celery tasks from services, after the transaction commits."""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger("weekly.queue")


def enqueue_after_commit(task: Any, *args: Any) -> None:
    """``task.delay(*args)`` once the current transaction commits (never for a rolled-back one).

    A broker that is down does not fail the member's request: it is logged, and the periodic
    tasks that sweep for unfinished work catch up. Nor does a task run in-process (eager) that
    fails: the request's own work is committed by then, so the failure is logged (``robust``).
    """

    def enqueue() -> None:
        try:
            task.delay(*args)
        except (KombuOperationalError, redis.RedisError, OSError) as error:
            logger.warning("Could not enqueue %s%s (%s).", task.name, args, error)

    transaction.on_commit(enqueue, robust=True)
