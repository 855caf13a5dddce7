# The Weekly image: one image for the web, worker and beat processes (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

COPY . .
RUN pip install . \
    && useradd --create-home --uid 1000 weekly \
    && mkdir -p /app/var /app/staticfiles \
    && chown -R weekly /app/var /app/staticfiles

USER weekly
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz/live', timeout=4)"]
# gunicorn.conf.py (in /app) sets the bind address, workers and logging from the environment.
CMD ["gunicorn", "weekly.wsgi:application"]
