"""Every operation of the REST API, fed each value of the hostile corpus in each JSON field and
query parameter in turn (the other fields valid), the whole body replaced by each value, and the
hand-written bodies that are no JSON (``corpus.RAW_JSON``), as the member the operation is for.

An answer may accept the value or refuse it; it may never be a server error, and a refusal is
the API's error shape ``{"error": {"code", "message", "fields"}}`` with a message, after which
every stored row reads as before. The generic fuzzing of the schema is
``tests/api/test_contract.py``; this is the targeted corpus.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories.publications import png_bytes
from tests.security import corpus
from tests.security.conftest import World
from tests.security.harness import GUARDED_MODELS, snapshot

pytestmark = pytest.mark.django_db

#: Every value: what goes into the key fields, one or more for each kind of validation (a user
#: name, an identifier, a summary, a slug, a link, a title, a number, a list, a date...).
VALUES = corpus.values()
TEXTS = corpus.texts()
#: What goes into every other field and parameter, and replaces whole bodies: the corpus's
#: sample and every wrong JSON type; every value with ``HOSTILE_FULL=1``.
SAMPLE = VALUES if corpus.FULL else [*corpus.sample(), *corpus.WRONG_TYPES]
TEXT_SAMPLE = corpus.sample()


@dataclass
class Operation:
    name: str
    method: str
    url: str
    user: str | None
    #: A valid body (None: the operation takes none); its keys are the fields tried.
    body: dict[str, Any] | None = None
    #: Valid query parameters, each tried.
    query: dict[str, str] = field(default_factory=dict)
    #: Paths inside the body to try besides its keys ("issue.title", "authors.0").
    nested: tuple[str, ...] = ()
    #: The fields and parameters (keys, nested paths) that get every value; the others get
    #: the sample.
    full: frozenset[str] = frozenset()


@dataclass
class Tally:
    cases: int = 0
    failures: list[str] = field(default_factory=list)


TALLY = Tally()


def _client(world: World, user: str | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(getattr(world, user))
    return client


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``body`` with ``value`` at the dotted ``path`` (list indexes as numbers)."""
    copy = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target: Any = copy
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return copy


def _error_shape(response: Any) -> str:
    """What is wrong with a refusal's body, or ""."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"no JSON: {response.content[:120]!r}"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return f"not the error shape: {str(body)[:120]}"
    if not isinstance(error.get("code"), str) or not error["code"]:
        return f"no error code: {error}"
    if not isinstance(error.get("message"), str) or not error["message"].strip():
        return f"no message: {error}"
    if not isinstance(error.get("fields"), dict):
        return f"fields is no object: {error}"
    return ""


def _cases(operation: Operation) -> Iterator[tuple[str, str, bytes | None]]:
    """(label, query string, body bytes) for every case of ``operation``."""
    valid_query = urlencode(operation.query)
    valid_body = None if operation.body is None else json.dumps(operation.body).encode()
    for name in operation.query:
        for bad in TEXTS if name in operation.full else TEXT_SAMPLE:
            query = {**operation.query, name: bad.value}
            encoded = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in query.items()})
            yield f"?{name}={bad}", encoded, valid_body
    if operation.body is None:
        # An operation without a body: whatever is sent is ignored or refused, never a 500.
        for label, raw in corpus.RAW_JSON.items():
            yield f"raw body {label}", valid_query, raw
        return
    for path in (*operation.body, *operation.nested):
        for bad in VALUES if path in operation.full else SAMPLE:
            yield (
                f"{path}={bad}",
                valid_query,
                json.dumps(_set(operation.body, path, bad.value)).encode(),
            )
    for bad in SAMPLE:
        yield f"body={bad}", valid_query, json.dumps(bad.value).encode()
    for label, raw in corpus.RAW_JSON.items():
        yield f"raw body {label}", valid_query, raw


def run_operation(world: World, operation: Operation) -> list[str]:
    client = _client(world, operation.user)
    baseline = snapshot(GUARDED_MODELS)
    failures = []
    logging.disable(logging.WARNING)
    try:
        for label, query, body in _cases(operation):
            TALLY.cases += 1
            cache.clear()  # the throttles count from zero for every case
            url = operation.url + (f"?{query}" if query else "")
            with transaction.atomic():
                try:
                    response = client.generic(
                        operation.method, url, body or b"", content_type="application/json"
                    )
                except Exception as error:  # reported as the case's failure
                    failures.append(f"{label}: raised {error!r:.200}")
                    transaction.set_rollback(True)
                    continue
                problem = ""
                if response.status_code >= 500:
                    problem = f"server error {response.status_code}"
                elif response.status_code >= 400:
                    problem = _error_shape(response)
                    if not problem and snapshot(GUARDED_MODELS) != baseline:
                        problem = "refused, but the stored rows changed"
                if problem:
                    failures.append(f"{label}: {problem}")
                transaction.set_rollback(True)
    finally:
        logging.disable(logging.NOTSET)
    TALLY.failures += [f"{operation.name} {f}" for f in failures]
    return failures


def _operations(world: World) -> list[Operation]:
    slug = world.publication.slug
    draft = world.draft_issue.pk
    published = world.published_issue.pk
    entry = world.published_entry.pk
    recommendation = world.draft_paper.pk
    hook = world.webhook.pk
    candidate = world.candidate.pk
    claimed = world.claimed_candidate.pk
    dismissed = world.dismissed_candidate.pk
    watch = world.watch.pk
    paging = {"page": "1", "page_size": "10"}
    issue_texts = {"title": "A title", "intro_zh": "本期", "intro_en": "This issue", "credits": "A"}
    return [
        Operation(
            "token",
            "post",
            reverse("api:auth-token"),
            None,
            body={"username": "contributor", "password": "pw-for-tests"},
            full=frozenset({"username"}),
        ),
        Operation("token revoke", "delete", reverse("api:auth-token"), "contributor"),
        Operation("me", "get", reverse("api:me"), "contributor"),
        Operation(
            "me patch",
            "patch",
            reverse("api:me"),
            "contributor",
            body={
                "display_name": "Con",
                "affiliation": "Uni",
                "bio": "Reads.",
                "homepage_url": "https://example.org/",
                "github_username": "con",
                "orcid": "0000-0002-1825-0097",
                "notify_by_email": True,
            },
            full=frozenset({"display_name"}),
        ),
        Operation("publications", "get", reverse("api:publication-list"), None, query=paging),
        Operation(
            "issues of a publication",
            "get",
            reverse("api:issue-list", args=[slug]),
            "editor",
            query=paging,
        ),
        Operation(
            "issue create",
            "post",
            reverse("api:issue-list", args=[slug]),
            "editor",
            body=issue_texts,
            full=frozenset({"title"}),
        ),
        Operation("published issue", "get", reverse("api:published-issue", args=[slug, 1]), None),
        Operation(
            "publication statistics",
            "get",
            reverse("api:publication-statistics", args=[slug]),
            None,
        ),
        Operation("statistics", "get", reverse("api:statistics"), None),
        Operation("issue", "get", reverse("api:issue-detail", args=[draft]), "editor"),
        Operation(
            "issue patch",
            "patch",
            reverse("api:issue-detail", args=[draft]),
            "editor",
            body=issue_texts,
        ),
        Operation("assemble", "post", reverse("api:issue-assemble", args=[draft]), "editor"),
        Operation(
            "publish",
            "post",
            reverse("api:issue-publish", args=[draft]),
            "editor",
            body={"publish_at": "2099-01-31T09:00:00+08:00"},
            full=frozenset({"publish_at"}),
        ),
        Operation("unschedule", "post", reverse("api:issue-unschedule", args=[draft]), "editor"),
        Operation("entries", "get", reverse("api:issue-entries", args=[draft]), "editor"),
        Operation(
            "entry add",
            "post",
            reverse("api:issue-entries", args=[draft]),
            "editor",
            body={"recommendation": world.accepted.pk},
            full=frozenset({"recommendation"}),
        ),
        Operation(
            "entry reorder",
            "put",
            reverse("api:issue-entries", args=[draft]),
            "editor",
            body={"order": [world.draft_entry.pk]},
            nested=("order.0",),
            full=frozenset({"order.0"}),
        ),
        Operation(
            "leads",
            "put",
            reverse("api:issue-leads", args=[draft]),
            "editor",
            body={"entries": [world.draft_entry.pk]},
            nested=("entries.0",),
            full=frozenset({"entries.0"}),
        ),
        Operation(
            "entry remove",
            "delete",
            reverse("api:issue-entry", args=[draft, world.draft_entry.pk]),
            "editor",
        ),
        Operation(
            "corrections", "get", reverse("api:issue-corrections", args=[published]), "editor"
        ),
        Operation(
            "correction",
            "post",
            reverse("api:issue-corrections", args=[published]),
            "editor",
            body={
                "note": "Corrected the lab.",
                "issue": {"title": "Fixed"},
                "entries": {
                    str(entry): {
                        "title": "Fixed",
                        "summary": "Fixed.",
                        "url": "https://example.org/",
                    }
                },
            },
            nested=(
                "issue.title",
                "issue.intro_en",
                f"entries.{entry}.title",
                f"entries.{entry}.summary",
                f"entries.{entry}.url",
                f"entries.{entry}.authors",
            ),
            full=frozenset({f"entries.{entry}.url"}),
        ),
        Operation(
            "papers",
            "get",
            reverse("api:paper-list"),
            None,
            query={
                "q": "pretraining",
                "topic": world.topic.slug,
                "publication": slug,
                "year": "2024",
                "has_code": "true",
                "category": "cs.CL",
                "featured": "false",
                "metadata_status": "ok",
                "ordering": "-year",
                **paging,
            },
            full=frozenset({"q", "category"}),
        ),
        Operation("paper", "get", reverse("api:paper-detail", args=[world.failed_paper.pk]), None),
        Operation(
            "refetch", "post", reverse("api:paper-refetch", args=[world.failed_paper.pk]), "editor"
        ),
        Operation(
            "metadata",
            "put",
            reverse("api:paper-metadata", args=[world.failed_paper.pk]),
            "contributor",
            body={
                "title": "By hand",
                "title_zh": "手工",
                "authors": ["Ada Lovelace"],
                "institutions": ["Analytical"],
                "abstract": "What.",
                "year": 2024,
            },
            nested=("authors.0", "institutions.0"),
            full=frozenset({"authors.0", "year"}),
        ),
        Operation("topics", "get", reverse("api:topic-list"), None, query=paging),
        Operation(
            "recommendations",
            "get",
            reverse("api:recommendation-list"),
            "contributor",
            query={
                "publication": slug,
                "status": "draft",
                "kind": "paper",
                "topic": world.topic.slug,
                "submitter": "contributor",
                "mine": "true",
                **paging,
            },
        ),
        Operation(
            "recommend",
            "post",
            reverse("api:recommendation-list"),
            "contributor",
            body={
                "identifier": "2109.08133",
                "summary": "What it does.",
                "publication": slug,
                "kind": "paper",
                "topic": world.topic.slug,
                "title_zh": "预训练",
                "code_url": "https://github.com/example/code",
                "news_title": "",
                "news_url": "",
                "draft": False,
            },
            full=frozenset({"identifier", "summary", "topic", "code_url"}),
        ),
        Operation(
            "recommend news",
            "post",
            reverse("api:recommendation-list"),
            "contributor",
            body={
                "kind": "news",
                "publication": slug,
                "summary": "What happened.",
                "news_title": "A shared task",
                "news_url": "https://example.org/",
            },
            full=frozenset({"news_title"}),
        ),
        Operation(
            "queue",
            "get",
            reverse("api:recommendation-queue"),
            "reviewer",
            query={"publication": slug, **paging},
        ),
        Operation(
            "recommendation",
            "get",
            reverse("api:recommendation-detail", args=[recommendation]),
            "contributor",
        ),
        Operation(
            "recommendation patch",
            "patch",
            reverse("api:recommendation-detail", args=[recommendation]),
            "contributor",
            body={
                "summary": "Better.",
                "topic": world.topic.slug,
                "title_zh": "更好",
                "code_url": "https://github.com/example/code",
            },
        ),
        Operation(
            "entry edit",
            "patch",
            reverse("api:recommendation-entry", args=[world.submitted.pk]),
            "reviewer",
            body={
                "summary": "Polished by the team.",
                "subject_zh": "检索",
                "shown_authors": "A. One\nB. Two",
                "paper_url": "https://example.org/paper",
            },
        ),
        Operation(
            "submit",
            "post",
            reverse("api:recommendation-submit", args=[recommendation]),
            "contributor",
            body={"note": "Ready."},
            full=frozenset({"note"}),
        ),
        Operation(
            "withdraw",
            "post",
            reverse("api:recommendation-withdraw", args=[recommendation]),
            "contributor",
            body={"note": "Too early."},
        ),
        Operation(
            "accept",
            "post",
            reverse("api:recommendation-accept", args=[world.submitted.pk]),
            "editor",
            body={"note": "Good."},
        ),
        Operation(
            "reviews",
            "get",
            reverse("api:recommendation-reviews", args=[world.submitted.pk]),
            "reviewer",
        ),
        Operation(
            "review",
            "post",
            reverse("api:recommendation-reviews", args=[world.submitted.pk]),
            "reviewer",
            body={"verdict": "request_changes", "comment": "Say more."},
            full=frozenset({"comment"}),
        ),
        Operation(
            "merge",
            "post",
            reverse("api:paper-merge", args=[world.failed_paper.pk]),
            "editor",
            body={"other": str(world.submitted.paper_id), "note": "The same paper."},
            full=frozenset({"other"}),
        ),
        Operation("style", "get", reverse("api:publication-style", args=[slug]), "editor"),
        Operation(
            "style patch",
            "patch",
            reverse("api:publication-style", args=[slug]),
            "editor",
            body={
                "authors_shown": 2,
                "authors_more": " 等",
                "link_order": "doi,arxiv",
                "sections": "papers,news,closing",
                "entry_template": "[[{institutions}|]]{title}[[（{title_zh}）]]",
                "intro_template_zh": "本期收录{papers}篇论文。",
            },
            full=frozenset({"authors_shown", "link_order", "sections", "entry_template"}),
        ),
        Operation("uploads", "get", reverse("api:publication-uploads", args=[slug]), "editor"),
        Operation(
            "upload",
            "post",
            reverse("api:publication-uploads", args=[slug]),
            "editor",
            body={"name": "qr.png", "data": base64.b64encode(png_bytes()).decode()},
            full=frozenset({"name", "data"}),
        ),
        Operation(
            "topic create",
            "post",
            reverse("api:publication-topics", args=[slug]),
            "editor",
            body={"slug": "agents", "name_en": "Agents", "name_zh": "智能体", "position": 3},
            full=frozenset({"slug", "name_en", "position"}),
        ),
        Operation(
            "topic patch",
            "patch",
            reverse("api:topic-detail", args=[world.topic.pk]),
            "editor",
            body={
                "name_en": "Language models",
                "description": "Models of language.",
                "position": 2,
            },
            full=frozenset({"name_en", "description", "position"}),
        ),
        Operation(
            "topic delete", "delete", reverse("api:topic-detail", args=[world.topic.pk]), "editor"
        ),
        Operation(
            "upload delete",
            "delete",
            reverse("api:publication-upload", args=[slug, world.upload.pk]),
            "editor",
        ),
        Operation("webhooks", "get", reverse("api:webhook-list", args=[slug]), "editor"),
        Operation(
            "webhook create",
            "post",
            reverse("api:webhook-list", args=[slug]),
            "editor",
            body={
                "url": "https://hooks.example.org/new",
                "events": ["issue.published"],
                "description": "The chat room",
            },
            nested=("events.0",),
            full=frozenset({"url", "events.0"}),
        ),
        Operation("webhook", "get", reverse("api:webhook-detail", args=[hook]), "editor"),
        Operation(
            "webhook patch",
            "patch",
            reverse("api:webhook-detail", args=[hook]),
            "editor",
            body={"url": "https://hooks.example.org/moved", "events": ["issue.corrected"]},
            full=frozenset({"url"}),
        ),
        Operation("webhook delete", "delete", reverse("api:webhook-detail", args=[hook]), "editor"),
        Operation(
            "webhook deliveries",
            "get",
            reverse("api:webhook-deliveries", args=[hook]),
            "editor",
            query={"page": "1"},
        ),
        Operation(
            "candidates",
            "get",
            reverse("api:publication-candidates", args=[slug]),
            "contributor",
            query={"view": "new", "sort": "rank", **paging},
            full=frozenset({"view", "sort"}),
        ),
        Operation(
            "candidate", "get", reverse("api:candidate-detail", args=[candidate]), "contributor"
        ),
        Operation("claim", "post", reverse("api:candidate-claim", args=[candidate]), "contributor"),
        Operation(
            "release",
            "post",
            reverse("api:candidate-release", args=[claimed]),
            "contributor",
            body={"note": "No time this week."},
            full=frozenset({"note"}),
        ),
        Operation(
            "dismiss",
            "post",
            reverse("api:candidate-dismiss", args=[candidate]),
            "contributor",
            body={"reason": "A survey, not new work."},
            full=frozenset({"reason"}),
        ),
        Operation(
            "restore", "post", reverse("api:candidate-restore", args=[dismissed]), "contributor"
        ),
        Operation(
            "interest", "post", reverse("api:candidate-interest", args=[candidate]), "contributor"
        ),
        Operation(
            "interest withdraw",
            "delete",
            reverse("api:candidate-interest", args=[candidate]),
            "contributor",
        ),
        Operation(
            "write up",
            "post",
            reverse("api:candidate-write-up", args=[candidate]),
            "contributor",
            body={"summary": "Why this paper matters."},
            full=frozenset({"summary"}),
        ),
        Operation("watches", "get", reverse("api:publication-watches", args=[slug]), "editor"),
        Operation(
            "watch create",
            "post",
            reverse("api:publication-watches", args=[slug]),
            "editor",
            body={
                "name": "RL 强化学习",
                "categories": "cs.LG stat.ML",
                "query": "abs:reinforcement AND ti:learning",
                "active": True,
            },
            full=frozenset({"name", "categories", "query", "active"}),
        ),
        Operation("watch", "get", reverse("api:watch-detail", args=[watch]), "editor"),
        Operation(
            "watch patch",
            "patch",
            reverse("api:watch-detail", args=[watch]),
            "editor",
            body={"name": "Pretraining", "categories": "cs.CL", "query": "", "active": False},
            full=frozenset({"categories", "query"}),
        ),
        Operation("watch delete", "delete", reverse("api:watch-detail", args=[watch]), "editor"),
        Operation(
            "inbox settings",
            "get",
            reverse("api:publication-inbox-settings", args=[slug]),
            "editor",
        ),
        Operation(
            "inbox settings patch",
            "patch",
            reverse("api:publication-inbox-settings", args=[slug]),
            "editor",
            body={"claim_days": 5, "expire_days": 20, "keep_per_poll": 50},
            full=frozenset({"claim_days", "expire_days", "keep_per_poll"}),
        ),
    ]


OPERATION_NAMES = [
    "token", "token revoke", "me", "me patch", "publications", "issues of a publication",
    "issue create", "published issue", "publication statistics", "statistics", "issue",
    "issue patch", "assemble", "publish",
    "unschedule", "entries", "entry add", "entry reorder", "leads", "entry remove", "corrections",
    "correction", "papers", "paper", "refetch", "metadata", "topics", "recommendations",
    "recommend", "recommend news", "queue", "recommendation", "recommendation patch", "entry edit",
    "submit",
    "withdraw", "accept", "reviews", "review", "merge", "style", "style patch", "uploads",
    "upload", "upload delete", "topic create", "topic patch", "topic delete", "webhooks",
    "webhook create", "webhook", "webhook patch", "webhook delete", "webhook deliveries",
    "candidates", "candidate", "claim", "release", "dismiss", "restore", "interest",
    "interest withdraw", "write up", "watches", "watch create", "watch", "watch patch",
    "watch delete", "inbox settings", "inbox settings patch",
]  # fmt: skip


@pytest.mark.parametrize("name", OPERATION_NAMES)
def test_operation(world: World, name: str) -> None:
    (operation,) = [op for op in _operations(world) if op.name == name]
    failures = run_operation(world, operation)
    shown = "\n  ".join(failures[:40])
    assert not failures, f"{name}: {len(failures)} cases went wrong:\n  {shown}"


def test_every_operation_of_the_schema_is_tried(world: World) -> None:
    """The list above covers the schema: a new operation must be added to it."""
    schema = APIClient().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    documented = {
        (method, path)
        for path, item in json.loads(schema.content)["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    tried = {
        (operation.method, pattern)
        for operation in _operations(world)
        for _method, pattern in documented
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(pattern)), operation.url)
    }
    # The two lookups by name alone are tried in ``test_path_values``.
    by_name = {
        ("get", "/api/v1/publications/{slug}/"),
        ("get", "/api/v1/contributors/{username}/"),
    }
    assert documented - tried == by_name


def test_path_values(world: World) -> None:
    """Every name or number in an API path, hostile: a 404 in the error shape, never a 500."""
    client = _client(world, "editor")
    templates = {
        "contributor": reverse("api:contributor-detail", args=["SENTINEL"]),
        "publication": reverse("api:publication-detail", args=["SENTINEL"]),
        "issues": reverse("api:issue-list", args=["SENTINEL"]),
        "statistics": reverse("api:publication-statistics", args=["SENTINEL"]),
        "issue": "/api/v1/issues/SENTINEL/",
        "paper": "/api/v1/papers/SENTINEL/",
        "recommendation": "/api/v1/recommendations/SENTINEL/",
        "entry": f"/api/v1/issues/{world.draft_issue.pk}/entries/SENTINEL/",
        "number": f"/api/v1/publications/{world.publication.slug}/issues/SENTINEL/",
        "candidates": reverse("api:publication-candidates", args=["SENTINEL"]),
        "candidate": "/api/v1/candidates/SENTINEL/",
        "watch": "/api/v1/watches/SENTINEL/",
        "watches": reverse("api:publication-watches", args=["SENTINEL"]),
        "inbox settings": reverse("api:publication-inbox-settings", args=["SENTINEL"]),
    }
    numbers = ["0", "00001", "9" * 19, "9" * 40, "1" + "0" * 400, str(2**63), "-1"]
    failures = []
    logging.disable(logging.WARNING)
    try:
        for name, template in templates.items():
            values = [b.value for b in corpus.sample() if len(b.value) <= 2048] + numbers
            for value in values:
                TALLY.cases += 1
                segment = quote(value.encode("utf-8", "surrogatepass"), safe="")
                method = "delete" if name == "entry" else "get"
                response = client.generic(method, template.replace("SENTINEL", segment))
                if response.status_code >= 500:
                    failures.append(f"{name} {value[:40]!r}: {response.status_code}")
                elif response.status_code >= 400 and (problem := _error_shape(response)):
                    failures.append(f"{name} {value[:40]!r}: {problem}")
    finally:
        logging.disable(logging.NOTSET)
    assert not failures, failures
