"""``manage.py enrich_papers``: which papers it asks about, its progress bar and its summary."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from papers.management.commands.enrich_papers import ProgressBar
from papers.models import Institution, Paper
from tests.factories import PaperFactory
from tests.servers.enrichment import EnrichmentStandIn, needs_recordings

pytestmark = [pytest.mark.django_db, needs_recordings]


@pytest.fixture
def stand_in(settings: Any) -> Iterator[EnrichmentStandIn]:
    with EnrichmentStandIn(synthesize=True).running() as server:
        settings.OPENALEX_API_URL = server.openalex_url
        settings.ROR_API_URL = server.ror_url
        yield server


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("enrich_papers", *args, stdout=out)
    return out.getvalue()


def test_enrich_papers_enriches_in_batches_and_sums_up(stand_in: EnrichmentStandIn) -> None:
    chinese = PaperFactory(arxiv_id="2401.00001", authors=["Wei Zhang", "Na Li", "Jie Tang"])
    synthetic = [PaperFactory(arxiv_id=f"2402.{n:05d}") for n in range(1, 131)]

    output = run()

    # 131 papers: two OpenAlex requests; each ROR id read once.
    assert [r.dois for r in stand_in.requests if r.api == "openalex"] == [100, 31]
    with_ror = Institution.objects.filter(ror_id__isnull=False).count()
    assert stand_in.count("ror") == with_ror
    assert output.splitlines()[:2] == ["Papers: 100/131 (76%)", "Papers: 131/131 (100%)"]
    assert (
        f"131 papers: 131 enriched, 0 unchanged, 0 not in OpenAlex, 0 errors; "
        f"{Institution.objects.count()} institutions created; {with_ror - 1} ROR records read; "
        f"2 OpenAlex requests, {with_ror} ROR requests in "
    ) in output  # Peking University's record is not in the stand-in
    assert Institution.objects.get(ror_id="03cve4549").name_zh == "清华大学"
    assert Paper.objects.filter(affiliations_fetched_at__isnull=False).count() == 131
    assert chinese.paper_institutions.count() == 3
    assert synthetic[0].paper_institutions.count() > 0

    # Asked once: a second run finds nothing to do.
    assert run().startswith("No paper to enrich.")


def test_enrich_papers_missing_affiliations_and_since(stand_in: EnrichmentStandIn) -> None:
    old = PaperFactory(arxiv_id="2402.00001")
    Paper.objects.filter(pk=old.pk).update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    asked = PaperFactory(arxiv_id="2402.00002", institutions=["Somewhere"])
    Paper.objects.filter(pk=asked.pk).update(affiliations_checked_at=dt.datetime.now(dt.UTC))
    bare = PaperFactory(arxiv_id="2402.00003")

    output = run("--missing-affiliations", "--since", "2024-01-01")

    assert output.startswith("Papers: 1/1 (100%)")
    assert [r.dois for r in stand_in.requests if r.api == "openalex"] == [1]
    assert Paper.objects.get(pk=bare.pk).affiliations_fetched_at is not None
    assert Paper.objects.get(pk=old.pk).affiliations_checked_at is None


def test_enrich_papers_counts_errors(settings: Any) -> None:
    with EnrichmentStandIn(fail_first=5, fail_status=503).running() as server:
        settings.OPENALEX_API_URL = server.openalex_url
        PaperFactory.create_batch(3)
        output = run()

    assert "3 papers: 0 enriched, 0 unchanged, 0 not in OpenAlex, 3 errors;" in output
    assert "  3 × OpenAlex is temporarily unavailable (HTTP 503). Please try again later." in output


def test_enrich_papers_refuses_bad_input(settings: Any) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--since", "yesterday")
    settings.OPENALEX_API_URL = ""
    with pytest.raises(CommandError, match="switched off"):
        run()


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    bar = ProgressBar(out, 4, "Papers")
    bar.show(2)
    bar.show(4)

    assert out.getvalue() == (
        "\rPapers [###############...............] 2/4  50%"
        "\rPapers [##############################] 4/4 100%\n"
    )
