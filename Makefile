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

.PHONY: run test install lint format migrate demo messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Serve the demo site on the embedded defaults (SQLite in var/, in-process tasks; runserver
## publishes scheduled issues itself, see issues/scheduler.py).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (SQLite by default; DATABASE_URL and REDIS_URL switch to the real ones).
test: install
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

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

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles .pytest_cache .ruff_cache .import_linter_cache
