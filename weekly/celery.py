"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

from common import logs, metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")

app = Celery("weekly")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logs.connect_task_signals()


@signals.worker_init.connect
def _start_metrics(**_: object) -> None:
    """The worker's main process serves its pool's metrics (common.metrics) when asked to."""
    from django.conf import settings

    metrics.prepare_multiprocess_dir()
    if settings.WORKER_METRICS_PORT:
        metrics.serve_worker_metrics(settings.WORKER_METRICS_PORT)


@signals.worker_process_shutdown.connect
def _forget_pool_process(pid: int | None = None, **_: object) -> None:
    metrics.forget_process(pid or os.getpid())
