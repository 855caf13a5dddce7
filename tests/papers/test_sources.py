"""End to end: a member recommends a paper by one of the newer identifiers, through the form or
the API, and a worker fetches its metadata from a local stand-in of the source replaying the
real recordings; the source's faults give a readable error and keep what was stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from papers import services
from papers.enums import MetadataSource, MetadataStatus
from papers.identifiers import parse_identifier
from papers.models import Paper, PossibleDuplicate
from tests.conftest import client_for
from tests.factories import PaperFactory
from tests.servers.scholarly import Reply, ScholarlyStandIn, needs_recordings, recording

pytestmark = pytest.mark.django_db

ELIFE = "work_10.7554-elife.01567_journal-article_with-affiliations__commonmeta-py.json"
SIGMOD = "work_10.1145-3448016.3452841_proceedings-article__commonmeta-py.json"


@pytest.fixture
def crossref(settings: Any) -> Iterator[ScholarlyStandIn]:
    routes = {
        "/works/10.7554/elife.01567": Reply(body=recording("crossref", ELIFE)),
        "/works/10.1145/3448016.3452841": Reply(body=recording("crossref", SIGMOD)),
    }
    with ScholarlyStandIn(routes).running() as server:
        settings.CROSSREF_API_URL = server.url
        settings.CROSSREF_MAILTO = "editors@example.org"
        settings.OUTSIDE_API_TIMEOUT = 0.5
        yield server


def _recommend_by_form(client: Client, identifier: str) -> Any:
    return client.post(
        reverse("recommendations:paper-create"),
        {
            "publication": "pretraining-weekly",
            "identifier": identifier,
            "summary": "Worth reading.",
            "action": "submit",
        },
    )


def _recommend_by_api(user: Any, identifier: str) -> Any:
    return client_for(user).post(
        "/api/v1/recommendations/",
        {"publication": "pretraining-weekly", "identifier": identifier, "summary": "Worth it."},
        format="json",
    )


def _doi_paper(text: str) -> Paper:
    return services.get_or_create_paper(parse_identifier(text))[0]


# ---------------------------------------------------------------------------------------- DOI


@needs_recordings("crossref")
def test_a_doi_recommended_by_form_gets_its_metadata_from_crossref(
    client: Client,
    contributor: Any,
    publication: Any,
    crossref: ScholarlyStandIn,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        response = _recommend_by_form(client, "https://doi.org/10.7554/eLife.01567")

    assert response.status_code == 302, response.content
    paper = Paper.objects.get(doi="10.7554/elife.01567")
    assert (paper.metadata_status, paper.metadata_source, paper.metadata_error) == (
        MetadataStatus.OK,
        MetadataSource.CROSSREF,
        "",
    )
    assert paper.title.startswith("Automated quantitative histology")
    assert paper.journal_ref == "eLife"
    assert paper.year == 2014
    assert paper.pdf_url == "https://cdn.elifesciences.org/articles/01567/elife-01567-v1.pdf"
    assert paper.identifier_display == "doi:10.7554/elife.01567"
    assert paper.authorships.first().affiliation == (
        "Department of Plant Molecular Biology, University of Lausanne, Lausanne, Switzerland"
    )
    assert paper.institutions.count() == 2
    [seen] = crossref.requests
    assert (seen.path, seen.query) == ("/works/10.7554/elife.01567", "mailto=editors%40example.org")


@needs_recordings("crossref")
def test_a_doi_recommended_through_the_api_gets_its_metadata_from_crossref(
    contributor: Any,
    publication: Any,
    crossref: ScholarlyStandIn,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _recommend_by_api(contributor, "doi:10.1145/3448016.3452841")

    assert response.status_code == 201, response.content
    paper = Paper.objects.get(doi="10.1145/3448016.3452841")
    assert paper.metadata_source == MetadataSource.CROSSREF
    assert paper.title.startswith("Vector Quotient Filters")
    assert [a.author.name for a in paper.authorships.all()][:2] == [
        "Prashant Pandey",
        "Alex Conway",
    ]


def test_a_doi_already_known_from_arxiv_is_the_same_paper(
    contributor: Any, publication: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    arxiv_paper = PaperFactory(arxiv_id="2109.08133", doi="10.1145/3292500.3330701")
    with django_capture_on_commit_callbacks(execute=False):
        response = _recommend_by_api(contributor, "https://doi.org/10.1145/3292500.3330701")

    assert response.status_code == 201, response.content
    assert Paper.objects.count() == 1
    assert response.json()["paper"]["id"] == arxiv_paper.pk


@needs_recordings("crossref")
def test_crossref_naming_the_arxiv_preprint_links_the_two_rows(crossref: ScholarlyStandIn) -> None:
    preprint = PaperFactory(arxiv_id="2109.08133", doi=None)
    body = recording("crossref", ELIFE).replace(
        b'"relation":{',
        b'"relation":{"has-preprint":[{"id-type":"doi","id":"10.48550/arXiv.2109.08133",'
        b'"asserted-by":"subject"}],',
    )
    assert body != recording("crossref", ELIFE)
    crossref.routes["/works/10.7554/elife.01567"] = Reply(body=body)
    paper = _doi_paper("10.7554/elife.01567")

    services.fetch_metadata([paper.pk])

    # The arXiv row holds the id: the two rows are recorded for an editor to merge.
    found = PossibleDuplicate.objects.get()
    assert (found.paper, found.duplicate, found.identifier, found.source) == (
        paper,
        preprint,
        "arXiv:2109.08133",
        MetadataSource.CROSSREF,
    )


@needs_recordings("crossref")
def test_crossref_404_is_not_found_with_reason(crossref: ScholarlyStandIn) -> None:
    paper = _doi_paper("10.1000/missing")

    outcome = services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert outcome.not_found == [paper.pk]
    assert paper.metadata_status == MetadataStatus.NOT_FOUND
    assert paper.metadata_error == "Crossref has no paper 10.1000/missing."


@needs_recordings("crossref")
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (
            Reply(429, b"slow down", headers=(("Retry-After", "42"),)),
            "Crossref is temporarily unavailable (HTTP 429). Please try again later. "
            "Will try again.",
        ),
        (
            Reply(503, b"<html>down</html>", "text/html"),
            "Crossref is temporarily unavailable (HTTP 503). Please try again later. "
            "Will try again.",
        ),
        (
            Reply(200, b"", delay=1.5),
            "Crossref could not be reached. Please try again later. Will try again.",
        ),
    ],
)
def test_crossref_passing_faults_leave_the_paper_pending_to_retry(
    crossref: ScholarlyStandIn, fault: Reply, error: str
) -> None:
    crossref.faults.append(fault)
    paper = _doi_paper("10.7554/elife.01567")

    outcome = services.fetch_metadata([paper.pk], final_attempt=False)

    paper.refresh_from_db()
    assert outcome.retry == [paper.pk]
    assert (paper.metadata_status, paper.metadata_error) == (MetadataStatus.PENDING, error)
    if fault.status == 429:
        assert outcome.retry_after == 42.0


@needs_recordings("crossref")
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (
            Reply(200, b"x" * 100, headers=(("Content-Length", "900000000"),)),
            "Crossref sent a response larger than the 5000000 bytes we accept.",
        ),
        (Reply(200, b"{not json"), "Crossref sent a response that is not valid JSON."),
        (Reply(200, b'{"status": "ok", "message": {"title": []}}'), "without a title"),
    ],
)
def test_crossref_unusable_answer_on_a_refresh_keeps_the_stored_metadata(
    crossref: ScholarlyStandIn, fault: Reply, error: str
) -> None:
    paper = _doi_paper("10.7554/elife.01567")
    services.fetch_metadata([paper.pk])
    crossref.faults.append(fault)

    services.fetch_metadata([paper.pk], refresh=True)

    paper.refresh_from_db()
    assert paper.metadata_status == MetadataStatus.OK
    assert paper.title.startswith("Automated quantitative histology")
    assert paper.authorships.count() == 5
    assert error in paper.metadata_error
    assert paper.metadata_error.startswith("Refreshing failed:")


def test_crossref_switched_off_leaves_the_paper_waiting_with_the_reason(settings: Any) -> None:
    settings.CROSSREF_API_URL = ""
    paper = _doi_paper("10.7554/elife.01567")

    outcome = services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert outcome.waiting == [paper.pk]
    assert (paper.metadata_status, paper.metadata_attempts) == (MetadataStatus.PENDING, 0)
    assert "CROSSREF_API_URL is empty" in paper.metadata_error
