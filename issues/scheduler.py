"""Publishing scheduled issues where no Celery beat runs: the development server's own scheduler.

On a deployment, beat enqueues ``issues.publish_due_issues`` every minute
(``CELERY_BEAT_SCHEDULE``). On the embedded defaults (``make run``: SQLite, no broker, tasks run
in-process) there is no beat, and nothing published a scheduled issue. Here a daemon thread of
the ``runserver`` process that serves requests calls ``publish_due_issues`` every ``INTERVAL``
seconds, so an issue comes out within a minute of its time with nothing else started.

Why a thread, not publishing the due issues lazily when a request comes in: with nobody on the
site, a lazy check never runs, and the issue and its newsletter wait for the first visitor; and
the visitor who comes would pay for the publishing (mailing every subscriber runs in-process
here) on a page load, from a GET. The thread runs whether or not anyone visits, in the one
process that serves (runserver's autoreloader parent only watches files), and never under
gunicorn, the tests or a management command. It needs no lock of its own: publishing locks the
publication, and changes the issue's state by compare-and-set, so a beat, an editor's "Publish
now" or a second process racing it still publish each issue once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone

from issues import services

logger = logging.getLogger("weekly.scheduler")

#: Seconds between two looks: an issue is published at most this long after its time (plus the
#: time publishing takes), well within the minute the beat's schedule promises.
INTERVAL = 20.0


class DueIssueScheduler:
    """Publishes the due issues every ``interval`` seconds, in a daemon thread of its own.

    ``clock`` gives "now" (``timezone.now`` unless a test gives another).
    """

    def __init__(
        self,
        *,
        interval: float = INTERVAL,
        clock: Callable[[], dt.datetime] = timezone.now,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[int]:
        """Publish what is due now; the ids of the issues published. Never raises: a failure
        (a database that is locked or not migrated yet) is logged and the next tick tries
        again."""
        try:
            return [issue.pk for issue in services.publish_due_issues(now=self.clock())]
        except Exception:
            logger.exception("The in-process scheduler could not publish the due issues")
            return []

    def run(self) -> None:
        # Started from IssuesConfig.ready(): the apps after this one (the newsletter, member
        # notifications) connect to ``issue_published`` in theirs. Publish nothing before they
        # have, or the first issue would go out unmailed.
        while not apps.ready:
            if self._stopped.wait(0.05):
                return
        while not self._stopped.is_set():
            try:
                published = self.tick()
            finally:
                # The thread's own connections (they are per thread): none stays open between
                # ticks, as a request's does not.
                connections.close_all()
            if published:
                logger.info("The in-process scheduler published issues %s", published)
            self._stopped.wait(self.interval)

    def start(self) -> None:
        self._stopped.clear()
        self._thread = threading.Thread(target=self.run, name="weekly-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


#: The scheduler of this process, once started.
_scheduler: DueIssueScheduler | None = None


def serves_with_runserver(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether this process is the one ``manage.py runserver`` serves requests from.

    With its autoreloader (the default), runserver runs twice: a parent that watches the files,
    and a child, marked ``RUN_MAIN=true``, that serves; with ``--noreload``, one process does
    both.
    """
    if len(argv) < 2 or argv[1] != "runserver":
        return False
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv


def start_for_runserver(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Start this process's scheduler if it serves with runserver and the setting
    ``IN_PROCESS_SCHEDULER`` (on by default when tasks run in-process) asks for it."""
    global _scheduler
    if not settings.IN_PROCESS_SCHEDULER or not serves_with_runserver(argv, environ):
        return False
    if _scheduler is None or not _scheduler.running:
        _scheduler = DueIssueScheduler()
        _scheduler.start()
        logger.info(
            "In-process scheduler started: scheduled issues are published within %d s",
            INTERVAL,
        )
    return True


def running() -> bool:
    return _scheduler is not None and _scheduler.running


#: How scheduled issues are published here, for the builder to say.
IN_PROCESS = "in_process"
BEAT = "beat"
NOTHING = "nothing"


def publishing_mode() -> str:
    """``IN_PROCESS`` when this process runs the scheduler; ``BEAT`` when tasks go to a broker,
    where the deployment runs the one beat (docs/DEPLOY.md); ``NOTHING`` otherwise (tasks
    in-process without the scheduler: under gunicorn on the embedded defaults, say)."""
    if running():
        return IN_PROCESS
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return BEAT
    return NOTHING
