# The Weekly image: one image for the web, worker and beat processes (docker-compose.yml).
# `docker run` of it serves the site with the required environment (docs/DEPLOY.md); the static
# files are collected at build time, so no process has to write them at start.
#
# Stages: `dependencies` installs the dependencies into a virtual environment from the lock file
# alone (requirements/main.txt: every package pinned, with its hashes), so a change to the code
# reuses that layer instead of reinstalling everything; `release` holds that environment, the
# code and the collected static files, and no pip cache; `proxy` is nginx with that release's
# static files (docker-compose.yml's front proxy, `--target proxy`); the last, the default target,
# is the site's image: the release run by its own user.
FROM python:3.11-slim AS dependencies

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
COPY requirements/main.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.txt

FROM python:3.11-slim AS release

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_ENV=production \
    STATIC_ROOT=/app/staticfiles

COPY --from=dependencies /opt/venv /opt/venv
WORKDIR /app
COPY . .

# Production's settings refuse to load without these; collectstatic connects to none of them, and
# the throw-away key signs nothing (the container's SECRET_KEY is given at run time).
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# nginx in front of the web processes (deploy/nginx/weekly.conf.template, docs/DEPLOY.md): it
# serves the static files itself, so it carries the very files this release collected, and a
# release's proxy never serves another's. The image fills the template's placeholders from this
# environment when it starts; a tls.conf mounted in /etc/nginx/weekly.d/ adds HTTPS.
FROM nginx:1.26.3-bookworm AS proxy

ENV WEEKLY_LISTEN=80 \
    WEEKLY_UPSTREAM=web:8000 \
    WEEKLY_STATIC_ROOT=/srv/weekly/static \
    WEEKLY_CACHE_DIR=/var/cache/nginx/weekly \
    WEEKLY_SITE_DIR=/etc/nginx/weekly.d

RUN rm /etc/nginx/conf.d/default.conf && mkdir -p /etc/nginx/weekly.d
COPY deploy/nginx/weekly.conf.template /etc/nginx/templates/weekly.conf.template
COPY deploy/nginx/tls.conf.example /etc/nginx/weekly.d/tls.conf.example
COPY --from=release /app/staticfiles /srv/weekly/static
EXPOSE 80
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1/healthz/live"]

# The site's image (web, worker, beat): the default target, so `docker build .` makes it.
FROM release AS web

# The static files stay root's (read-only to the site); only var/ is the site's to write.
# var/media/ exists in the image so that a volume mounted there starts owned by the site.
RUN useradd --create-home --uid 1000 weekly \
    && mkdir -p /app/var/media \
    && chown -R weekly /app/var

USER weekly
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz/live', timeout=4)"]
# gunicorn.conf.py (in /app) sets the bind address, workers and logging from the environment,
# and refuses to start without the collected static files.
CMD ["gunicorn", "weekly.wsgi:application"]
