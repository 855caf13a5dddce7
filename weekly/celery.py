"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery

from common import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")

app = Celery("weekly")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logs.connect_task_signals()
