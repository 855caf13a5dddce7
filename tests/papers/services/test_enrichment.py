"""Tests for papers.services.enrichment: affiliations from OpenAlex, names from ROR.

OpenAlex and ROR are a local stand-in replaying the recorded answers (tests/servers/
enrichment.py), or an ``httpx.MockTransport`` for the faults. No test reaches the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from django.utils import timezone

from papers.clients.openalex import OpenAlexClient
from papers.clients.ror import RorClient
from papers.enums import AffiliationSource
from papers.models import Authorship, Institution, Paper, PaperInstitution
from papers.selectors import institution_names
from papers.services import enrichment
from papers.services.enrichment import (
    KEPT_BY_HAND,
    NO_AFFILIATIONS,
    NOT_IN_OPENALEX,
    enrich_papers,
    read_ror_records,
)
from papers.services.institutions import institutions_for_names
from tests.factories import InstitutionFactory, PaperFactory
from tests.servers.enrichment import SHARED, EnrichmentStandIn, needs_recordings

pytestmark = [pytest.mark.django_db, needs_recordings]

CHEMISTRY = "works_filter_title.search_Augmenting-LLM-chemistry-tools_journal+arxiv__paper-qa.json"
CHINESE_ARXIV_ID = "2401.00001"  # the documented-shape work
AUTHORS = ["Wei Zhang", "Na Li", "Jie Tang"]


@pytest.fixture
def stand_in(settings: Any) -> Iterator[EnrichmentStandIn]:
    with EnrichmentStandIn().running() as server:
        settings.OPENALEX_API_URL = server.openalex_url
        settings.ROR_API_URL = server.ror_url
        yield server


def chinese_paper(**kwargs: Any) -> Paper:
    return PaperFactory(arxiv_id=CHINESE_ARXIV_ID, authors=AUTHORS, **kwargs)


def affiliations(paper: Paper) -> list[str]:
    return list(paper.authorships.order_by("position").values_list("affiliation", flat=True))


# ================================================================ storing what OpenAlex gives


def test_enrich_papers_stores_institutions_affiliations_venue_and_state(
    stand_in: EnrichmentStandIn,
) -> None:
    paper = chinese_paper(institutions=["Old Institute"])

    outcome = enrich_papers([paper.pk], queue_ror=False)

    assert (outcome.enriched, outcome.requests, outcome.institutions_created) == ([paper.pk], 1, 3)
    paper.refresh_from_db()
    assert institution_names(paper) == ["Tsinghua University", "Peking University", "Zhipu AI"]
    assert list(
        paper.institutions.order_by("paper_institutions__position").values_list(
            "ror_id", "country_code", "kind"
        )
    ) == [
        ("03cve4549", "CN", "education"),
        ("02v51f717", "CN", "education"),
        (None, "CN", "company"),
    ]
    assert affiliations(paper) == [
        "Department of Computer Science and Technology, Tsinghua University, Beijing, China",
        "Peking University; Tsinghua University",
        "Zhipu AI, Beijing",
    ]
    assert paper.openalex_id == "W4390000001"
    assert paper.venue_type == "conference"
    assert paper.venue.startswith("Proceedings of the 62nd Annual Meeting")
    assert paper.published_doi == "10.18653/v1/2024.acl-long.1"
    assert paper.affiliations_source == AffiliationSource.OPENALEX
    assert paper.affiliations_error == ""
    assert paper.affiliations_fetched_at == paper.affiliations_checked_at is not None
    assert set(outcome.awaiting_ror) == set(
        Institution.objects.filter(ror_id__isnull=False).values_list("pk", flat=True)
    )


def test_enrich_papers_then_reads_ror_records(
    stand_in: EnrichmentStandIn, django_capture_on_commit_callbacks: Any
) -> None:
    paper = chinese_paper()

    with django_capture_on_commit_callbacks(execute=True) as queued:
        enrich_papers([paper.pk])  # the ROR task runs in-process in the tests

    assert len(queued) == 1

    tsinghua = Institution.objects.get(ror_id="03cve4549")
    assert tsinghua.name == "Tsinghua University"
    assert tsinghua.name_zh == "清华大学"
    assert {"value": "清华大学", "lang": "zh", "types": ["label"]} in tsinghua.names
    assert tsinghua.ror_fetched_at is not None
    # ROR has no record of Peking University in the stand-in: read once, nothing filled.
    peking = Institution.objects.get(ror_id="02v51f717")
    assert (peking.names, peking.name_zh, peking.ror_fetched_at is not None) == ([], "", True)
    assert stand_in.count("ror") == 2
    assert Institution.objects.get(name="Zhipu AI").ror_fetched_at is None  # no ROR id


def test_enrich_papers_stores_each_ror_id_once(stand_in: EnrichmentStandIn) -> None:
    first = chinese_paper()
    second = PaperFactory(arxiv_id=None, doi="10.1016/j.xgen.2025.100814", authors=["Someone Else"])
    enrich_papers([first.pk, second.pk], queue_ror=False)
    count = Institution.objects.count()

    again = enrich_papers([first.pk, second.pk], queue_ror=False)

    assert again.institutions_created == 0
    assert Institution.objects.count() == count
    assert Institution.objects.filter(ror_id="03cve4549").count() == 1
    assert stand_in.count("openalex") == 2  # one request for both papers, each time
    second.refresh_from_db()
    assert second.paper_institutions.count() > 0


def test_enrich_papers_takes_over_the_row_of_a_raw_name(stand_in: EnrichmentStandIn) -> None:
    raw = InstitutionFactory(name="TSINGHUA  University.")
    company = InstitutionFactory(name="zhipu-ai")
    paper = chinese_paper(institutions=["TSINGHUA  University."])

    outcome = enrich_papers([paper.pk], queue_ror=False)

    raw.refresh_from_db()
    assert raw.ror_id == "03cve4549"
    assert raw.country_code == "CN"
    assert outcome.institutions_created == 1  # Peking University only
    paper.refresh_from_db()
    assert list(paper.institutions.order_by("paper_institutions__position")) == [
        raw,
        Institution.objects.get(ror_id="02v51f717"),
        company,
    ]


def test_enrich_papers_takes_over_the_row_typed_by_its_chinese_short_form(
    stand_in: EnrichmentStandIn,
) -> None:
    paper = chinese_paper()
    # As a member's hand entry stores it: through the glossary.
    (typed,) = institutions_for_names(["清华"])
    PaperInstitution.objects.create(paper=paper, institution=typed, position=1)
    assert typed.name == "Tsinghua University"  # the glossary's name for 清华

    enrich_papers([paper.pk], queue_ror=False)

    assert Institution.objects.filter(name__icontains="Tsinghua").count() == 1
    typed.refresh_from_db()
    assert typed.ror_id == "03cve4549"
    assert paper.institutions.order_by("paper_institutions__position").first() == typed


def test_enrich_papers_keeps_apart_another_institution_of_that_name(
    stand_in: EnrichmentStandIn,
) -> None:
    other = InstitutionFactory(name="Tsinghua University", ror_id="0abcdef12")
    paper = chinese_paper()

    enrich_papers([paper.pk], queue_ror=False)

    created = Institution.objects.get(ror_id="03cve4549")
    assert created != other
    assert created.name == "Tsinghua University (CN)"


def test_enrich_papers_leaves_a_hand_kept_paper_alone(stand_in: EnrichmentStandIn) -> None:
    paper = chinese_paper(institutions=["Hand Institute"], metadata_kept=True)
    Authorship.objects.filter(paper=paper).update(affiliation="By hand")

    outcome = enrich_papers([paper.pk], queue_ror=False)

    assert outcome.unchanged == [paper.pk]
    paper.refresh_from_db()
    assert institution_names(paper) == ["Hand Institute"]
    assert affiliations(paper) == ["By hand"] * 3
    assert paper.affiliations_error == KEPT_BY_HAND
    assert paper.affiliations_fetched_at is None
    assert paper.venue_type == "conference"  # not a hand-entered field


def test_enrich_papers_keeps_what_is_stored_when_openalex_has_no_affiliations(
    stand_in: EnrichmentStandIn,
) -> None:
    paper = PaperFactory(arxiv_id="2312.07559", authors=["A"], institutions=["Kept"])
    Authorship.objects.filter(paper=paper).update(affiliation="Kept too")

    outcome = enrich_papers([paper.pk], queue_ror=False)

    assert outcome.unchanged == [paper.pk]
    paper.refresh_from_db()
    assert institution_names(paper) == ["Kept"]
    assert affiliations(paper) == ["Kept too"]
    assert paper.affiliations_error == NO_AFFILIATIONS
    assert paper.openalex_id.startswith("W")


def test_enrich_papers_notes_a_paper_openalex_does_not_hold(stand_in: EnrichmentStandIn) -> None:
    paper = PaperFactory(arxiv_id="2401.99999", institutions=["Kept"])

    outcome = enrich_papers([paper.pk], queue_ror=False)

    assert outcome.not_found == [paper.pk]
    paper.refresh_from_db()
    assert (paper.affiliations_error, institution_names(paper)) == (NOT_IN_OPENALEX, ["Kept"])
    assert paper.affiliations_checked_at is not None


def test_enrich_papers_splits_batches_at_100(stand_in: EnrichmentStandIn) -> None:
    papers = PaperFactory.create_batch(150)

    outcome = enrich_papers([p.pk for p in papers], queue_ror=False)

    assert [r.dois for r in stand_in.requests] == [100, 50]
    assert outcome.requests == 2
    assert len(outcome.not_found) == 150


def test_enrich_papers_does_nothing_when_switched_off(settings: Any) -> None:
    settings.OPENALEX_API_URL = ""
    paper = chinese_paper()

    outcome = enrich_papers([paper.pk])

    assert (outcome.requests, outcome.enriched) == (0, [])
    paper.refresh_from_db()
    assert paper.affiliations_checked_at is None


# ================================================================ failures


def client_answering(handler: Callable[[httpx.Request], httpx.Response]) -> OpenAlexClient:
    return OpenAlexClient("https://openalex.example", transport=httpx.MockTransport(handler))


def timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectTimeout("no answer", request=request)


FAULTS = [
    pytest.param(timeout, "retry", "OpenAlex could not be reached", id="timeout"),
    pytest.param(
        lambda r: httpx.Response(429, headers={"Retry-After": "30"}),
        "retry",
        "OpenAlex is temporarily unavailable (HTTP 429)",
        id="429",
    ),
    pytest.param(
        lambda r: httpx.Response(500), "retry", "temporarily unavailable (HTTP 500)", id="500"
    ),
    pytest.param(
        lambda r: httpx.Response(200, content=b" " * 20_000_001),
        "failed",
        "OpenAlex sent a response larger than",
        id="huge",
    ),
    pytest.param(
        lambda r: httpx.Response(200, content=b'{"results": [{'),
        "failed",
        "OpenAlex sent a response that is not valid JSON.",
        id="malformed",
    ),
    pytest.param(
        lambda r: httpx.Response(
            200,
            content=(SHARED / "openalex" / CHEMISTRY).read_bytes(),
        ),
        "failed",
        "OpenAlex answered with a work we did not ask for",
        id="works-not-asked-for",
    ),
]


@pytest.mark.parametrize(("handler", "kind", "message"), FAULTS)
def test_enrich_papers_fault_keeps_stored_data_with_a_readable_error(
    handler: Callable[[httpx.Request], httpx.Response], kind: str, message: str
) -> None:
    paper = chinese_paper(institutions=["Kept"])
    Authorship.objects.filter(paper=paper).update(affiliation="Kept too")
    Paper.objects.filter(pk=paper.pk).update(
        affiliations_source=AffiliationSource.OPENALEX, venue="Kept venue"
    )

    outcome = enrich_papers([paper.pk], client=client_answering(handler), queue_ror=False)

    assert getattr(outcome, kind) == [paper.pk]
    if kind == "retry" and "429" in message:
        assert outcome.retry_after == 30.0
    paper.refresh_from_db()
    assert message in paper.affiliations_error
    assert institution_names(paper) == ["Kept"]
    assert affiliations(paper) == ["Kept too"] * 3
    assert (paper.venue, paper.affiliations_source) == ("Kept venue", AffiliationSource.OPENALEX)


# ================================================================ ROR records


def ror_answering(body: bytes, status: int = 200) -> RorClient:
    return RorClient(
        "https://ror.example/v2",
        transport=httpx.MockTransport(lambda r: httpx.Response(status, content=body)),
    )


def test_read_ror_records_fills_names_from_a_real_chinese_label() -> None:
    items = json.loads(
        (
            SHARED
            / "ror"
            / "v2_organizations_filter_types-Government_page1_incl-zh-label__lupo.json"
        ).read_bytes()
    )["items"]
    (record,) = [i for i in items if i["id"] == "https://ror.org/02wget071"]
    institution = InstitutionFactory(
        name="Taiwan Agricultural Research Institute", ror_id="02wget071"
    )

    outcome = read_ror_records([institution.pk], client=ror_answering(json.dumps(record).encode()))

    assert (outcome.read, outcome.requests) == ([institution.pk], 1)
    institution.refresh_from_db()
    assert institution.name_zh == "行政院農業委員會農業試驗所"
    assert (institution.country_code, institution.kind) == ("TW", "government")
    assert {"value": "TARI", "lang": None, "types": ["acronym"]} in institution.names


def test_read_ror_records_keeps_a_chinese_name_given_before() -> None:
    body = (
        SHARED / "ror" / "v2_organization_013meh722_University-of-Cambridge__lupo.json"
    ).read_bytes()
    institution = InstitutionFactory(
        name="University of Cambridge", ror_id="013meh722", name_zh="剑桥"
    )

    read_ror_records([institution.pk], client=ror_answering(body))
    again = read_ror_records([institution.pk], client=ror_answering(body))

    assert again.requests == 0  # read once
    institution.refresh_from_db()
    assert (institution.name_zh, institution.country_code) == ("剑桥", "GB")
    assert {"value": "Prifysgol Caergrawnt", "lang": "cy", "types": ["label"]} in institution.names


def test_read_ror_records_429_leaves_the_records_to_read_later() -> None:
    first = InstitutionFactory(name="A", ror_id="013meh722")
    second = InstitutionFactory(name="B", ror_id="03cve4549")

    outcome = read_ror_records([first.pk, second.pk], client=ror_answering(b"", 429))

    assert (outcome.retry, outcome.requests) == ([first.pk, second.pk], 1)
    assert Institution.objects.filter(ror_fetched_at__isnull=True).count() == 2


def test_request_enrichment_is_switched_off_with_its_url(settings: Any, monkeypatch) -> None:
    queued: list[Any] = []
    monkeypatch.setattr(enrichment, "enqueue_after_commit", lambda *args: queued.append(args))
    settings.OPENALEX_API_URL = ""
    settings.ROR_API_URL = ""

    enrichment.request_enrichment([1, 2])
    enrichment.request_ror_records([1])

    assert queued == []
    settings.OPENALEX_API_URL = "http://127.0.0.1:9"
    enrichment.request_enrichment(list(range(150)))
    assert [len(args[1]) for args in queued] == [100, 50]
    assert timezone.now()  # the module's clock is Django's


def test_a_hand_entry_is_no_longer_said_to_come_from_openalex() -> None:
    from papers.services import AuthorData, PaperMetadata, enter_metadata_by_hand

    paper = PaperFactory(
        affiliations_source=AffiliationSource.OPENALEX,
        affiliations_fetched_at=timezone.now(),
        affiliations_checked_at=timezone.now(),
    )

    enter_metadata_by_hand(
        paper,
        PaperMetadata(title="Typed", authors=[AuthorData("Mallory")], institutions=["Typed U"]),
        by=None,
    )

    paper.refresh_from_db()
    assert (paper.affiliations_source, paper.affiliations_fetched_at) == ("", None)
    assert paper.affiliations_label == "not yet"
    assert paper.affiliations_checked_at is not None  # asked before: the sweep's clock runs on


def test_read_ror_records_passes_over_a_malformed_ror_id() -> None:
    typed = InstitutionFactory(name="Typed by hand", ror_id="not-a-ror")

    outcome = read_ror_records([typed.pk], client=ror_answering(b"{}"))

    assert (outcome.failed, outcome.requests) == ([typed.pk], 0)
    typed.refresh_from_db()
    assert typed.ror_fetched_at is not None  # not asked again


def test_enrich_papers_reads_the_glossary_once_per_run(stand_in: EnrichmentStandIn) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    paper = chinese_paper()

    with CaptureQueriesContext(connection) as queries:
        enrich_papers([paper.pk], queue_ror=False)

    glossary_reads = [
        q for q in queries.captured_queries if "papers_institutionglossaryentry" in q["sql"]
    ]
    assert Institution.objects.count() == 3  # three institutions matched or made
    assert len(glossary_reads) == 1
