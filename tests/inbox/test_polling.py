"""Polling a watch (``inbox/polling.py``, ``inbox/tasks.py``) against a local arXiv stand-in that
serves a week of new submissions: the inbox fills with the best ranked by the publication's
featured papers, a second poll adds nothing already there, a passing fault is retried and a
hostile answer is recorded on the watch, the inbox left as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from common import retry
from inbox import polling, tasks
from inbox.models import Candidate, InboxSettings, Watch
from inbox.services import settings_for
from issues.enums import Section
from papers.models import Paper
from publications.models import Publication
from tests.factories import IssueEntryFactory, IssueFactory, PaperFactory
from tests.factories.inbox import CandidateFactory, WatchFactory
from tests.servers.arxiv_search import ArxivSearchStandIn, Submission

pytestmark = pytest.mark.django_db

#: Monday 7 December 2026, 06:00 UTC: the morning of the polls in these tests.
NOW = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)

FEATURED = [
    (
        "Pretraining language models on curated web text",
        "We pretrain transformer language models on filtered web pages and measure how the "
        "curation of the pretraining corpus changes downstream accuracy.",
    ),
    (
        "Scaling laws for pretraining multilingual language models",
        "How tokenizer vocabulary and pretraining tokens trade off when multilingual language "
        "models grow, with a recipe for the pretraining budget.",
    ),
    (
        "Continued pretraining of code language models",
        "Continued pretraining on source code improves language models at program synthesis; "
        "we study the data mixture and the tokenizer.",
    ),
]
ON_TOPIC = (
    "Data mixtures for pretraining small language models, study {n}",
    "We pretrain language models of {n} million parameters on mixtures of web text and code "
    "and report how the pretraining data changes perplexity; the tokenizer matters too.",
)
OFF_TOPIC = [
    (
        "Rotation curves of dwarf galaxies, sample {n}",
        "Dark matter halos of dwarf galaxies are fitted to rotation curves from radio surveys.",
    ),
    (
        "Protein folding intermediates seen by cryo-electron microscopy, case {n}",
        "Folding pathways of membrane proteins are resolved at near-atomic resolution.",
    ),
    (
        "Chromatic numbers of sparse random graphs, bound {n}",
        "We bound the chromatic number of sparse random graphs by a second moment argument.",
    ),
    (
        "Legged robot locomotion on granular terrain, trial {n}",
        "Quadruped robots learn gaits on sand with a terrain-aware controller.",
    ),
]


def week_of_submissions(
    count: int = 240, older: int = 160, *, now: dt.datetime = NOW
) -> list[Submission]:
    """``count`` papers submitted over the week before ``now`` (every eighth on the
    publication's subject), and ``older`` ones from the weeks before."""
    papers = []
    for n in range(count + older):
        published = (
            now - dt.timedelta(minutes=40 * (n + 1)) - dt.timedelta(days=8 if n >= count else 0)
        )
        title, abstract = ON_TOPIC if n % 8 == 3 else OFF_TOPIC[n % len(OFF_TOPIC)]
        papers.append(
            Submission(
                arxiv_id=f"2612.{n + 1:05d}",
                title=title.format(n=n),
                abstract=abstract.format(n=n),
                published=published,
            )
        )
    return papers


def on_topic(paper: Paper) -> bool:
    return paper.title.startswith("Data mixtures for pretraining")


@pytest.fixture
def featured(publication: Publication) -> None:
    publish_featured(publication)


def publish_featured(publication: Publication) -> None:
    """A published issue of the publication featuring the ``FEATURED`` papers."""
    issue = IssueFactory(publication=publication, published=True)
    for position, (title, abstract) in enumerate(FEATURED, start=1):
        IssueEntryFactory(
            issue=issue,
            recommendation=None,
            paper=PaperFactory(title=title, abstract=abstract),
            section=Section.PAPERS,
            position=position,
        )


@pytest.fixture
def watch(publication: Publication, featured: None) -> Watch:
    settings_for(publication)
    InboxSettings.objects.filter(publication=publication).update(keep_per_poll=10)
    return WatchFactory(publication=publication, categories="cs.CL cs.LG", query="")


@pytest.fixture
def stand_in(settings: Any) -> Iterator[ArxivSearchStandIn]:
    server = ArxivSearchStandIn(papers=week_of_submissions())
    with server.running():
        settings.ARXIV_API_URL = server.url
        yield server


def _found(publication: Publication) -> list[Candidate]:
    return list(
        Candidate.objects.filter(publication=publication).select_related("paper").order_by("-score")
    )


# --- a week's poll ------------------------------------------------------------------------------


def test_poll_keeps_the_best_ranked_of_a_week_and_stores_only_those(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    outcome = polling.poll_watch(watch, now=NOW)

    assert outcome == polling.PollOutcome(found=240, kept=10)
    found = _found(watch.publication)
    assert len(found) == 10
    # The papers like the featured ones first: every one kept is on the publication's subject.
    assert all(on_topic(candidate.paper) for candidate in found)
    assert all(candidate.score > 0.2 for candidate in found)
    assert {candidate.watch_id for candidate in found} == {watch.pk}
    assert {candidate.state for candidate in found} == {"new"}
    newest = found[0]
    assert newest.submitted_at is not None
    assert newest.paper.metadata_status == "ok"
    # Only the ten kept were stored in the catalogue, not the 240 read.
    assert Paper.objects.filter(arxiv_id__startswith="2612.").count() == 10
    # Newest first, 100 a page, until a page held only papers older than the week.
    assert [(r.start, r.max_results) for r in stand_in.requests] == [
        (0, 100),
        (100, 100),
        (200, 100),
        (300, 100),
    ]
    assert stand_in.requests[0].query == "cat:cs.CL OR cat:cs.LG"
    watch.refresh_from_db()
    assert (watch.last_polled_at, watch.last_found, watch.last_kept, watch.last_error) == (
        NOW,
        240,
        10,
        "",
    )
    assert watch.newest_submitted_at == NOW - dt.timedelta(minutes=40)


def test_second_poll_adds_nothing_already_there(watch: Watch, stand_in: ArxivSearchStandIn) -> None:
    polling.poll_watch(watch, now=NOW)
    first = {c.paper_id: c.score for c in _found(watch.publication)}
    stand_in.requests.clear()

    outcome = polling.poll_watch(watch, now=NOW + dt.timedelta(hours=1))

    assert outcome == polling.PollOutcome(found=0, kept=0)
    assert {c.paper_id: c.score for c in _found(watch.publication)} == first
    assert len(stand_in.requests) == 1  # the first page is older than the last poll's newest

    # Three new submissions since: only they are read and kept.
    later = [
        Submission(
            arxiv_id=f"2612.9{n:04d}",
            title=ON_TOPIC[0].format(n=900 + n),
            abstract=ON_TOPIC[1].format(n=900 + n),
            published=NOW + dt.timedelta(minutes=10 * (n + 1)),
        )
        for n in range(3)
    ]
    stand_in.papers.extend(later)
    outcome = polling.poll_watch(watch, now=NOW + dt.timedelta(hours=2))

    assert outcome == polling.PollOutcome(found=3, kept=3)
    assert len(_found(watch.publication)) == 13
    watch.refresh_from_db()
    assert watch.newest_submitted_at == NOW + dt.timedelta(minutes=30)


def test_poll_reading_the_week_again_drops_the_candidates_before_keeping_the_best(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    polling.poll_watch(watch, now=NOW)
    first = {c.paper_id for c in _found(watch.publication)}
    Watch.objects.filter(pk=watch.pk).update(newest_submitted_at=None)
    watch.refresh_from_db()

    outcome = polling.poll_watch(watch, now=NOW)

    # The next ten best, none of the first ten again.
    assert outcome == polling.PollOutcome(found=240, kept=10)
    found = _found(watch.publication)
    assert len(found) == 20
    assert len({c.paper_id for c in found} - first) == 10
    assert all(on_topic(c.paper) for c in found)


def test_poll_skips_papers_featured_or_candidates_already(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    papers = sorted(stand_in.papers, key=lambda p: p.published, reverse=True)
    best = [p for p in papers if p.title.startswith("Data mixtures")][:2]
    featured = PaperFactory(arxiv_id=best[0].arxiv_id, title=best[0].title)
    IssueEntryFactory(
        issue=IssueFactory(publication=watch.publication, published=True),
        recommendation=None,
        paper=featured,
        section=Section.PAPERS,
    )
    known = CandidateFactory(
        publication=watch.publication, paper=PaperFactory(arxiv_id=best[1].arxiv_id), score=0.01
    )

    polling.poll_watch(watch, now=NOW)

    found = _found(watch.publication)
    assert featured.pk not in {c.paper_id for c in found}
    assert len(found) == 11  # ten new, and the one there before, as it was
    known.refresh_from_db()
    assert known.score == 0.01


def test_poll_without_featured_papers_keeps_the_newest(
    publication: Publication, stand_in: ArxivSearchStandIn
) -> None:
    settings_for(publication)
    InboxSettings.objects.filter(publication=publication).update(keep_per_poll=5)
    watch = WatchFactory(publication=publication)

    polling.poll_watch(watch, now=NOW)

    found = Candidate.objects.filter(publication=publication)
    assert sorted(found.values_list("paper__arxiv_id", flat=True)) == [
        f"2612.{n:05d}" for n in range(1, 6)
    ]
    assert set(found.values_list("score", flat=True)) == {0.0}


# --- hostile answers ----------------------------------------------------------------------------


def test_poll_stops_at_an_empty_page_whatever_the_total_claims(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    stand_in.papers = week_of_submissions(count=150, older=0)
    stand_in.claimed_total = 1_000_000

    outcome = polling.poll_watch(watch, now=NOW)

    assert outcome.found == 150
    assert [r.start for r in stand_in.requests] == [0, 100, 150]


def test_poll_reads_at_most_the_limit_of_results(
    watch: Watch, stand_in: ArxivSearchStandIn, settings: Any
) -> None:
    settings.INBOX_MAX_RESULTS_PER_POLL = 150
    outcome = polling.poll_watch(watch, now=NOW)

    assert outcome.found == 150
    assert [(r.start, r.max_results) for r in stand_in.requests] == [(0, 100), (100, 50)]


def test_poll_of_a_server_that_ignores_paging_counts_each_paper_once(
    watch: Watch, stand_in: ArxivSearchStandIn, settings: Any
) -> None:
    settings.INBOX_MAX_RESULTS_PER_POLL = 500
    stand_in.ignore_start = True

    outcome = polling.poll_watch(watch, now=NOW)

    # The same first page again: a hundred papers, each once, and no more requests.
    assert outcome.found == 100
    assert [r.start for r in stand_in.requests] == [0, 100]
    assert Candidate.objects.filter(publication=watch.publication).count() == 10


def test_poll_keeps_a_paper_named_twice_once(watch: Watch, stand_in: ArxivSearchStandIn) -> None:
    newest = max(stand_in.papers, key=lambda p: p.published)
    twice = Submission(
        arxiv_id=newest.arxiv_id,
        title=ON_TOPIC[0].format(n=1),
        abstract=ON_TOPIC[1].format(n=1),
        published=newest.published - dt.timedelta(seconds=1),
        version=2,
    )
    stand_in.papers.append(twice)

    outcome = polling.poll_watch(watch, now=NOW)

    assert outcome.found == 240
    assert Paper.objects.filter(arxiv_id=newest.arxiv_id).count() <= 1


def test_poll_believes_no_date_in_the_future(watch: Watch, stand_in: ArxivSearchStandIn) -> None:
    stand_in.papers.append(
        Submission(
            arxiv_id="2612.99999",
            title=FEATURED[0][0] + " again",
            abstract=FEATURED[0][1],
            published=dt.datetime(2031, 1, 1, tzinfo=dt.UTC),
        )
    )

    outcome = polling.poll_watch(watch, now=NOW)

    assert outcome.found == 241
    future = Candidate.objects.get(paper__arxiv_id="2612.99999")
    assert future.submitted_at is None
    watch.refresh_from_db()
    # The next poll stops at the newest date believed, not in 2031.
    assert watch.newest_submitted_at == NOW - dt.timedelta(minutes=40)


def test_poll_gives_the_place_of_a_paper_the_catalogue_refuses_to_the_next(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    # The best of the week, with an id no arXiv paper has (no paper is numbered 0).
    stand_in.papers.append(
        Submission(
            arxiv_id="2612.00000",
            title=FEATURED[0][0],
            abstract=FEATURED[0][1],
            published=NOW - dt.timedelta(minutes=1),
        )
    )

    outcome = polling.poll_watch(watch, now=NOW)

    assert outcome == polling.PollOutcome(found=241, kept=10)
    assert not Paper.objects.filter(arxiv_id="2612.00000").exists()
    assert all(on_topic(c.paper) for c in _found(watch.publication))


def test_poll_of_an_entry_without_id_records_why_and_keeps_nothing(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    first = stand_in.papers[0]
    stand_in.papers[0] = Submission(**{**first.__dict__, "with_id": False})

    outcome = polling.poll_watch(watch, now=NOW)

    assert outcome == polling.PollOutcome(
        error="arXiv's answer could not be read: arXiv sent an entry without an id. "
        "Nothing was kept."
    )
    watch.refresh_from_db()
    assert watch.last_error == outcome.error
    assert watch.newest_submitted_at is None
    assert not Candidate.objects.exists()
    assert not Paper.objects.filter(arxiv_id__startswith="2612.").exists()


def test_poll_of_garbage_records_a_readable_error_and_keeps_the_inbox(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    polling.poll_watch(watch, now=NOW)
    before = {c.paper_id: (c.score, c.state) for c in _found(watch.publication)}
    watch.refresh_from_db()
    newest = watch.newest_submitted_at
    stand_in.garbage = b"<html><body>Bad gateway</body></html>"

    later = NOW + dt.timedelta(days=1)
    outcome = polling.poll_watch(watch, now=later)

    assert outcome.error == (
        "arXiv's answer could not be read: arXiv sent XML that is not an Atom feed. "
        "Nothing was kept."
    )
    assert {c.paper_id: (c.score, c.state) for c in _found(watch.publication)} == before
    watch.refresh_from_db()
    assert (watch.last_polled_at, watch.last_error) == (later, outcome.error)
    assert (watch.newest_submitted_at, watch.last_found, watch.last_kept) == (newest, 240, 10)

    # The next good answer clears the error.
    stand_in.garbage = None
    polling.poll_watch(watch, now=later)
    watch.refresh_from_db()
    assert watch.last_error == ""


def test_poll_of_a_refused_query_records_it(watch: Watch, stand_in: ArxivSearchStandIn) -> None:
    stand_in.refuse_query = True

    outcome = polling.poll_watch(watch, now=NOW)

    assert not outcome.retry
    watch.refresh_from_db()
    assert watch.last_error == (
        "arXiv refused the watch's search: arXiv rejected the query: incorrect search query. "
        "Correct its categories or query."
    )


# --- the tasks ----------------------------------------------------------------------------------


def _run_poll_task(watch: Watch, *, retries: int) -> dict[str, Any]:
    """Run ``inbox.poll_watch`` as a worker would (not eager), catching its retry."""
    asked: dict[str, Any] = {}

    def fake_retry(**kwargs: Any) -> None:
        asked.update(kwargs)
        raise Retry()

    task = tasks.task_poll_watch
    original = task.retry
    task.retry = fake_retry
    task.push_request(is_eager=False, retries=retries)
    try:
        try:
            asked["result"] = task.run(watch.pk)
        except Retry:
            asked["retried"] = True
    finally:
        task.pop_request()
        task.retry = original
    return asked


def test_poll_task_retries_arxiv_unavailable_after_its_retry_after(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    stand_in.papers = week_of_submissions(now=timezone.now())  # the task polls now
    stand_in.fail_first = 1
    stand_in.retry_after = "30"

    asked = _run_poll_task(watch, retries=0)

    assert asked["retried"]
    assert 30.0 <= asked["countdown"] <= retry.BACKOFF_CAP
    watch.refresh_from_db()
    # Not recorded while it is retried: the watch says nothing went wrong yet.
    assert (watch.last_polled_at, watch.last_error) == (None, "")

    asked = _run_poll_task(watch, retries=1)  # the retry: arXiv answers now

    assert asked["result"] == {"found": 240, "kept": 10, "error": ""}
    assert Candidate.objects.filter(publication=watch.publication).count() == 10


def test_poll_task_records_arxiv_unavailable_on_its_last_attempt(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    stand_in.fail_first = 10

    asked = _run_poll_task(watch, retries=tasks.MAX_RETRIES)

    assert "retried" not in asked
    watch.refresh_from_db()
    assert watch.last_error == (
        "arXiv did not answer the poll: arXiv is temporarily unavailable (HTTP 503). "
        "Please try again later."
    )
    assert not Candidate.objects.exists()


def test_poll_task_does_not_retry_a_refused_query(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    stand_in.refuse_query = True

    asked = _run_poll_task(watch, retries=0)

    assert "retried" not in asked
    assert asked["result"]["error"].startswith("arXiv refused the watch's search")
    assert len(stand_in.requests) == 1


def test_poll_task_leaves_an_inactive_or_deleted_watch_alone(
    watch: Watch, stand_in: ArxivSearchStandIn
) -> None:
    Watch.objects.filter(pk=watch.pk).update(is_active=False)
    assert tasks.task_poll_watch.delay(watch.pk).get() == {"found": 0, "kept": 0, "error": ""}
    assert tasks.task_poll_watch.delay(watch.pk + 1000).get() == {
        "found": 0,
        "kept": 0,
        "error": "",
    }
    assert stand_in.requests == []


def test_poll_watches_queues_each_active_watch(
    publication: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    active = WatchFactory.create_batch(2, publication=publication)
    WatchFactory(publication=publication, is_active=False)
    queued: list[int] = []
    monkeypatch.setattr(tasks.task_poll_watch, "delay", queued.append)

    assert tasks.task_poll_watches.delay().get() == 2
    assert queued == [w.pk for w in active]


def test_queue_poll_enqueues_after_commit(
    publication: Publication,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    watch = WatchFactory(publication=publication)
    queued: list[int] = []
    monkeypatch.setattr(tasks.task_poll_watch, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_poll(watch)
        assert queued == []

    assert queued == [watch.pk]


def test_sweep_expires_candidates_and_releases_stale_claims(publication: Publication) -> None:
    long_ago = NOW - dt.timedelta(days=60)
    old = CandidateFactory(publication=publication)
    Candidate.objects.filter(pk=old.pk).update(found_at=long_ago)
    stale = CandidateFactory(publication=publication, claimed=True, claimed_at=long_ago)
    CandidateFactory(publication=publication)

    assert tasks.task_sweep.delay().get() == {"expired": 1, "released": 1}
    assert Candidate.objects.get(pk=old.pk).state == "expired"
    assert Candidate.objects.get(pk=stale.pk).state == "new"


def test_beat_polls_daily_sweeps_daily_and_mails_digests_on_monday(settings: Any) -> None:
    by_task = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    poll, sweep, digests = (
        by_task["inbox.poll_watches"],
        by_task["inbox.sweep"],
        by_task["inbox.send_digests"],
    )
    assert poll.day_of_week == sweep.day_of_week == set(range(7))
    assert len(poll.hour) == len(sweep.hour) == 1
    assert digests.day_of_week == {1}
    assert digests.hour == {7}
