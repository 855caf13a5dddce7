"""The API keeps its contract: schemathesis against a live server, anonymous and signed in.

The test starts the live server (a thread of this process, on the test database), seeds the
demo publication through the services plus the states it lacks, and runs the schemathesis CLI
against /api/v1/schema/ five times:

* anonymous, every operation;
* with the editor's token, then with a contributor's, every operation but the token's
  revocation (which would sign the rest of the run out);
* the revocation, with each of the two tokens.

Every answer is checked: no server error, and a status code, content type, headers and body
the schema documents for the operation. Path parameters, filters and the identifiers in bodies
are drawn part of the time from the seeded objects (schemathesis dictionaries, and the hooks in
``schemathesis_hooks.py`` for the coverage phase), so the calls reach the objects and their
state checks, not only the 404s. The runs change the data as they go (they publish, withdraw,
accept...), which is fine: whatever state an object is in, no answer may leave the contract.

The number of cases each run generated is written to the terminal, with ``-s`` or without.
``CONTRACT_MAX_EXAMPLES`` and ``CONTRACT_SEED`` change the effort and the draw.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test.testcases import QuietWSGIRequestHandler
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from contributors.services import get_api_token
from demo.content import DEMO_PASSWORD
from inbox import services as inbox_services
from inbox.models import Candidate, Watch
from issues.enums import IssueStatus
from issues.models import Issue, IssueEntry
from issues.services import correct_issue, create_issue, schedule_issue, schedule_recommendation
from papers.models import Paper
from publications.enums import TeamRole
from publications.models import Publication, Topic
from recommendations.enums import RecommendationKind, RecommendationStatus, Verdict
from recommendations.models import Recommendation
from recommendations.services import (
    accept_recommendation,
    create_recommendation,
    review_recommendation,
    withdraw_recommendation,
)
from tests.factories import MembershipFactory, PaperFactory, PublicationFactory, UserFactory

pytestmark = pytest.mark.postgres

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
ROOT = Path(__file__).resolve().parents[2]
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
#: Fuzzed cases per operation and run, besides the coverage phase's boundary cases.
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "20"))
SEED = int(os.environ.get("CONTRACT_SEED", "20260601"))
REVOKE = "auth_token_destroy"
#: What the HTTP client itself refuses to put in a header value: a CR or LF would end the header
#: line, so requests (and http.client under it) raise before sending, and schemathesis would report
#: an error for a request that never left. Every other character, NUL and the other controls
#: included, reaches the test server and Django as sent, and must be answered within the contract
#: (a token or session cookie holding one is refused without a query: ``common.api.authentication``
#: and ``common.sessions``).
HEADER_REFUSED = "\r\n"
#: No run reaches these rates; the throttles themselves are tested elsewhere.
UNTHROTTLED = {"anon": None, "user": None, "submissions": None, "login": None}


# --- the data -------------------------------------------------------------------------------------


@dataclass
class Seeded:
    tokens: dict[str, str]
    #: Kind of object → the values that name the seeded ones (ids, slugs, user names).
    ids: dict[str, list[Any]]


def _seed() -> Seeded:
    """The demo publication (two published issues, a review queue, a draft issue with an
    entry), and what it lacks: a draft recommendation of a paper whose metadata failed, the
    rejected, withdrawn and accepted states, a news item, a scheduled issue, an erratum, a
    second publication with a team and a submission of its own, and the inbox: a watch and
    candidates new, claimed and dismissed."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 (closed at exit)
    publication = Publication.objects.get(slug="pretraining-weekly")
    users = {user.username: user for user in get_user_model().objects.all()}
    editor, reviewer, contributor = users["editor"], users["reviewer"], users["contributor"]
    language = Topic.objects.get(slug="language-models")

    # No source knows this paper (the fetch meets a closed port): its metadata failed, so its
    # recommender may enter it by hand.
    create_recommendation(
        by=contributor,
        publication=publication,
        identifier="2405.00001",
        summary="A draft about a paper whose metadata could not be fetched.",
        draft=True,
    )
    for fate in ("rejected", "withdrawn", "accepted", "scheduled"):
        paper = PaperFactory(authors=["Ada Lovelace", "Alan Turing"], institutions=["Analytical"])
        recommendation = create_recommendation(
            by=contributor,
            publication=publication,
            identifier=paper.arxiv_id,
            topic=language,
            summary=f"A recommendation that ends {fate}.",
            code_url="https://github.com/example/code",
        )
        if fate == "rejected":
            review_recommendation(
                recommendation, by=reviewer, verdict=Verdict.REJECT, comment="Out of scope."
            )
        elif fate == "withdrawn":
            withdraw_recommendation(recommendation, by=contributor, note="Too early.")
        else:
            accept_recommendation(recommendation, by=editor)
    create_recommendation(
        by=contributor,
        publication=publication,
        kind=RecommendationKind.NEWS,
        news_title="A shared task opens",
        news_url="https://example.org/shared-task",
        summary="A news item waiting for review.",
    )

    scheduled = create_issue(publication, by=editor, title="Next week")
    schedule_recommendation(
        Recommendation.objects.filter(status=RecommendationStatus.ACCEPTED).latest("pk"),
        issue=scheduled,
        by=editor,
    )
    schedule_issue(scheduled, by=editor, publish_at=timezone.now() + dt.timedelta(days=7))
    first = Issue.objects.get(publication=publication, number=1)
    entry = first.entries.order_by("position").first()
    correct_issue(
        first,
        by=editor,
        note="The summary of the first entry named the wrong lab.",
        entries={entry.pk: {"shown_summary": entry.shown_summary + " (corrected)"}},
    )

    other = PublicationFactory(slug="rl-weekly", name="RL Weekly", name_zh="强化学习周刊")
    MembershipFactory(
        publication=other, user=UserFactory(username="rl-editor"), role=TeamRole.EDITOR
    )
    create_recommendation(
        by=users["wang"],
        publication=other,
        identifier=Paper.objects.filter(metadata_status="ok").earliest("pk").arxiv_id,
        summary="Submitted to another publication.",
    )

    # The inbox: the editor's watch, and candidates new, claimed (by wang) and dismissed.
    watch = inbox_services.save_watch(
        publication, by=editor, name="Pretraining", categories="cs.CL", query="abs:pretrain*"
    )
    found_papers = [PaperFactory(authors=["Ada Lovelace"]) for _ in range(4)]
    found = inbox_services.add_candidates(
        publication,
        [(paper, timezone.now()) for paper in found_papers],
        watch=watch,
        scores={paper.pk: 0.2 * n for n, paper in enumerate(found_papers)},
    )
    inbox_services.claim_candidate(found[1], by=users["wang"])
    inbox_services.dismiss_candidate(found[2], by=users["wang"], reason="Off topic.")

    return Seeded(
        tokens={name: get_api_token(users[name]).key for name in ("editor", "contributor")},
        ids={
            "issue": list(Issue.objects.values_list("pk", flat=True)),
            "published_number": list(
                Issue.objects.filter(status=IssueStatus.PUBLISHED).values_list("number", flat=True)
            ),
            "entry": list(IssueEntry.objects.values_list("pk", flat=True)),
            "paper": list(Paper.objects.values_list("pk", flat=True)),
            "arxiv": list(Paper.objects.exclude(arxiv_id=None).values_list("arxiv_id", flat=True)),
            "recommendation": list(Recommendation.objects.values_list("pk", flat=True)),
            "publication": list(Publication.objects.values_list("slug", flat=True)),
            "topic": list(Topic.objects.values_list("slug", flat=True)),
            "username": list(get_user_model().objects.values_list("username", flat=True)),
            "candidate": list(Candidate.objects.values_list("pk", flat=True)),
            "watch": list(Watch.objects.values_list("pk", flat=True)),
        },
    )


# --- the configuration ----------------------------------------------------------------------------


def _toml(value: Any) -> str:
    """``value`` as TOML (the few types the configuration uses)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = (c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}" for c in value)
        return '"' + "".join(escaped) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def _binding(dictionary: str, probability: float = 0.6) -> dict[str, Any]:
    """Draw the parameter from ``dictionary`` that often; generate it otherwise."""
    return {"dictionary": dictionary, "probability": probability}


def _config(seeded: Seeded, path: Path) -> Path:
    """schemathesis.toml: the effort, and the seeded objects as dictionaries for the draws."""
    lines = [
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        'database = "none"',
        f"exclude-header-characters = {_toml(HEADER_REFUSED)}",
        "[cache]",
        "enabled = false",
        "[dictionaries]",
        *(f"{kind} = {{ values = {_toml(values)} }}" for kind, values in seeded.ids.items()),
        f"password = {{ values = {_toml([DEMO_PASSWORD])} }}",
        "[parameters]",
    ]
    everywhere = {
        "query.publication": _binding("publication", 0.5),
        "query.topic": _binding("topic", 0.5),
        "query.submitter": _binding("username", 0.5),
        "body.publication": _binding("publication"),
        "body.topic": _binding("topic", 0.5),
        "body.identifier": _binding("arxiv", 0.5),
        "body.recommendation": _binding("recommendation"),
    }
    lines += [f"{_toml(key)} = {_toml(value)}" for key, value in everywhere.items()]
    by_path = {
        "^/api/v1/issues/": {"path.id": _binding("issue"), "path.entry_id": _binding("entry")},
        "^/api/v1/papers/": {"path.id": _binding("paper")},
        "^/api/v1/recommendations/": {"path.id": _binding("recommendation")},
        "^/api/v1/publications/": {
            "path.slug": _binding("publication"),
            "path.number": _binding("published_number"),
        },
        "^/api/v1/contributors/": {"path.username": _binding("username")},
        "^/api/v1/candidates/": {"path.id": _binding("candidate")},
        "^/api/v1/watches/": {"path.id": _binding("watch")},
        "^/api/v1/auth/token/": {
            "body.username": _binding("username"),
            "body.password": _binding("password", 0.5),
        },
    }
    for regex, parameters in by_path.items():
        lines += [
            "[[operations]]",
            f"include-path-regex = {_toml(regex)}",
            f"parameters = {_toml(parameters)}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the runs -------------------------------------------------------------------------------------


@dataclass
class Target:
    schema_url: str
    workdir: Path
    config: Path
    ids: dict[str, list[Any]]


@dataclass
class Run:
    name: str
    report: dict[str, Any]
    output: str
    seconds: float

    @property
    def generated(self) -> int:
        return self.report["test_cases"]["generated"]

    @property
    def selected(self) -> int:
        return (self.report["operations"] or {}).get("selected", 0)

    @property
    def passed(self) -> bool:
        report = self.report
        operations = report["operations"] or {}
        return bool(
            report["complete"]
            and report["exit_code"] == 0
            and not report["errors"]
            and not report["failures"]
            and operations.get("selected")
            and operations.get("tested") == operations.get("selected")
        )

    @property
    def line(self) -> str:
        operations = self.report["operations"] or {}
        return (
            f"schemathesis {self.name}: {self.generated} cases generated, "
            f"{operations.get('tested')} of {operations.get('selected')} operations tested, "
            f"{self.report['test_cases']['with_failures']} with failures, {self.seconds:.0f} s"
        )


def _run(
    name: str,
    target: Target,
    *,
    token: str | None = None,
    only: str | None = None,
    exclude: str | None = None,
) -> Run:
    report = target.workdir / f"{name}.json"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(target.config),
        "run",
        target.schema_url,
        "--checks",
        ",".join(CHECKS),
        "--seed",
        str(SEED),
        # One worker: hypothesis describes strategies with Python's ast module, whose recursion
        # guard is not thread-safe in Python 3.11 ("AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--continue-on-failure",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-dir",
        str(target.workdir),
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    if token is not None:
        command += ["--header", f"Authorization: Token {token}"]
    if only is not None:
        command += ["--include-operation-id", only]
    if exclude is not None:
        command += ["--exclude-operation-id", exclude]
    environment = {
        **os.environ,
        "NO_COLOR": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
        "CONTRACT_IDS": json.dumps(target.ids),
        "CONTRACT_SEED": str(SEED),
    }
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 (our own command line)
        command,
        cwd=target.workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    seconds = time.monotonic() - started
    output = f"--- schemathesis {name} (exit {done.returncode})\n{done.stdout}{done.stderr}"
    if not report.exists():
        pytest.fail(f"schemathesis {name} wrote no report:\n{output}")
    return Run(name, json.loads(report.read_text(encoding="utf-8")), output, seconds)


def _operation_ids(schema_url: str) -> list[str]:
    with urllib.request.urlopen(schema_url + "?format=json") as answer:  # noqa: S310 (ours)
        schema = json.load(answer)
    return [
        operation["operationId"]
        for methods in schema["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]


# --- the test -------------------------------------------------------------------------------------


def test_every_answer_keeps_to_the_schema(
    live_server: Any,
    transactional_db: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    record_property: Any,
) -> None:
    # DRF read the rates into the throttle class at import; the server thread shares it.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", UNTHROTTLED)
    # The live server writes an answer's headers and body apart: with Nagle's algorithm each
    # answer would wait for the client's delayed ACK (40 ms), and the runs would take minutes.
    monkeypatch.setattr(QuietWSGIRequestHandler, "disable_nagle_algorithm", True)
    # Thousands of refusals are the point of the runs; server errors are still logged.
    monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.ERROR)

    seeded = _seed()
    schema_url = f"{live_server.url}/api/v1/schema/"
    target = Target(
        schema_url, tmp_path, _config(seeded, tmp_path / "schemathesis.toml"), seeded.ids
    )
    editor, contributor = seeded.tokens["editor"], seeded.tokens["contributor"]
    runs = [
        _run("anonymous", target),
        _run("editor", target, token=editor, exclude=REVOKE),
        _run("contributor", target, token=contributor, exclude=REVOKE),
        _run("editor revoking its token", target, token=editor, only=REVOKE),
        _run("contributor revoking its token", target, token=contributor, only=REVOKE),
    ]

    # Shown in the terminal without -s too, so CI's log has the figures.
    with capsys.disabled():
        print()
        for run in runs:
            print(run.line)
            record_property(f"schemathesis {run.name}: cases", run.generated)

    broken = [run for run in runs if not run.passed]
    assert not broken, "\n\n".join(run.output for run in broken)
    every = len(_operation_ids(schema_url))
    assert [run.selected for run in runs] == [every, every - 1, every - 1, 1, 1]
