"""WSGI entry point, used by gunicorn (``gunicorn weekly.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")

application = get_wsgi_application()

# The digest that keys the cache of published issues reads the project's files: done here, when
# a worker starts, rather than by the first reader it serves.
from issues.caching import render_generation  # noqa: E402 (needs the app registry set up)

render_generation()
