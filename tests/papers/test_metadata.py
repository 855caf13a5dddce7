"""Fetching metadata in-process: papers.services.fetch_metadata, the task, the sweep, the command.

The arXiv side is a local stand-in replaying the recorded responses of ../shared/fixtures/.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from papers import selectors, services, tasks
from papers.clients.aminer import AminerClient
from papers.enums import MetadataSource, MetadataStatus
from papers.faults import english_text
from papers.identifiers import parse_identifier
from papers.models import Paper
from tests.servers.arxiv import ArxivStandIn, needs_recordings

pytestmark = [pytest.mark.django_db, needs_recordings]

AMINER_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "aminer"


def _paper(text: str) -> Paper:
    return services.get_or_create_paper(parse_identifier(text))[0]


@pytest.fixture
def stand_in(settings: object) -> ArxivStandIn:
    with ArxivStandIn().running() as server:
        settings.ARXIV_API_URL = server.url
        yield server


def test_fetch_metadata_fills_papers_in_one_batched_request(stand_in: ArxivStandIn) -> None:
    first, second, old = _paper("1605.08386"), _paper("1707.08567"), _paper("astro-ph/0601001")
    outcome = services.fetch_metadata([first.pk, second.pk, old.pk])
    assert sorted(outcome.fetched) == sorted([first.pk, second.pk, old.pk])
    assert len(stand_in.requests) == 1
    assert sorted(stand_in.requests[0].ids) == ["1605.08386", "1707.08567", "astro-ph/0601001"]
    first.refresh_from_db()
    assert first.title == "Heat-bath random walks with Markov bases"
    assert (first.metadata_status, first.metadata_source) == ("ok", "arxiv")
    assert [a.author.name for a in first.authorships.all()] == [
        "Caprice Stanley",
        "Tobias Windisch",
    ]
    assert first.primary_category == "math.CO"
    assert first.categories == ["math.CO", "math.ST"]
    assert first.published_on == dt.date(2016, 5, 26)
    assert first.year == 2016
    assert first.arxiv_version == 1
    second.refresh_from_db()
    assert second.authorships.count() == 34
    assert "Dirk Wübben" in [a.author.name for a in second.authorships.all()]
    old.refresh_from_db()
    assert old.journal_ref
    assert old.paper_institutions.exists()  # affiliations become institutions


def test_fetch_metadata_unknown_id_is_not_found_with_reason(stand_in: ArxivStandIn) -> None:
    paper = _paper("2401.00001")
    outcome = services.fetch_metadata([paper.pk])
    paper.refresh_from_db()
    assert outcome.not_found == [paper.pk]
    assert paper.metadata_status == MetadataStatus.NOT_FOUND
    assert paper.metadata_message == "arXiv has no paper with the id 2401.00001."


def test_fetch_metadata_twice_gives_one_result(stand_in: ArxivStandIn) -> None:
    paper = _paper("1605.08386")
    services.fetch_metadata([paper.pk])
    second = services.fetch_metadata([paper.pk])
    assert second.fetched == []
    assert len(stand_in.requests) == 1
    services.fetch_metadata([paper.pk], refresh=True)  # same version: nothing rewritten
    assert paper.authorships.count() == 2
    assert Paper.objects.count() == 1


def test_fetch_metadata_server_down_keeps_paper_pending_then_failed(settings: object) -> None:
    with ArxivStandIn(fail_first=10, fail_status=503).running() as server:
        settings.ARXIV_API_URL = server.url
        paper = _paper("1605.08386")
        outcome = services.fetch_metadata([paper.pk], final_attempt=False)
        paper.refresh_from_db()
        assert outcome.retry == [paper.pk]
        assert paper.metadata_status == MetadataStatus.PENDING
        assert paper.metadata_attempts == 1
        assert paper.metadata_message == "arXiv could not be reached. Will try again."
        assert "HTTP 503" in english_text(paper.metadata_error)
        outcome = services.fetch_metadata([paper.pk], final_attempt=True)
        paper.refresh_from_db()
        assert outcome.failed == [paper.pk]
        assert paper.metadata_status == MetadataStatus.FAILED
        assert paper.metadata_attempts == 2
        assert "Gave up after retrying." in paper.metadata_message


def test_fetch_metadata_unreachable_host_is_a_readable_failure() -> None:
    paper = _paper("1605.08386")  # the autouse fixture points arXiv at a closed port
    services.fetch_metadata([paper.pk], final_attempt=True)
    paper.refresh_from_db()
    assert paper.metadata_status == MetadataStatus.FAILED
    assert paper.metadata_message == "arXiv could not be reached. Gave up after retrying."


def test_fetch_metadata_garbage_answer_is_retried_not_stored(settings: object) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"<html>oops"))
    client = services.arxiv.ArxivClient("http://arxiv.test/api/query", transport=transport)
    paper = _paper("1605.08386")
    outcome = services.fetch_metadata([paper.pk], final_attempt=False, arxiv_api=client)
    paper.refresh_from_db()
    assert outcome.retry == [paper.pk]
    assert paper.title == ""
    assert paper.metadata_status == MetadataStatus.PENDING
    assert paper.metadata_message == "arXiv answered something unusable. Will try again."
    assert "not valid XML" in english_text(paper.metadata_error)


def test_fetch_metadata_aminer_without_token_waits_with_clear_status(settings: object) -> None:
    settings.AMINER_API_TOKEN = ""
    paper = _paper("https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c")
    outcome = services.fetch_metadata([paper.pk])
    paper.refresh_from_db()
    assert outcome.waiting == [paper.pk]
    assert paper.metadata_status == MetadataStatus.PENDING
    assert paper.metadata_message.startswith("AMiner is switched off on this site")
    assert "AMINER_API_TOKEN" in english_text(paper.metadata_error)
    assert paper.metadata_attempts == 0


def test_fetch_metadata_aminer_record_fills_bilingual_fields() -> None:
    body = (AMINER_FIXTURES / "handwritten_detail_ok_614407b25244ab9dcbd29c5c.json").read_bytes()
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    client = AminerClient(
        "http://aminer.test", token="secret", transport=httpx.MockTransport(answer)
    )
    paper = _paper("https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c")
    outcome = services.fetch_metadata([paper.pk], aminer_api=client)
    paper.refresh_from_db()
    expected = json.loads(body)["data"]
    assert outcome.fetched == [paper.pk]
    assert seen[0].headers["Authorization"] == "secret"
    assert (paper.metadata_source, paper.title) == (MetadataSource.AMINER, expected["title"])
    assert paper.year == expected["year"]
    assert [a.author.name for a in paper.authorships.all()] == [
        a["name"] for a in expected["authors"]
    ]
    # AMiner's Chinese name of an institution is kept beside its English one.
    (institution,) = paper.institutions.all()
    assert (institution.name, institution.name_zh) == ("Princeton University", "普林斯顿大学")


def test_task_fetch_paper_metadata_eager_does_not_retry_in_process() -> None:
    paper = _paper("1605.08386")
    result = tasks.task_fetch_paper_metadata.delay([paper.pk])
    paper.refresh_from_db()
    assert result.get() == {"fetched": 0, "not_found": 0, "failed": 1}
    assert paper.metadata_status == MetadataStatus.FAILED


def test_sweep_enqueues_old_pending_stuck_and_stale(
    stand_in: ArxivStandIn, django_capture_on_commit_callbacks: object
) -> None:
    fresh, old, stuck, stale = (
        _paper(i) for i in ("1605.08386", "1707.08567", "astro-ph/0601001", "2104.12255")
    )
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Paper.objects.filter(pk=old.pk).update(updated_at=long_ago)
    Paper.objects.filter(pk=stuck.pk).update(metadata_status="fetching", updated_at=long_ago)
    Paper.objects.filter(pk=stale.pk).update(
        metadata_status="ok",
        metadata_source="arxiv",
        arxiv_version=1,
        metadata_fetched_at=timezone.now() - dt.timedelta(days=30),
    )
    assert sorted(selectors.papers_awaiting_fetch()) == sorted([old.pk, stuck.pk])
    assert selectors.papers_due_for_refresh() == [stale.pk]
    assert tasks.task_sweep_paper_metadata.delay().get() == 3
    statuses = dict(Paper.objects.values_list("pk", "metadata_status"))
    assert statuses[old.pk] == statuses[stuck.pk] == "ok"
    assert statuses[fresh.pk] == "pending"  # too young: its own task is on the way


def test_fetch_metadata_command_creates_and_fetches(stand_in: ArxivStandIn) -> None:
    out = io.StringIO()
    call_command(
        "fetch_metadata", "arXiv:1605.08386v1", "https://arxiv.org/abs/1707.08567", stdout=out
    )
    assert set(Paper.objects.values_list("arxiv_id", "metadata_status")) == {
        ("1605.08386", "ok"),
        ("1707.08567", "ok"),
    }
    assert "2 fetched" in out.getvalue()
    assert "1 arXiv requests" in out.getvalue()


def test_fetch_metadata_command_pending(stand_in: ArxivStandIn) -> None:
    paper = _paper("1605.08386")
    call_command("fetch_metadata", "--pending", stdout=io.StringIO())
    paper.refresh_from_db()
    assert paper.metadata_status == "ok"


def test_fetch_metadata_command_bad_identifier_names_forms() -> None:
    with pytest.raises(CommandError, match="Accepted forms"):
        call_command("fetch_metadata", "not-a-paper")
    with pytest.raises(CommandError, match="--pending or --stale"):
        call_command("fetch_metadata")


def _entered_by_hand(text: str, *, kept: bool = False, days_ago: int = 0) -> Paper:
    paper = _paper(text)
    services.enter_metadata_by_hand(
        paper,
        services.PaperMetadata(title="Typed by Hand", authors=[services.AuthorData("Mallory")]),
        by=None,
        keep=kept,
    )
    Paper.objects.filter(pk=paper.pk).update(
        metadata_fetched_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    paper.refresh_from_db()
    return paper


def test_sweep_refreshes_hand_entries_unless_kept(stand_in: ArxivStandIn) -> None:
    entered = _entered_by_hand("1605.08386", days_ago=30)
    kept = _entered_by_hand("1707.08567", kept=True, days_ago=30)
    _entered_by_hand("astro-ph/0601001", days_ago=0)  # too recent

    assert selectors.papers_due_for_refresh() == [entered.pk]
    assert tasks.task_sweep_paper_metadata.delay().get() == 1

    entered.refresh_from_db()
    assert (entered.metadata_source, entered.title) == (
        MetadataSource.ARXIV,
        "Heat-bath random walks with Markov bases",
    )
    kept.refresh_from_db()
    assert (kept.metadata_source, kept.title, kept.metadata_kept) == (
        MetadataSource.MANUAL,
        "Typed by Hand",
        True,
    )
    assert [r.ids for r in stand_in.requests] == [["1605.08386"]]


def test_fetch_metadata_refresh_of_a_hand_entry_replaces_it_whatever_the_version(
    stand_in: ArxivStandIn,
) -> None:
    paper = _entered_by_hand("1605.08386")
    Paper.objects.filter(pk=paper.pk).update(arxiv_version=9)  # newer than arXiv's

    outcome = services.fetch_metadata([paper.pk], refresh=True)

    paper.refresh_from_db()
    assert outcome.fetched == [paper.pk]
    assert (paper.metadata_source, paper.title) == (
        MetadataSource.ARXIV,
        "Heat-bath random walks with Markov bases",
    )
    assert paper.metadata_entries.get().replaced_by == MetadataSource.ARXIV


def test_fetch_metadata_aminer_hand_entry_without_token_keeps_it(settings: object) -> None:
    settings.AMINER_API_TOKEN = ""
    paper = _entered_by_hand("https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c")

    outcome = services.fetch_metadata([paper.pk], refresh=True)

    paper.refresh_from_db()
    assert outcome.unchanged == [paper.pk]
    assert (paper.metadata_status, paper.metadata_source, paper.title) == (
        MetadataStatus.OK,
        MetadataSource.MANUAL,
        "Typed by Hand",
    )
    assert "AMINER_API_TOKEN" in english_text(paper.metadata_error)
    assert paper.metadata_entries.get().replaced_at is None
