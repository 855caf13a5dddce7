"""How the hostile-input tests send a corpus value into one field and judge the answer.

Each case runs inside a savepoint that is rolled back afterwards, so a value the site accepts
does not change what the next value meets (a second recommendation of the same paper would
only meet the duplicate refusal). The rows of the site are read once before a form's cases;
after every refusal they must read the same: a refused value loses or changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from django.contrib.auth import get_user_model
from django.contrib.messages import constants, get_messages
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from rest_framework.authtoken.models import Token

from inbox.models import Candidate, CandidateTransition, InboxSettings, Interest, Watch
from issues.models import Correction, Issue, IssueEntry
from newsletter.models import Subscriber
from papers.models import Author, Authorship, Institution, Paper, PaperInstitution
from publications.models import Membership, Publication, Topic
from recommendations.models import Recommendation, Review, Transition
from tests.security.corpus import Bad
from webhooks.models import Endpoint

#: The rows a refused request must leave exactly as they were.
GUARDED_MODELS = (
    get_user_model(),
    Token,
    Publication,
    Membership,
    Topic,
    Paper,
    Author,
    Authorship,
    Institution,
    PaperInstitution,
    Recommendation,
    Review,
    Transition,
    Issue,
    IssueEntry,
    Correction,
    Subscriber,
    Endpoint,
    Candidate,
    CandidateTransition,
    Interest,
    Watch,
    InboxSettings,
)

#: How a page says what is wrong: a form's error list, an alert box, a flash message, or the
#: readable refusal pages of the site.
_ERROR_SIGNS = re.compile(
    r'class="errorlist|class="error|role="alert"|class="messages"|class="problem'
)
#: Statuses whose page must say what was wrong (a 404 or 405 says enough by its status).
_MUST_EXPLAIN = {400, 409, 413, 422, 429}


def _select(model: type) -> str:
    """The SQL reading every row of ``model`` (plain SQL: thousands of snapshots are taken)."""
    quote = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields if f.attname != "last_login"]
    table, order = quote(model._meta.db_table), quote(model._meta.pk.column)
    names = ", ".join(map(quote, columns))
    return f"SELECT {names} FROM {table} ORDER BY {order}"  # noqa: S608 (our own names)


def snapshot(models: Iterable[type] = GUARDED_MODELS) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``models``, in a comparable form (the last-login time excepted)."""
    rows = {}
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(_select(model))
            rows[model.__name__] = cursor.fetchall()
    return rows


def form_body(data: Mapping[str, Any]) -> str:
    """``application/x-www-form-urlencoded`` of ``data``, UTF-8 with lone surrogates passed
    through as their bytes (which a browser could send as well), lists as repeated keys."""
    pairs = []
    for name, value in data.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            text = "" if item is None else str(item)
            pairs.append(quote_plus(name) + "=" + quote_plus(text.encode("utf-8", "surrogatepass")))
    return "&".join(pairs)


def send(client: Client, method: str, url: str, data: Mapping[str, Any]) -> HttpResponse:
    body = form_body(data)
    if method == "get":
        return client.get(url, QUERY_STRING=body)
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


def error_messages(response: HttpResponse) -> list[str]:
    request = getattr(response, "wsgi_request", None)
    if request is None:
        return []
    return [m.message for m in get_messages(request) if m.level >= constants.WARNING]


@dataclass
class Verdict:
    refused: bool
    problem: str = ""


def judge(response: HttpResponse, method: str) -> Verdict:
    """Whether the answer refused the value, and what is wrong with it if anything."""
    status = response.status_code
    if status >= 500:
        return Verdict(True, f"server error {status}")
    body = response.content.decode("utf-8", "replace") if not response.streaming else ""
    if 400 <= status < 500:
        if status in _MUST_EXPLAIN and not (_ERROR_SIGNS.search(body) or error_messages(response)):
            return Verdict(True, f"{status} without a readable message: {body[:120]!r}")
        return Verdict(True)
    if 300 <= status < 400:
        return Verdict(bool(error_messages(response)))
    if method == "post" and _ERROR_SIGNS.search(body):
        return Verdict(True)
    return Verdict(False)


@dataclass
class Run:
    """The cases of one form, and what went wrong in them."""

    name: str
    cases: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)

    def report(self) -> str:
        shown = "\n  ".join(self.failures[:40])
        more = f"\n  … and {len(self.failures) - 40} more" if len(self.failures) > 40 else ""
        return (
            f"{self.name}: {len(self.failures)} of {self.cases} cases went wrong:\n  {shown}{more}"
        )


#: Every run of the session, for the figures of the closing note.
RUNS: list[Run] = []


def run_corpus(
    name: str,
    client: Client,
    method: str,
    url: str | Callable[[Bad], str],
    *,
    valid: Mapping[str, Any],
    fields: Iterable[str] | Mapping[str, Iterable[Bad]],
    values: Iterable[Bad] = (),
    check: Callable[[Bad, str, HttpResponse], str] | None = None,
    guard: Iterable[type] = GUARDED_MODELS,
) -> Run:
    """Send each value into each field (the other fields valid) and judge every answer.

    ``fields`` names the fields, each fed ``values``, or maps each field to its own values.
    ``url`` may depend on the value (a value in the path). ``check`` adds a form's own
    expectation; it returns a problem or "". ``guard`` names the models the form could
    change (all guarded ones unless said), whose rows a refusal must leave as they were.
    """
    run = Run(name)
    RUNS.append(run)
    guard = tuple(guard)
    baseline = snapshot(guard)
    values = list(values)
    plan = (
        {name: list(given) for name, given in fields.items()}
        if isinstance(fields, Mapping)
        else dict.fromkeys(fields, values)
    )
    logging.disable(logging.WARNING)  # thousands of refusals would flood the captured log
    try:
        _run_cases(run, client, method, url, valid, plan, check, guard, baseline)
    finally:
        logging.disable(logging.NOTSET)
    return run


def _run_cases(
    run: Run,
    client: Client,
    method: str,
    url: str | Callable[[Bad], str],
    valid: Mapping[str, Any],
    plan: dict[str, list[Bad]],
    check: Callable[[Bad, str, HttpResponse], str] | None,
    guard: tuple[type, ...],
    baseline: dict[str, list[tuple[Any, ...]]],
) -> None:
    for field_name, values in plan.items():
        for bad in values:
            run.cases += 1
            cache.clear()  # the throttles count from zero for every case
            client.cookies.pop("messages", None)  # only this request's messages count
            data = dict(valid)
            if field_name:
                data[field_name] = bad.value
            target = url(bad) if callable(url) else url
            with transaction.atomic():
                try:
                    response = send(client, method, target, data)
                except Exception as error:  # reported as the case's failure
                    run.failures.append(f"{field_name}={bad}: raised {error!r:.200}")
                    transaction.set_rollback(True)
                    continue
                verdict = judge(response, method)
                problem = verdict.problem or (check(bad, field_name, response) if check else "")
                if verdict.refused and not problem:
                    run.refused += 1
                    if snapshot(guard) != baseline:
                        problem = "refused, but the stored rows changed"
                if problem:
                    run.failures.append(f"{field_name}={bad}: {problem}")
                transaction.set_rollback(True)
