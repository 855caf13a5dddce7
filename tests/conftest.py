"""Shared test setup: markers that need real services, and the role fixtures."""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from publications.enums import TeamRole
from publications.models import Publication, Topic
from tests.admin_site import rl_draft, site  # noqa: F401 (registers the fixtures for every test)
from tests.api.helpers import two_per_hour  # noqa: F401 (registers the fixture for every test)
from tests.browser import chromium
from tests.factories import (
    MembershipFactory,
    PublicationFactory,
    TopicFactory,
    UserFactory,
)
from tests.workflow import team  # noqa: F401 (registers the fixture for every test)

# Hypothesis's per-example deadline is a timing check inside the tests: on a machine whose cores
# the parallel test processes share, one slow example failed a property that holds. Timing goals
# live in the benchmarks (bench/); the properties are checked without one.
hypothesis_settings.register_profile("weekly", deadline=None)
hypothesis_settings.load_profile("weekly")

#: The hostile corpora's case counts, summed over the test processes (pytest-xdist's workers send
#: theirs when they finish).
HOSTILE_CASES = pytest.StashKey[Counter]()


def _hostile_cases() -> Counter:
    """How many hostile cases this process ran, and with how many values."""
    forms = sys.modules.get("tests.security.test_hostile_forms")
    api = sys.modules.get("tests.security.test_hostile_api")
    counts: Counter = Counter()
    if forms is not None:
        from tests.security.harness import RUNS

        counts["form cases"] = sum(run.cases for run in RUNS)
        counts["form texts"] = len(forms.TEXTS) if counts["form cases"] else 0
    if api is not None and api.TALLY.cases:
        counts["api cases"] = api.TALLY.cases
        counts["api values"] = len(api.VALUES)
    return counts


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["hostile_cases"] = dict(_hostile_cases())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    counts = node.config.stash.setdefault(HOSTILE_CASES, Counter())
    found = getattr(node, "workeroutput", {}).get("hostile_cases", {})
    for name, number in found.items():
        if name.endswith("cases"):
            counts[name] += number
        else:  # the corpus's size, the same in every process
            counts[name] = max(counts[name], number)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The number of hostile cases run, after the results (for the closing notes)."""
    counts = config.stash.get(HOSTILE_CASES, Counter()) + _hostile_cases()
    if counts["form cases"]:
        terminalreporter.write_line(
            f"hostile forms: {counts['form texts']} text values, "
            f"{counts['form cases']} (value × field) cases"
        )
    if counts["api cases"]:
        terminalreporter.write_line(
            f"hostile API: {counts['api values']} values, {counts['api cases']} cases"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    no_broker = not settings.CELERY_BROKER_URL
    no_browser = chromium.missing_reason()
    for item in items:
        if on_sqlite and item.get_closest_marker("postgres"):
            item.add_marker(
                pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")
            )
        if no_broker and item.get_closest_marker("worker"):
            item.add_marker(
                pytest.mark.skip(reason="needs Redis and a Celery worker: set REDIS_URL (CI does)")
            )
        if no_browser and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=f"needs Chromium: {no_browser}"))


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # The production hasher takes a noticeable fraction of a second per password by design;
    # the tests create hundreds of members and test no hashing.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _offline(settings: Any) -> Iterator[None]:
    """No test reaches the internet, and none waits on politeness delays.

    The outside APIs point at a closed local port (tests that need a stand-in server set their
    own URL); tasks run in-process unless a worker test says otherwise.
    """
    from weekly.celery import app

    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"
    settings.AMINER_API_URL = "http://127.0.0.1:9/aminer"
    settings.CROSSREF_API_URL = "http://127.0.0.1:9/crossref"
    settings.ACL_ANTHOLOGY_DATA_URL = "http://127.0.0.1:9/acl"
    settings.ACL_ANTHOLOGY_MIN_INTERVAL = 0.0
    settings.OPENREVIEW_API_URL = "http://127.0.0.1:9/openreview"
    settings.OPENREVIEW_MIN_INTERVAL = 0.0
    settings.SEMANTIC_SCHOLAR_API_URL = "http://127.0.0.1:9/s2"
    settings.SEMANTIC_SCHOLAR_MIN_INTERVAL = 0.0
    settings.ARXIV_MIN_INTERVAL = 0.0
    settings.OPENALEX_API_URL = "http://127.0.0.1:9/openalex"
    settings.ROR_API_URL = "http://127.0.0.1:9/ror"
    settings.OPENALEX_MIN_INTERVAL = 0.0
    settings.ROR_MIN_INTERVAL = 0.0
    settings.CROSSREF_MIN_INTERVAL = 0.0
    # Drafting assistance is off unless a test points it at its stand-in.
    settings.LLM_API_URL = ""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploads are written under the session's temporary directory, never under ``var/``."""
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")


_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "live_server", "django_db_setup_data"}
)


@pytest.fixture(autouse=True)
def _shipped_glossary(request: pytest.FixtureRequest) -> None:
    """The institution glossary that ``migrate`` loads, there for every test as on a new site.

    A transactional test ends by emptying every table, the glossary included, and the tests
    that run after it in the same process would see a site without one."""
    if request.node.get_closest_marker("django_db") is None and not (
        _DATABASE_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("_django_db_helper")
    from papers.models import InstitutionGlossaryEntry

    if not InstitutionGlossaryEntry.objects.exists():
        from django.apps import apps

        migration = importlib.import_module("papers.migrations.0008_institution_glossary")
        migration.load_glossary(apps, None)


@pytest.fixture(autouse=True)
def _outside_any_worker() -> None:
    """Each test starts in a process that is no Celery worker. Celery marks the whole process
    as one (then ``.get()`` of any result refuses, to keep a task from waiting on another) when
    a worker's pool is built in it, and never unmarks it: a test that did so would fail every
    later test of its process that waits on a result."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache, so the API's throttles count from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """Each test ends in the site's language. LocaleMiddleware activates a request's language in
    the thread that serves it, the test's own with the test client, and nothing deactivates it:
    without this, a test's last request in Chinese left the next test's ``str()`` of a lazy
    label in Chinese."""
    yield
    translation.deactivate()


@pytest.fixture
def queued() -> Iterator[None]:
    """Tasks go through Redis, and the queue starts empty."""
    from weekly.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    yield
    app.control.purge()


# --- publications and roles -----------------------------------------------------------------------


@pytest.fixture
def publication(db: None) -> Publication:
    return PublicationFactory(slug="pretraining-weekly", name="Pretraining Weekly")


@pytest.fixture
def other_publication(db: None) -> Publication:
    return PublicationFactory(slug="rl-weekly", name="RL Weekly")


@pytest.fixture
def contributor(db: None) -> Any:
    """A member with no team role; the submitter of the recommendations in the tests."""
    return UserFactory(username="contributor")


@pytest.fixture
def other_contributor(db: None) -> Any:
    return UserFactory(username="other-contributor")


@pytest.fixture
def reviewer(publication: Publication) -> Any:
    """A reviewer of ``publication``."""
    user = UserFactory(username="reviewer")
    MembershipFactory(publication=publication, user=user, role=TeamRole.REVIEWER)
    return user


@pytest.fixture
def editor(publication: Publication) -> Any:
    """An editor of ``publication``."""
    user = UserFactory(username="editor")
    MembershipFactory(publication=publication, user=user, role=TeamRole.EDITOR)
    return user


@pytest.fixture
def admin_user(db: None) -> Any:
    """A superuser (overrides pytest-django's fixture of the same name)."""
    return UserFactory(username="admin", superuser=True)


@pytest.fixture
def topic(publication: Publication) -> Topic:
    """A topic of ``publication``."""
    return TopicFactory(
        publication=publication,
        slug="language-models",
        name_en="Language models",
        name_zh="语言模型",
    )


def client_for(user: Any | None) -> APIClient:
    """A client of the API signed in as ``user`` (anonymous for ``None``)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api() -> APIClient:
    """An anonymous client of the API."""
    return APIClient()
