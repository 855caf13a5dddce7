"""End to end: a member recommends a paper by one of the newer identifiers, through the form or
the API, and a worker fetches its metadata from a local stand-in of the source replaying the
real recordings; the source's faults give a readable error and keep what was stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from papers import services
from papers.enums import MetadataSource, MetadataStatus
from papers.faults import english_text
from papers.identifiers import parse_identifier
from papers.models import Paper, PossibleDuplicate
from tests.conftest import client_for
from tests.factories import PaperFactory
from tests.servers.enrichment import EnrichmentStandIn
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
        # Crossref alone: OpenAlex, asked first for a DOI, is switched off (tested below).
        settings.OPENALEX_API_URL = ""
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
    assert (paper.metadata_status, paper.metadata_source, paper.metadata_message) == (
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
    assert paper.metadata_message == "Crossref has no paper with the id 10.1000/missing."


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
    assert (paper.metadata_status, paper.metadata_message) == (
        MetadataStatus.PENDING,
        "Crossref could not be reached. Will try again.",
    )
    # The source's own words are kept for operators.
    assert error.removesuffix(" Will try again.") in english_text(paper.metadata_error)
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
    assert error in english_text(paper.metadata_error)
    assert paper.metadata_message == (
        "Refreshing failed: Crossref answered something unusable. "
        "The metadata shown is from the last fetch."
    )


@needs_recordings("crossref")
def test_crossref_requests_keep_the_shared_interval(
    crossref: ScholarlyStandIn, settings: Any, tmp_path: Path
) -> None:
    settings.CROSSREF_MIN_INTERVAL = 0.3
    # Without Redis the workers of one host share a lock file (the Redis limiter, which CI's
    # REDIS_URL would pick, is tested in tests/papers/test_ratelimit.py).
    settings.REDIS_URL = ""
    settings.VAR_DIR = tmp_path
    papers = [_doi_paper("10.7554/elife.01567"), _doi_paper("10.1145/3448016.3452841")]

    services.fetch_metadata([p.pk for p in papers])

    first, second = crossref.requests
    assert second.at - first.at >= 0.3
    assert list(tmp_path.glob("weekly-crossref.ratelimit"))


def test_crossref_switched_off_leaves_the_paper_waiting_with_the_reason(settings: Any) -> None:
    settings.CROSSREF_API_URL = ""
    settings.OPENALEX_API_URL = ""
    paper = _doi_paper("10.7554/elife.01567")

    outcome = services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert outcome.waiting == [paper.pk]
    assert (paper.metadata_status, paper.metadata_attempts) == (MetadataStatus.PENDING, 0)
    assert "CROSSREF_API_URL is empty" in english_text(paper.metadata_error)


# --------------------------------------------------------------- DOI: OpenAlex, then Crossref

ICCV = "work_10.1109-iccv.2007.4408927_proceedings-article__commonmeta-py.json"


@pytest.fixture
def doi_sources(settings: Any) -> Iterator[tuple[EnrichmentStandIn, ScholarlyStandIn]]:
    """OpenAlex and ROR replaying their recordings, and Crossref replaying its own: eLife's DOI
    is on both, ICCV 2007's on Crossref alone."""
    routes = {
        "/works/10.7554/elife.01567": Reply(body=recording("crossref", ELIFE)),
        "/works/10.1109/iccv.2007.4408927": Reply(body=recording("crossref", ICCV)),
    }
    with (
        EnrichmentStandIn().running() as openalex,
        ScholarlyStandIn(routes).running() as crossref,
    ):
        settings.OPENALEX_API_URL = openalex.openalex_url
        settings.ROR_API_URL = openalex.ror_url
        settings.CROSSREF_API_URL = crossref.url
        settings.OUTSIDE_API_TIMEOUT = 0.5
        yield openalex, crossref


@needs_recordings("openalex")
@needs_recordings("crossref")
def test_a_doi_recommended_by_form_gets_its_metadata_from_openalex_first(
    client: Client,
    contributor: Any,
    publication: Any,
    doi_sources: tuple[EnrichmentStandIn, ScholarlyStandIn],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    openalex, crossref = doi_sources
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        response = _recommend_by_form(client, "https://doi.org/10.7554/eLife.01567")

    assert response.status_code == 302, response.content
    paper = Paper.objects.get(doi="10.7554/elife.01567")
    assert (paper.metadata_status, paper.metadata_source, paper.metadata_error) == (
        MetadataStatus.OK,
        MetadataSource.OPENALEX,
        "",
    )
    assert paper.title.startswith("Automated quantitative histology")
    assert paper.abstract.startswith("Among various advantages, their small size makes model")
    assert (paper.year, paper.published_on.isoformat(), paper.journal_ref) == (
        2014,
        "2014-02-11",
        "eLife",
    )
    assert [a.author.name for a in paper.authorships.order_by("position")][:2] == [
        "Martial Sankar",
        "Kaisa Nieminen",
    ]
    # The institutions OpenAlex matched, each once, with their ROR ids after enrichment.
    assert sorted(paper.institutions.values_list("name", "ror_id")) == [
        ("SIB Swiss Institute of Bioinformatics", "002n09z45"),
        ("University of Lausanne", "019whta54"),
    ]
    assert crossref.requests == []
    assert openalex.count("openalex") == 2  # the metadata, then the enrichment's batch


@needs_recordings("openalex")
@needs_recordings("crossref")
def test_a_doi_openalex_does_not_hold_is_read_from_crossref(
    doi_sources: tuple[EnrichmentStandIn, ScholarlyStandIn],
) -> None:
    openalex, crossref = doi_sources
    paper = _doi_paper("10.1109/iccv.2007.4408927")

    outcome = services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert outcome.fetched == [paper.pk]
    assert paper.metadata_source == MetadataSource.CROSSREF
    assert paper.title
    assert [r.status for r in openalex.requests] == [404]
    assert [r.path for r in crossref.requests] == ["/works/10.1109/iccv.2007.4408927"]


@needs_recordings("openalex")
@needs_recordings("crossref")
def test_openalex_failing_in_a_passing_way_falls_back_to_crossref(
    doi_sources: tuple[EnrichmentStandIn, ScholarlyStandIn],
) -> None:
    openalex, crossref = doi_sources
    openalex.fail_first, openalex.fail_status = 1, 503
    paper = _doi_paper("10.7554/elife.01567")

    outcome = services.fetch_metadata([paper.pk], final_attempt=False)

    paper.refresh_from_db()
    assert outcome.fetched == [paper.pk]
    assert (paper.metadata_status, paper.metadata_source) == (
        MetadataStatus.OK,
        MetadataSource.CROSSREF,
    )
    assert len(crossref.requests) == 1


@needs_recordings("openalex")
@needs_recordings("crossref")
def test_openalex_failing_and_crossref_without_the_doi_retry_later(
    doi_sources: tuple[EnrichmentStandIn, ScholarlyStandIn],
) -> None:
    openalex, _crossref = doi_sources
    openalex.fail_first, openalex.fail_status, openalex.retry_after = 1, 429, "30"
    paper = _doi_paper("10.1000/only-on-openalex")

    outcome = services.fetch_metadata([paper.pk], final_attempt=False)

    paper.refresh_from_db()
    # Not "not found": OpenAlex, which may hold a DataCite DOI Crossref lacks, could not say.
    assert outcome.retry == [paper.pk]
    assert outcome.retry_after == 30.0
    assert paper.metadata_status == MetadataStatus.PENDING
    assert paper.metadata_message == "OpenAlex could not be reached. Will try again."


@needs_recordings("openalex")
@needs_recordings("crossref")
def test_a_doi_neither_holds_is_not_found_naming_both(
    doi_sources: tuple[EnrichmentStandIn, ScholarlyStandIn],
) -> None:
    paper = _doi_paper("10.1000/missing")

    outcome = services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert outcome.not_found == [paper.pk]
    assert paper.metadata_message == (
        "Neither OpenAlex nor Crossref has a paper with the DOI 10.1000/missing."
    )


@needs_recordings("openalex")
@needs_recordings("crossref")
def test_a_refresh_both_fail_keeps_the_stored_metadata(
    doi_sources: tuple[EnrichmentStandIn, ScholarlyStandIn],
) -> None:
    openalex, crossref = doi_sources
    paper = _doi_paper("10.7554/elife.01567")
    services.fetch_metadata([paper.pk])
    openalex.works["10.7554/elife.01567"] = {"id": "not a work"}
    crossref.faults.append(Reply(503, b"down"))

    services.fetch_metadata([paper.pk], refresh=True)

    paper.refresh_from_db()
    assert (paper.metadata_status, paper.metadata_source) == (
        MetadataStatus.OK,
        MetadataSource.OPENALEX,
    )
    assert paper.title.startswith("Automated quantitative histology")
    assert paper.metadata_message == (
        "Refreshing failed: Crossref could not be reached. The metadata shown is from the last "
        "fetch."
    )


@needs_recordings("openalex")
def test_openalex_answers_when_crossref_is_switched_off(
    doi_sources: tuple[EnrichmentStandIn, ScholarlyStandIn], settings: Any
) -> None:
    settings.CROSSREF_API_URL = ""
    paper = _doi_paper("10.7554/elife.01567")

    services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert (paper.metadata_status, paper.metadata_source) == (
        MetadataStatus.OK,
        MetadataSource.OPENALEX,
    )


# ---------------------------------------------------------------------------- ACL Anthology

NALOMA = "2022.naloma.xml__anthology-data-xml.xml"


@pytest.fixture
def anthology(settings: Any) -> Iterator[ScholarlyStandIn]:
    routes = {"/xml/2022.naloma.xml": Reply(body=recording("acl_anthology", NALOMA))}
    with ScholarlyStandIn(routes).running() as server:
        settings.ACL_ANTHOLOGY_DATA_URL = f"{server.url}/xml"
        settings.ACL_ANTHOLOGY_URL = "https://aclanthology.org"
        settings.OUTSIDE_API_TIMEOUT = 0.5
        yield server


@needs_recordings("acl_anthology")
def test_an_acl_anthology_link_recommended_by_form_gets_its_metadata_from_the_anthology(
    client: Client,
    contributor: Any,
    publication: Any,
    anthology: ScholarlyStandIn,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        response = _recommend_by_form(client, "https://aclanthology.org/2022.naloma-1.3/")

    assert response.status_code == 302, response.content
    paper = Paper.objects.get(acl_id="2022.naloma-1.3")
    assert (paper.metadata_status, paper.metadata_source, paper.metadata_message) == (
        MetadataStatus.OK,
        MetadataSource.ACL_ANTHOLOGY,
        "",
    )
    assert paper.title == "Learning Knowledge with Neural DTS"
    assert [a.author.name for a in paper.authorships.all()] == [
        "Daisuke Bekki",
        "Ribeka Tanaka",
        "Yuta Takahashi",
    ]
    assert paper.year == 2022
    assert paper.journal_ref.startswith("Proceedings of the 3rd Natural Logic Meets Machine")
    assert paper.pdf_url == "https://aclanthology.org/2022.naloma-1.3.pdf"
    assert (paper.identifier_display, paper.url) == (
        "ACL 2022.naloma-1.3",
        "https://aclanthology.org/2022.naloma-1.3/",
    )
    assert anthology.paths() == ["/xml/2022.naloma.xml"]


@needs_recordings("acl_anthology")
def test_acl_anthology_ids_recommended_through_the_api_share_one_read_of_their_collection(
    contributor: Any,
    publication: Any,
    anthology: ScholarlyStandIn,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = _recommend_by_api(contributor, "2022.naloma-1.1")
        second = _recommend_by_api(contributor, "acl:2022.naloma-1.5")
    assert (first.status_code, second.status_code) == (201, 201)
    papers = list(Paper.objects.filter(acl_id__isnull=False).order_by("pk"))

    services.fetch_metadata([p.pk for p in papers])

    assert [Paper.objects.get(pk=p.pk).title for p in papers] == [
        "Strings from neurons to language",
        "A Philosophically-Informed Contribution to the Generalization Problem of Neural Natural "
        "Language Inference: Shallow Heuristics, Bias, and the Varieties of Inference",
    ]
    assert anthology.paths() == ["/xml/2022.naloma.xml"]
    assert len(queued) == 2


def test_an_acl_anthology_id_finds_the_row_known_by_the_anthologys_doi(
    contributor: Any, publication: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    known = PaperFactory(arxiv_id=None, doi="10.18653/v1/p19-1001")
    with django_capture_on_commit_callbacks(execute=False):
        response = _recommend_by_api(contributor, "https://www.aclweb.org/anthology/P19-1001.pdf")

    assert response.status_code == 201, response.content
    assert Paper.objects.count() == 1
    known.refresh_from_db()
    assert known.acl_id == "P19-1001"
    # And the other way round: the DOI finds the row known by its Anthology id.
    other = PaperFactory(arxiv_id=None, doi=None, acl_id="2022.acl-long.7")
    assert _doi_paper("10.18653/v1/2022.acl-long.7") == other


@needs_recordings("acl_anthology")
def test_acl_anthology_unknown_collection_is_not_found(anthology: ScholarlyStandIn) -> None:
    paper = services.get_or_create_paper(parse_identifier("2031.nowhere-1.1"))[0]

    services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert paper.metadata_status == MetadataStatus.NOT_FOUND
    assert paper.metadata_message == "ACL Anthology has no paper with the id 2031.nowhere-1.1."


@needs_recordings("acl_anthology")
def test_acl_anthology_429_leaves_the_paper_pending_with_its_advice(
    anthology: ScholarlyStandIn,
) -> None:
    anthology.faults.append(Reply(429, b"", headers=(("Retry-After", "60"),)))
    paper = services.get_or_create_paper(parse_identifier("2022.naloma-1.3"))[0]

    outcome = services.fetch_metadata([paper.pk], final_attempt=False)

    paper.refresh_from_db()
    assert (outcome.retry, outcome.retry_after) == ([paper.pk], 60.0)
    assert paper.metadata_status == MetadataStatus.PENDING
    assert paper.metadata_message == "ACL Anthology could not be reached. Will try again."


def test_acl_anthology_switched_off_leaves_the_paper_waiting(settings: Any) -> None:
    settings.ACL_ANTHOLOGY_DATA_URL = ""
    paper = services.get_or_create_paper(parse_identifier("2022.naloma-1.3"))[0]

    outcome = services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert outcome.waiting == [paper.pk]
    assert "ACL_ANTHOLOGY_DATA_URL is empty" in english_text(paper.metadata_error)


# ------------------------------------------------------------------------------- OpenReview

OPENREVIEW_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openreview"


@pytest.fixture
def openreview(settings: Any) -> Iterator[ScholarlyStandIn]:
    note = (OPENREVIEW_FIXTURES / "notes_id-WeeklyDoc01_documented-shape.json").read_bytes()
    missing = (OPENREVIEW_FIXTURES / "notes_not-found_documented-shape.json").read_bytes()
    profiles = (
        OPENREVIEW_FIXTURES / "profiles_ids-WeeklyDoc01-authors_documented-shape.json"
    ).read_bytes()
    routes = {
        "/notes?id=WeeklyDoc01": Reply(body=note),
        "/notes?id=WeeklyNone1": Reply(404, missing),
        "/profiles": Reply(body=profiles),
    }
    with ScholarlyStandIn(routes).running() as server:
        settings.OPENREVIEW_API_URL = server.url
        settings.OUTSIDE_API_TIMEOUT = 0.5
        yield server


@pytest.mark.parametrize("by", ["form", "api"])
def test_an_openreview_forum_recommended_gets_its_metadata_from_openreview(
    client: Client,
    contributor: Any,
    publication: Any,
    openreview: ScholarlyStandIn,
    django_capture_on_commit_callbacks: Callable[..., Any],
    by: str,
) -> None:
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        if by == "form":
            response = _recommend_by_form(client, "https://openreview.net/forum?id=WeeklyDoc01")
        else:
            response = _recommend_by_api(contributor, "https://openreview.net/pdf?id=WeeklyDoc01")

    assert response.status_code in (201, 302), response.content
    paper = Paper.objects.get(openreview_id="WeeklyDoc01")
    assert (paper.metadata_status, paper.metadata_source, paper.metadata_message) == (
        MetadataStatus.OK,
        MetadataSource.OPENREVIEW,
        "",
    )
    assert paper.title == "Sparse Mixtures of Adapters for Multilingual Pretraining"
    assert paper.journal_ref == "ICLR 2024 poster"
    assert paper.year == 2024
    assert paper.code_url == "https://github.com/example/sparse-adapters"
    assert [a.author.name for a in paper.authorships.all()] == [
        "Li Wei",
        "Ana María Gómez",
        "Jonas Schmidt",
    ]
    assert (paper.identifier_display, paper.url) == (
        "OpenReview WeeklyDoc01",
        "https://openreview.net/forum?id=WeeklyDoc01",
    )
    # The affiliations from the authors' profiles: the current position's institution; a
    # hidden profile (Jonas Schmidt's) gives none.
    assert [a.affiliation for a in paper.authorships.all()] == [
        "Tsinghua University",
        "Universidad Politécnica de Madrid",
        "",
    ]
    assert sorted(paper.institutions.values_list("name", flat=True)) == [
        "Tsinghua University",
        "Universidad Politécnica de Madrid",
    ]
    assert [(seen.path, unquote(seen.query)) for seen in openreview.requests] == [
        ("/notes", "id=WeeklyDoc01"),
        ("/profiles", "ids=~Li_Wei1,~Ana_María_Gómez1,~Jonas_Schmidt2"),
    ]


def test_openreview_profiles_failing_keep_the_note_without_affiliations(
    openreview: ScholarlyStandIn,
) -> None:
    openreview.routes["/profiles"] = Reply(200, b"{not json")
    paper = services.get_or_create_paper(
        parse_identifier("https://openreview.net/forum?id=WeeklyDoc01")
    )[0]

    services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert (paper.metadata_status, paper.metadata_error) == (MetadataStatus.OK, "")
    assert paper.authorships.count() == 3
    assert not paper.institutions.exists()


def test_openreview_unknown_forum_is_not_found(openreview: ScholarlyStandIn) -> None:
    paper = services.get_or_create_paper(parse_identifier("openreview:WeeklyNone1"))[0]

    services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert paper.metadata_status == MetadataStatus.NOT_FOUND
    assert paper.metadata_message == "OpenReview has no paper with the id WeeklyNone1."


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (
            Reply(502, b"Bad gateway", "text/plain"),
            "OpenReview is temporarily unavailable (HTTP 502). Please try again later. "
            "Gave up after retrying.",
        ),
        (
            Reply(200, b'{"notes": [{"id": "WeeklyDoc01", "content": "x"}]}'),
            "OpenReview sent a note without content. Gave up after retrying.",
        ),
    ],
)
def test_openreview_faults_on_the_last_attempt_fail_with_the_reason(
    openreview: ScholarlyStandIn, fault: Reply, error: str
) -> None:
    openreview.faults.append(fault)
    paper = services.get_or_create_paper(parse_identifier("openreview:WeeklyDoc01"))[0]

    outcome = services.fetch_metadata([paper.pk], final_attempt=True)

    paper.refresh_from_db()
    assert outcome.failed == [paper.pk]
    assert paper.metadata_status == MetadataStatus.FAILED
    assert paper.metadata_message.startswith("OpenReview ")
    assert paper.metadata_message.endswith(". Gave up after retrying.")
    assert error.removesuffix(" Gave up after retrying.") in english_text(paper.metadata_error)


def test_openreview_switched_off_leaves_the_paper_waiting(settings: Any) -> None:
    settings.OPENREVIEW_API_URL = ""
    paper = services.get_or_create_paper(parse_identifier("openreview:WeeklyDoc01"))[0]

    outcome = services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert outcome.waiting == [paper.pk]
    assert "OPENREVIEW_API_URL is empty" in english_text(paper.metadata_error)


# ------------------------------------------------------------------------- Semantic Scholar

NATURE_S2 = "354dcdebf3f8b5feeed5c62090e0bc1f0c28db06"
S2_NATURE = "paper_DOI_10.1038-s42256-024-00832-8__paper-qa.json"


@pytest.fixture
def semantic_scholar(settings: Any) -> Iterator[ScholarlyStandIn]:
    routes = {f"/graph/v1/paper/{NATURE_S2}": Reply(body=recording("semanticscholar", S2_NATURE))}
    with ScholarlyStandIn(routes).running() as server:
        settings.SEMANTIC_SCHOLAR_API_URL = f"{server.url}/graph/v1"
        settings.OUTSIDE_API_TIMEOUT = 0.5
        yield server


@needs_recordings("semanticscholar")
@pytest.mark.parametrize("by", ["form", "api"])
def test_a_semantic_scholar_link_recommended_becomes_the_paper_of_its_arxiv_id(
    client: Client,
    contributor: Any,
    publication: Any,
    semantic_scholar: ScholarlyStandIn,
    django_capture_on_commit_callbacks: Callable[..., Any],
    by: str,
) -> None:
    link = (
        "https://www.semanticscholar.org/paper/Augmenting-large-language-models-with-chemistry-"
        f"Bran-Cox/{NATURE_S2}"
    )
    client.force_login(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        if by == "form":
            response = _recommend_by_form(client, link)
        else:
            response = _recommend_by_api(
                contributor, f"https://www.semanticscholar.org/paper/{NATURE_S2}"
            )

    assert response.status_code in (201, 302), response.content
    paper = Paper.objects.get(s2_id=NATURE_S2)
    assert (paper.metadata_status, paper.metadata_source, paper.metadata_message) == (
        MetadataStatus.OK,
        MetadataSource.SEMANTIC_SCHOLAR,
        "",
    )
    assert paper.title == "Augmenting large language models with chemistry tools"
    # Known by the arXiv id Semantic Scholar maps it to, and by its journal DOI.
    assert (paper.arxiv_id, paper.doi) == ("2304.05376", "10.1038/s42256-024-00832-8")
    assert (paper.identifier_display, paper.url) == (
        "arXiv:2304.05376",
        "https://arxiv.org/abs/2304.05376",
    )
    [seen] = semantic_scholar.requests
    assert seen.path == f"/graph/v1/paper/{NATURE_S2}"
    # A later recommendation by the arXiv id or the DOI finds this row.
    assert services.get_or_create_paper(parse_identifier("2304.05376")) == (paper, False)
    assert _doi_paper("https://doi.org/10.1038/s42256-024-00832-8") == paper


@needs_recordings("semanticscholar")
def test_a_semantic_scholar_link_to_a_paper_already_known_records_the_duplicate(
    semantic_scholar: ScholarlyStandIn,
) -> None:
    known = PaperFactory(arxiv_id="2304.05376", doi=None)
    paper = services.get_or_create_paper(parse_identifier(f"s2:{NATURE_S2}"))[0]

    services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    # The arXiv row keeps its id; the editor is shown the two rows to merge into one.
    assert (paper.arxiv_id, paper.doi) == (None, "10.1038/s42256-024-00832-8")
    found = PossibleDuplicate.objects.get()
    assert (found.paper, found.duplicate, found.identifier, found.source) == (
        paper,
        known,
        "arXiv:2304.05376",
        MetadataSource.SEMANTIC_SCHOLAR,
    )


@needs_recordings("semanticscholar")
def test_semantic_scholar_429_keeps_the_paper_pending_and_a_refresh_keeps_its_metadata(
    semantic_scholar: ScholarlyStandIn,
) -> None:
    paper = services.get_or_create_paper(parse_identifier(f"s2:{NATURE_S2}"))[0]
    semantic_scholar.faults.append(Reply(429, b'{"message": "Too Many Requests"}'))

    outcome = services.fetch_metadata([paper.pk], final_attempt=False)

    paper.refresh_from_db()
    assert (outcome.retry, paper.metadata_status) == ([paper.pk], MetadataStatus.PENDING)
    assert paper.metadata_message == "Semantic Scholar could not be reached. Will try again."
    assert "Semantic Scholar is temporarily unavailable (HTTP 429)" in english_text(
        paper.metadata_error
    )


def test_semantic_scholar_switched_off_leaves_the_paper_waiting(settings: Any) -> None:
    settings.SEMANTIC_SCHOLAR_API_URL = ""
    paper = services.get_or_create_paper(parse_identifier(f"s2:{NATURE_S2}"))[0]

    outcome = services.fetch_metadata([paper.pk])

    paper.refresh_from_db()
    assert outcome.waiting == [paper.pk]
    assert "SEMANTIC_SCHOLAR_API_URL is empty" in english_text(paper.metadata_error)
