# The two commands of the README: `make run` and `make test`. Both create the virtual
# environment and install the project into it when needed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=var --ignore=staticfiles

.PHONY: run test install lint format migrate demo messages lock clean

# The dependencies come from the lock file, every one pinned with its hashes (requirements/dev.txt,
# written by `make lock`); the project itself is then installed in place, without dependencies.
$(STAMP): pyproject.toml requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Serve the demo site on the embedded defaults (SQLite in var/, in-process tasks; runserver
## publishes scheduled issues itself, see issues/scheduler.py).
## DEBUG is off by default: the demo is what a newcomer tries as a reader would, and Django's debug
## 404 lists every URL pattern of the site for a mistyped address where a reader should get the
## site's own error pages; WhiteNoise still serves the static files from the source folders, and
## errors are still logged with their tracebacks. `make run DEBUG=true` brings the debug pages.
## The demo's mails (review and publication notices, confirmations) are written to files under
## var/mail/, not to the terminal: printed, hundreds of lines of them buried the logins.
## `make run EMAIL_URL=consolemail://` prints them again. SITE_URL follows HOST and PORT, so the
## links in the demo's feeds and mails lead back to the address it is served at.
DEBUG ?= false
EMAIL_URL ?= filemail:///$(CURDIR)/var/mail
run: install
	$(BIN)/python manage.py migrate --noinput
	EMAIL_URL=$(EMAIL_URL) $(BIN)/python manage.py seed_demo --if-empty --site-url http://$(HOST):$(PORT)
	DEBUG=$(DEBUG) EMAIL_URL=$(EMAIL_URL) SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (SQLite by default; DATABASE_URL and REDIS_URL switch to the real ones),
## in one process per core (pytest-xdist; each process has a database and a Redis database of its
## own, see tests/parallel.py). `make test JOBS=1` runs it in one process.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
test: install
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest $$($(BIN)/python tests/parallel.py $(JOBS)) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## Update the Chinese catalogue from the code and templates, then compile it (needs GNU gettext).
## Translate what is new or fuzzy in locale/zh_Hans/LC_MESSAGES/django.po, run it again, and
## commit both django.po and django.mo (the image has no gettext).
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

## Write the lock files from pyproject.toml: requirements/main.txt (the image) and
## requirements/dev.txt (CI and `make`, constrained to the same versions). Pins that still fit are
## kept; `make lock UPGRADE=1` moves every dependency to its newest fitting release.
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	$(if $(UPGRADE),--upgrade)
lock: install
	$(LOCK) -o requirements/main.txt
	$(LOCK) --extra dev --constraint requirements/main.txt -o requirements/dev.txt

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles .pytest_cache .ruff_cache .import_linter_cache
