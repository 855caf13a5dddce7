"""Settings for Weekly, read from environment variables.

With nothing set, the project runs on safe embedded defaults for local development: SQLite under
``var/``, Celery tasks executed in-process, a local-memory cache and console e-mail. Setting
``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY`` and ``DJANGO_ENV=production`` switches to the real
deployment; in production the settings refuse to load with the development key, SQLite or eager
tasks, so a half-configured server fails at start instead of at the first request.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"

DEVELOPMENT_SECRET_KEY = "django-insecure-weekly-development-key-never-use-in-production"  # noqa: S105 (the known key that production refuses)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
# Earlier keys, still accepted for what they signed (sessions, password-reset and confirmation
# links, the links of mails sent before the newsletter's own keys) while SECRET_KEY signs anew:
# a rotation logs no one out at once. docs/DEPLOY.md, Rotating the secret key, says for how long.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The site's name in its header, tab titles and error pages (a publication has its own name).
SITE_NAME = env.str("SITE_NAME", default="Weekly")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules",
    "csp",
    "anymail",
    "common",
    "contributors",
    "papers",
    "publications",
    "drafting",
    "recommendations",
    "issues",
    "notifications",
    "newsletter",
    "webhooks",
    "inbox",
    "backups",
    "demo",
]

MIDDLEWARE = [
    # Probes are answered first: no host check, no HTTPS redirect, no log line.
    "common.health.HealthCheckMiddleware",
    # Prometheus' scrape with its bearer token, answered as early as the probes (common.metrics).
    "common.metrics.MetricsExportMiddleware",
    "common.logs.RequestLogMiddleware",
    "common.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "common.csp.CSPMiddleware",
    # Before anything that answers early, so that those answers carry it too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # An anonymous reader's cached page from the process's memory, before sessions, CSRF, the
    # locale and URL resolution (issues.caching): as cheap as a static file.
    "issues.caching.PublishedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, so its 413 passes back through the others (headers, log line); before any view or
    # CsrfViewMiddleware.process_view reads a body.
    "common.limits.RequestSizeMiddleware",
]

ROOT_URLCONF = "weekly.urls"
WSGI_APPLICATION = "weekly.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "weekly" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.site",
                "common.context_processors.language_alternates",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# No DATABASE_URL: a SQLite file under var/, created on first use.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'weekly.sqlite3'}")
}
DATABASES["default"].setdefault(
    "CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, checking a kept connection only after it sat idle (common.database).
    DATABASES["default"]["ENGINE"] = "common.database"
USING_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and (REDIS_DATABASE := env.int("REDIS_DATABASE", default=-1)) >= 0:
    # The database number on REDIS_URL's server, in place of the URL's own: what `make test`
    # gives each of its parallel test processes (tests/parallel.py), whose cache and task queue
    # must not be another's.
    REDIS_URL = urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{REDIS_DATABASE}"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, except that an unreachable Redis reads as an empty cache
            # instead of failing every throttled request (see common/cache.py).
            "BACKEND": "common.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "weekly",
            # A Redis that hangs holds a request for seconds, not for ever.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Published issues, their exports, the archive, the feeds and the API's copy are served from the
# cache; publishing and correcting retire them at once (issues.caching). This bounds how long what
# was not frozen at publication (topic and member names, an admin's edit) can lag behind.
PUBLISHED_CACHE_SECONDS = env.int("PUBLISHED_CACHE_SECONDS", default=3600)
# How often a process asks the cache whether they were retired: a renewal reaches the other
# processes within this many seconds. 0 asks at every request (development and the tests).
PUBLISHED_VERSION_RECHECK = env.float(
    "PUBLISHED_VERSION_RECHECK", default=1.0 if PRODUCTION else 0.0
)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Without a broker, tasks run in-process and their exceptions propagate, so a failing task is
# seen at once during development instead of vanishing into a queue nobody reads.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once done, so a worker killed mid-task leaves it for another one;
# tasks are written to be idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Redis redelivers a message that a killed worker never acknowledged after this many seconds. It
# must exceed the longest a task runs (its hard time limit, CELERY_TASK_TIME_LIMIT at most) and
# the longest retry countdown (common.retry.BACKOFF_CAP), or Redis hands a task that is running or
# waiting to a second worker; and be short, so that a worker killed mid-task (kill -9, out of
# memory) delays its task by minutes only. docs/DEPLOY.md says how the numbers fit together.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=240)
# No task runs longer, whatever its own limits (papers.tasks, newsletter.tasks and issues.tasks
# set shorter ones).
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often each worker looks for such abandoned messages (a cheap sorted-set range query).
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 3)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 5,
    "socket_timeout": 10,
}
# A broker that is down must not hold a member's request for long: the sweep re-enqueues.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Without a broker there is no beat: the runserver process publishes the due issues itself, every
# 20 seconds, in a thread (issues.scheduler). Never under gunicorn, the tests or other commands.
IN_PROCESS_SCHEDULER = env.bool("IN_PROCESS_SCHEDULER", default=CELERY_TASK_ALWAYS_EAGER)
CELERY_BEAT_SCHEDULE = {
    # Papers left waiting or stuck "fetching" (papers.selectors.FETCHING_STUCK) every minute, the
    # stale ones to refresh every five.
    "sweep-paper-metadata": {
        "task": "papers.sweep_paper_metadata",
        "schedule": 60.0,
        "kwargs": {"refresh_stale": False},
    },
    "refresh-paper-metadata": {"task": "papers.sweep_paper_metadata", "schedule": 300.0},
    # Papers never enriched with affiliations, or whose enrichment failed long enough ago
    # (ENRICHMENT_RETRY_AFTER), and institutions whose ROR record was never read.
    "enrich-papers": {"task": "papers.sweep_paper_enrichment", "schedule": 600.0},
    "publish-due-issues": {"task": "issues.publish_due_issues", "schedule": 60.0},
    "resume-newsletters": {"task": "newsletter.resume", "schedule": 300.0},
    # The candidate inbox (docs/INBOX.md): every active watch polled once a day, after arXiv's
    # nightly announcement (00:00 UTC, 01:00 in winter); the claims and candidates past their
    # time swept daily; the members' digests on Monday morning.
    "poll-inbox-watches": {
        "task": "inbox.poll_watches",
        "schedule": crontab(hour=2, minute=30),
    },
    "sweep-inbox": {"task": "inbox.sweep", "schedule": crontab(hour=3, minute=15)},
    "send-inbox-digests": {
        "task": "inbox.send_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}

# --- Outside services -----------------------------------------------------------------------------
ARXIV_API_URL = env.str("ARXIV_API_URL", default="https://export.arxiv.org/api/query")
ARXIV_MIN_INTERVAL = env.float("ARXIV_MIN_INTERVAL", default=3.0)
# First retry delay of a metadata fetch that met a passing fault; it doubles at each retry.
METADATA_RETRY_BACKOFF = env.float("METADATA_RETRY_BACKOFF", default=10.0)
ARXIV_REFRESH_AFTER = env.int("ARXIV_REFRESH_AFTER", default=7 * 24 * 3600)
AMINER_API_URL = env.str(
    "AMINER_API_URL", default="https://datacenter.aminer.cn/gateway/open_platform"
)
AMINER_API_TOKEN = env.str("AMINER_API_TOKEN", default="")
# Affiliations (papers.services.enrichment). Each source is switched off when its URL is empty.
# OpenAlex documents 10 requests a second and 100,000 a day; OPENALEX_MAILTO puts the requests in
# its "polite pool", OPENALEX_API_KEY (optional) in a subscriber's.
OPENALEX_API_URL = env.str("OPENALEX_API_URL", default="https://api.openalex.org")
OPENALEX_MAILTO = env.str("OPENALEX_MAILTO", default="")
OPENALEX_API_KEY = env.str("OPENALEX_API_KEY", default="")
OPENALEX_MIN_INTERVAL = env.float("OPENALEX_MIN_INTERVAL", default=0.1)
# ROR (schema v2) documents 2,000 requests per 5 minutes: one every 0.15 s.
ROR_API_URL = env.str("ROR_API_URL", default="https://api.ror.org/v2")
ROR_MIN_INTERVAL = env.float("ROR_MIN_INTERVAL", default=0.2)
# A paper OpenAlex failed on, or had no affiliations for yet, is asked again after this long, for
# as long as it is younger than ENRICHMENT_WINDOW_DAYS.
ENRICHMENT_RETRY_AFTER = env.int("ENRICHMENT_RETRY_AFTER", default=24 * 3600)
ENRICHMENT_WINDOW_DAYS = env.int("ENRICHMENT_WINDOW_DAYS", default=60)
# Crossref, for papers known by a DOI. With a contact address requests go to its polite pool
# (10 requests a second, documented); without, to the public one (5 a second). An empty URL
# switches the source off, as for every source below.
CROSSREF_API_URL = env.str("CROSSREF_API_URL", default="https://api.crossref.org")
CROSSREF_MAILTO = env.str("CROSSREF_MAILTO", default="")
CROSSREF_MIN_INTERVAL = env.float("CROSSREF_MIN_INTERVAL", default=0.1 if CROSSREF_MAILTO else 0.2)
# The ACL Anthology: its site (the papers' pages and PDFs) and its authoritative metadata, one XML
# file per collection, in its data repository. An empty data URL switches the source off.
ACL_ANTHOLOGY_URL = env.str("ACL_ANTHOLOGY_URL", default="https://aclanthology.org")
ACL_ANTHOLOGY_DATA_URL = env.str(
    "ACL_ANTHOLOGY_DATA_URL",
    default="https://raw.githubusercontent.com/acl-org/acl-anthology/master/data/xml",
)
ACL_ANTHOLOGY_MIN_INTERVAL = env.float("ACL_ANTHOLOGY_MIN_INTERVAL", default=1.0)
# OpenReview's API v2, for papers known by their forum; it documents no rate limit, so the
# requests are gentle: one a second across every worker.
OPENREVIEW_API_URL = env.str("OPENREVIEW_API_URL", default="https://api2.openreview.net")
OPENREVIEW_MIN_INTERVAL = env.float("OPENREVIEW_MIN_INTERVAL", default=1.0)
# Semantic Scholar's Graph API, for papers known by their Semantic Scholar page: it maps them to
# their arXiv id, DOI or ACL Anthology id. One request a second, as it asks of clients without a
# key, and with one (sent as x-api-key).
SEMANTIC_SCHOLAR_API_URL = env.str(
    "SEMANTIC_SCHOLAR_API_URL", default="https://api.semanticscholar.org/graph/v1"
)
SEMANTIC_SCHOLAR_API_KEY = env.str("SEMANTIC_SCHOLAR_API_KEY", default="")
SEMANTIC_SCHOLAR_MIN_INTERVAL = env.float("SEMANTIC_SCHOLAR_MIN_INTERVAL", default=1.0)
OUTSIDE_API_TIMEOUT = env.float("OUTSIDE_API_TIMEOUT", default=15.0)
# Drafting assistance (docs/DRAFTING.md): an OpenAI-compatible chat-completions server, hosted or
# local. Off while LLM_API_URL is empty, the default: then no page offers drafts. The budget is
# of tokens per calendar month over the whole site (0: no limit); a member may ask for at most
# LLM_MEMBER_HOURLY_DRAFTS drafts an hour.
LLM_API_URL = env.str("LLM_API_URL", default="")
LLM_API_KEY = env.str("LLM_API_KEY", default="")
LLM_MODEL = env.str("LLM_MODEL", default="")
LLM_TIMEOUT = env.float("LLM_TIMEOUT", default=60.0)
LLM_MONTHLY_TOKEN_BUDGET = env.int("LLM_MONTHLY_TOKEN_BUDGET", default=0)
LLM_MEMBER_HOURLY_DRAFTS = env.int("LLM_MEMBER_HOURLY_DRAFTS", default=20)

# --- E-mail ---------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Weekly <weekly@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Newsletter -----------------------------------------------------------------------------------
# Mailgun's webhook of bounces and complaints (/newsletter/webhooks/mailgun/), read by
# django-anymail, which checks each call's signature with this key; without it the path is a 404.
ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default="")}
# Messages sent over one SMTP connection by one batch, and batches sending side by side.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=100)
NEWSLETTER_PARALLEL = env.int("NEWSLETTER_PARALLEL", default=2)
# Tries of one delivery that meets passing SMTP faults before it is marked failed.
NEWSLETTER_MAX_ATTEMPTS = env.int("NEWSLETTER_MAX_ATTEMPTS", default=5)
# A batch holding deliveries longer than this is taken for dead and its deliveries handed back.
# Webhooks (docs/DEPLOY.md, Webhooks): hosts exempt from the public-address rule and from https
# (tests, a site's own receivers); the timeout of one call; attempts per event, the first wait
# between them (doubled each time); failed events in a row that disable an endpoint; how much of
# an answer's body the delivery log keeps.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=5)
WEBHOOK_RETRY_BACKOFF = env.float("WEBHOOK_RETRY_BACKOFF", default=10.0)
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=5)
WEBHOOK_RESPONSE_LIMIT = env.int("WEBHOOK_RESPONSE_LIMIT", default=1000)

NEWSLETTER_CLAIM_TIMEOUT = env.int("NEWSLETTER_CLAIM_TIMEOUT", default=15 * 60)
# Issues published this recently whose newsletter never started (broker down) are caught up.
NEWSLETTER_CATCH_UP = env.int("NEWSLETTER_CATCH_UP", default=2 * 24 * 3600)
NEWSLETTER_CONFIRM_MAX_AGE = env.int("NEWSLETTER_CONFIRM_MAX_AGE", default=7 * 24 * 3600)
# At most one confirmation mail per address in this many seconds.
NEWSLETTER_CONFIRM_COOLDOWN = env.int("NEWSLETTER_CONFIRM_COOLDOWN", default=10 * 60)

# The candidate inbox (docs/INBOX.md): how many of a poll's papers a publication keeps by default
# (the best ranked; its editors may change it), and how many results one poll reads at most.
INBOX_KEEP_PER_POLL = env.int("INBOX_KEEP_PER_POLL", default=100)
INBOX_MAX_RESULTS_PER_POLL = env.int("INBOX_MAX_RESULTS_PER_POLL", default=2000)

# --- Accounts -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "contributors.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Database sessions that refuse a cookie no session key can match (a NUL, say) without a query.
SESSION_ENGINE = "common.sessions"
# URL names, not paths: each is reversed in the request's language (/zh/…, /en/…).
LOGIN_URL = "contributors:login"
LOGIN_REDIRECT_URL = "issues:home"
LOGOUT_REDIRECT_URL = "issues:home"
# A member's public page is built by the issues app (what they had published); the member
# model, lower in the order, learns its address here.
ABSOLUTE_URL_OVERRIDES = {
    "contributors.user": lambda user: reverse("issues:contributors-detail", args=[user.username]),
}

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "weekly" / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at every start otherwise
# WhiteNoise serves the files from the apps' folders whenever the site is not in production, so
# that `make run` serves them with DEBUG off as well (the Makefile says why it is off there).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# What publications upload for their texts (a QR code for an issue's closing block), served by
# the site itself (uploads:upload) under names of its own.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
PUBLICATION_UPLOAD_MAX_BYTES = env.int("PUBLICATION_UPLOAD_MAX_BYTES", default=512 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Content-Security-Policy (django-csp) ---------------------------------------------------------
# Everything from our own host, nothing inline: no inline script or style can run even if some
# text slipped through escaping. Two documents relax styles only, for their own responses: the
# paste-ready HTML export (inline styles are its purpose) and Redoc (it injects its styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
# A form refused by the CSRF check gets a page for readers, in their language (common.views).
CSRF_FAILURE_VIEW = "common.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# --- Limits ---------------------------------------------------------------------------------------
# The largest request body in bytes, form or JSON: a larger declared one is refused with 413 before
# it is read (common.limits). Nothing of ours comes near it; gunicorn bounds request lines and
# headers (gunicorn.conf.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# Fields of one form: the largest of ours (an admin list of 100 editable topics, an issue with its
# entries inline) stays far below; more is refused with 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=500)
# One page takes a file, a publication's image (publications.views, common.limits.accepts_one_file);
# everywhere else a form that carries one is refused with 400 by the handler below before any byte
# of it is held in memory or written to a temporary file.
DATA_UPLOAD_MAX_NUMBER_FILES = 1
FILE_UPLOAD_HANDLERS = ["common.limits.RefuseFiles"]
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Failed log-ins per user name, from any address, through the site, the admin or the API
# (contributors.lockout): after LOGIN_FAILURE_LIMIT of them within LOGIN_FAILURE_WINDOW seconds of
# the first, the name is refused until the window ends. 0 turns this off.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=15 * 60)

# --- REST framework -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": ["common.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.api.limits.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["common.api.filters.FilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        # Members only: an anonymous request is counted once, by its address, above.
        "common.api.limits.MemberRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_RATE_ANON", default="120/minute"),
        "user": env.str("API_RATE_USER", default="600/minute"),
        "submissions": env.str("API_RATE_SUBMISSIONS", default="60/hour"),
        "login": env.str("API_RATE_LOGIN", default="10/minute"),
        # The site's subscription form, per client address.
        "newsletter": env.str("NEWSLETTER_RATE", default="20/hour"),
        # The site's sign-up and log-in forms, per client address.
        "signup": env.str("SIGNUP_RATE", default="10/hour"),
        "web_login": env.str("LOGIN_RATE", default="20/hour"),
    },
    "EXCEPTION_HANDLER": "common.api.errors.exception_handler",
    # Proxies in front of the site (each adds one X-Forwarded-For entry). 0 means the client's
    # own address decides, so a forged header cannot dodge the throttles.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DEFAULT_SCHEMA_CLASS": "common.api.schema.WeeklyAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Weekly API",
    "DESCRIPTION": (
        "Read the published digest, submit and review recommendations, assemble and publish "
        "issues. Every error answers with one shape: "
        '{"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: it would be fetched from swagger.io, another host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RecommendationStatusEnum": "recommendations.enums.RecommendationStatus",
        "IssueStatusEnum": "issues.enums.IssueStatus",
        "MetadataStatusEnum": "papers.enums.MetadataStatus",
    },
}

# --- Logging --------------------------------------------------------------------------------------
# One line per request and per task (common.logs): JSON for log collectors in production, text to
# read in a terminal in development.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'text', not {LOG_FORMAT!r}.")
LOGGING = logging_config(fmt=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
# The worker logs through the same configuration instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Metrics --------------------------------------------------------------------------------------
# Prometheus metrics at /metrics (common.metrics), for a scrape that sends this token as
# "Authorization: Bearer …" or a staff member signed in; unset, /metrics is a 404 for everyone.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A Celery worker serves its own processes' metrics on this port (same token); 0: not served.
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)

# --- Error tracking -------------------------------------------------------------------------------
# Sentry (or a Sentry-compatible service such as GlitchTip), off unless SENTRY_DSN is set. Every
# process sends its unexpected exceptions, a request's or a task's, with the request id; no
# personal data (send_default_pii off: no user names, addresses, cookies or bodies).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        send_default_pii=False,
        # Performance traces cost the service's quota: none unless asked for.
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- Production -----------------------------------------------------------------------------------
if PRODUCTION:
    problems = []
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set to a random value of 50 characters or more")
    if any(key == DEVELOPMENT_SECRET_KEY or len(key) < 50 for key in SECRET_KEY_FALLBACKS):
        problems.append("SECRET_KEY_FALLBACKS may hold only keys of 50 characters or more")
    if USING_SQLITE:
        problems.append("DATABASE_URL must point at PostgreSQL, not SQLite")
    if CELERY_TASK_ALWAYS_EAGER:
        problems.append("REDIS_URL (or CELERY_BROKER_URL) must be set: tasks may not run eagerly")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the site's host names")
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start with DJANGO_ENV=production: " + "; ".join(problems) + "."
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
