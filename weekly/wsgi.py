"""WSGI entry point, used by gunicorn (``gunicorn weekly.wsgi``)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")

application = get_wsgi_application()

# The digest that keys the cache of published issues, done here, when a worker starts, rather than
# by the first reader it serves: read from the file that the release's first process wrote
# (common.release), computed only when there is none for this release.
from common.release import render_generation  # noqa: E402 (needs the app registry set up)

render_generation()

# What every request uses, loaded now: the URL configuration (and the views it imports).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 (loads it)

# Everything loaded so far lives as long as the process: moved out of the collector's sight, a
# full collection no longer walks the whole of Django on every few dozen requests (at 100,000
# papers, the API list's p95 fell from 110 ms to 47 ms in-process; docs/PERFORMANCE.md).
gc.collect()
gc.freeze()
