"""Fetching papers' metadata: asking a worker for it, and one fetch from start to end.

A fetch marks its papers ``fetching``, hands them to the sources (``papers.services.sources``),
and whatever stops it midway hands its unfinished papers back to the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from common.queue import enqueue_after_commit
from papers import faults
from papers.clients import (
    acl_anthology,
    aminer,
    arxiv,
    crossref,
    openalex,
    openreview,
    semanticscholar,
)
from papers.enums import MetadataSource, MetadataStatus
from papers.faults import Fault
from papers.models import Paper
from papers.ratelimit import rate_limiter
from papers.services.enrichment import openalex_client, request_enrichment
from papers.services.sources import (
    DoiLookup,
    FetchOutcome,
    _fetch_from_aminer,
    _fetch_from_arxiv,
    _fetch_one_by_one,
    _record_error,
)
from papers.signals import send_metadata_arrived

# The name the catalogue's services have always logged under, whichever module logs.
logger = logging.getLogger("papers.services")


#: Papers whose metadata a fetch fills in; ``ok`` ones are only refreshed on request.
UNFETCHED_STATUSES = (
    MetadataStatus.PENDING,
    MetadataStatus.FETCHING,
    MetadataStatus.NOT_FOUND,
    MetadataStatus.FAILED,
)
#: A paper is given up (``failed``, until someone asks to fetch it again) once this many fetches
#: of it failed or never finished: whatever keeps killing its fetch, it is not tried for ever.
MAX_ATTEMPTS = 10


def arxiv_client() -> arxiv.ArxivClient:
    return arxiv.ArxivClient(
        settings.ARXIV_API_URL,
        timeout=settings.OUTSIDE_API_TIMEOUT,
        limiter=rate_limiter(
            "arxiv",
            min_interval=settings.ARXIV_MIN_INTERVAL,
            redis_url=settings.REDIS_URL,
            lock_dir=settings.VAR_DIR,
            # A worker killed while holding the lock frees it when its lease ends: long enough
            # for a request to time out, short enough not to stall the others for long.
            lease=2 * settings.OUTSIDE_API_TIMEOUT + settings.ARXIV_MIN_INTERVAL,
        ),
    )


def _limiter(name: str, min_interval: float) -> Callable[[], AbstractContextManager[None]]:
    """The rate limit of the source ``name``, shared by every worker."""
    return rate_limiter(
        name,
        min_interval=min_interval,
        redis_url=settings.REDIS_URL,
        lock_dir=settings.VAR_DIR,
        lease=2 * settings.OUTSIDE_API_TIMEOUT + min_interval,
    )


def crossref_client() -> crossref.CrossrefClient:
    return crossref.CrossrefClient(
        settings.CROSSREF_API_URL,
        mailto=settings.CROSSREF_MAILTO,
        timeout=settings.OUTSIDE_API_TIMEOUT,
        limiter=_limiter("crossref", settings.CROSSREF_MIN_INTERVAL),
    )


def acl_anthology_client() -> acl_anthology.AclAnthologyClient:
    return acl_anthology.AclAnthologyClient(
        settings.ACL_ANTHOLOGY_DATA_URL,
        site_url=settings.ACL_ANTHOLOGY_URL,
        timeout=settings.OUTSIDE_API_TIMEOUT,
        limiter=_limiter("acl_anthology", settings.ACL_ANTHOLOGY_MIN_INTERVAL),
    )


def openreview_client() -> openreview.OpenReviewClient:
    return openreview.OpenReviewClient(
        settings.OPENREVIEW_API_URL,
        timeout=settings.OUTSIDE_API_TIMEOUT,
        limiter=_limiter("openreview", settings.OPENREVIEW_MIN_INTERVAL),
    )


def semantic_scholar_client() -> semanticscholar.SemanticScholarClient:
    return semanticscholar.SemanticScholarClient(
        settings.SEMANTIC_SCHOLAR_API_URL,
        api_key=settings.SEMANTIC_SCHOLAR_API_KEY,
        timeout=settings.OUTSIDE_API_TIMEOUT,
        limiter=_limiter("semanticscholar", settings.SEMANTIC_SCHOLAR_MIN_INTERVAL),
    )


def aminer_client() -> aminer.AminerClient:
    return aminer.AminerClient(
        settings.AMINER_API_URL,
        token=settings.AMINER_API_TOKEN,
        timeout=settings.OUTSIDE_API_TIMEOUT,
    )


def request_metadata_fetch(paper_ids: Sequence[int], *, refresh: bool = False) -> None:
    """Have a worker fetch these papers' metadata once the current transaction commits.

    A broker that is down must not fail the member's submission: the paper stays ``pending``
    and the periodic sweep enqueues it again once the broker is back.

    Side effects: enqueues ``task_fetch_paper_metadata`` after commit.
    """
    from papers.tasks import task_fetch_paper_metadata

    ids = list(dict.fromkeys(paper_ids))
    if ids:
        enqueue_after_commit(task_fetch_paper_metadata, ids, refresh)


def refetch_metadata(paper: Paper) -> None:
    """Have a worker fetch ``paper``'s metadata anew ("fetch again").

    A paper that failed or was not found starts afresh (pending, no error, no attempts); one whose
    metadata is fine, or was entered by hand, is refreshed from its source.

    Side effects: may reset the Paper's metadata status; enqueues a fetch after commit.
    """
    if paper.metadata_status == MetadataStatus.OK:
        request_metadata_fetch([paper.pk], refresh=True)
        return
    Paper.objects.filter(pk=paper.pk).update(
        metadata_status=MetadataStatus.PENDING, metadata_error="", metadata_attempts=0
    )
    paper.metadata_status, paper.metadata_error, paper.metadata_attempts = (
        MetadataStatus.PENDING,
        "",
        0,
    )
    request_metadata_fetch([paper.pk])


def fetch_metadata(
    paper_ids: Sequence[int],
    *,
    refresh: bool = False,
    final_attempt: bool = True,
    arxiv_api: arxiv.ArxivClient | None = None,
    aminer_api: aminer.AminerClient | None = None,
    crossref_api: crossref.CrossrefClient | None = None,
    acl_anthology_api: acl_anthology.AclAnthologyClient | None = None,
    openreview_api: openreview.OpenReviewClient | None = None,
    semantic_scholar_api: semanticscholar.SemanticScholarClient | None = None,
    openalex_api: openalex.OpenAlexClient | None = None,
) -> FetchOutcome:
    """Fetch the metadata of these papers: arXiv ones in batches of 100, the others one by one
    from the source of their identifier (``SOURCE_ORDER``); a DOI from OpenAlex, then Crossref.

    Papers whose metadata is ``ok`` are skipped unless ``refresh`` or entered by hand; a refresh
    rewrites a paper only when arXiv has a newer version. Metadata from the source replaces a
    hand entry, unless an editor kept it: kept papers are never fetched. A passing fault leaves
    the paper ``pending`` with the error and lists it in ``retry``, unless this is the
    ``final_attempt``, which marks it ``failed``. Each paper is stored on its own: one the
    database refuses is ``failed`` alone, its batch-mates stored. A fetch stopped midway (an
    exception, the task's soft time limit) hands its unfinished papers back as ``pending``, each
    attempt counted, and a paper is given up after ``MAX_ATTEMPTS``. Running this twice gives the
    same rows as running it once.

    Side effects: updates Papers (status, error, attempts, metadata); calls the sources;
    enqueues the enrichment of the papers fetched (``request_enrichment``); sends
    ``paper_metadata_arrived`` for them after commit.
    """
    outcome = FetchOutcome()
    papers = Paper.objects.filter(pk__in=list(paper_ids)).prefetch_related(
        "paper_institutions__institution"
    )
    papers = papers.exclude(metadata_kept=True)
    if not refresh:
        papers = papers.filter(
            Q(metadata_status__in=UNFETCHED_STATUSES) | Q(metadata_source=MetadataSource.MANUAL)
        )
    papers = _start_fetching(list(papers), outcome)
    try:
        _fetch(
            papers,
            outcome,
            refresh=refresh,
            final_attempt=final_attempt,
            arxiv_api=arxiv_api,
            aminer_api=aminer_api,
            crossref_api=crossref_api,
            acl_anthology_api=acl_anthology_api,
            openreview_api=openreview_api,
            semantic_scholar_api=semantic_scholar_api,
            openalex_api=openalex_api,
        )
    except BaseException as error:
        # Whatever stopped this fetch (the task's soft time limit, a fault nobody foresaw), no
        # paper of it stays "fetching" with no word of why; the sweep tries them again.
        reason = "it took too long" if isinstance(error, SoftTimeLimitExceeded) else repr(error)
        _release_unfinished([p.pk for p in papers], reason=reason)
        raise
    # Their affiliations next, from OpenAlex: arXiv rarely names them, and a fetch replaces
    # the authors' affiliations with the source's.
    request_enrichment(outcome.fetched)
    send_metadata_arrived(outcome.fetched)
    return outcome


def _start_fetching(papers: list[Paper], outcome: FetchOutcome) -> list[Paper]:
    """Mark ``papers`` as being fetched, now; return those to fetch.

    A paper found ``fetching`` had a fetch that never finished (its worker killed, out of memory
    or time; rarely, one still running): that counts as an attempt, and after ``MAX_ATTEMPTS``
    the paper is given up instead of handed out again and again by the broker and the sweep.
    """
    unfinished = [p for p in papers if p.metadata_status == MetadataStatus.FETCHING]
    given_up = [p.pk for p in unfinished if p.metadata_attempts + 1 >= MAX_ATTEMPTS]
    _record_error(
        given_up,
        status=MetadataStatus.FAILED,
        error=Fault(
            faults.NEVER_FINISHED, "", {"attempts": str(MAX_ATTEMPTS)}, then=faults.BY_HAND
        ),
    )
    outcome.failed.extend(given_up)
    papers = [p for p in papers if p.pk not in given_up]
    for paper in unfinished:
        paper.metadata_attempts += 1  # kept when the paper is saved with its metadata
    Paper.objects.filter(pk__in=[p.pk for p in unfinished if p.pk not in given_up]).update(
        metadata_attempts=F("metadata_attempts") + 1
    )
    # ``updated_at`` too (``update`` leaves it alone): the sweep takes a paper fetching for
    # longer than the task's time limit for one whose fetch died.
    Paper.objects.filter(
        pk__in=[p.pk for p in papers if p.metadata_status != MetadataStatus.OK]
    ).update(metadata_status=MetadataStatus.FETCHING, updated_at=timezone.now())
    return papers


def _release_unfinished(paper_ids: Sequence[int], *, reason: str) -> None:
    """Hand the papers of a fetch that stopped midway, and still ``fetching``, back to the
    sweep, each with the attempt counted (given up after ``MAX_ATTEMPTS``)."""
    error = Fault(faults.STOPPED, "", detail=reason)
    unfinished = Paper.objects.filter(pk__in=paper_ids, metadata_status=MetadataStatus.FETCHING)
    try:
        _record_error(
            unfinished.filter(metadata_attempts__gte=MAX_ATTEMPTS - 1).values_list("pk", flat=True),
            status=MetadataStatus.FAILED,
            error=error.with_then(faults.GAVE_UP),
        )
        _record_error(
            unfinished.values_list("pk", flat=True),
            status=MetadataStatus.PENDING,
            error=error.with_then(faults.RETRY),
        )
    except Exception:
        # The database itself may be what stopped the fetch; the sweep finds the papers still
        # "fetching" once the task's time limit has passed.
        logger.exception("Could not release the papers of a stopped fetch: %s", paper_ids)


def _fetch(
    papers: list[Paper],
    outcome: FetchOutcome,
    *,
    refresh: bool,
    final_attempt: bool,
    arxiv_api: arxiv.ArxivClient | None,
    aminer_api: aminer.AminerClient | None,
    crossref_api: crossref.CrossrefClient | None,
    acl_anthology_api: acl_anthology.AclAnthologyClient | None,
    openreview_api: openreview.OpenReviewClient | None,
    semantic_scholar_api: semanticscholar.SemanticScholarClient | None,
    openalex_api: openalex.OpenAlexClient | None,
) -> None:
    """Each paper is asked of one source, the first of its identifiers in this order: arXiv,
    AMiner, the ACL Anthology, OpenReview, OpenAlex then Crossref for a DOI (``DoiLookup``), then
    Semantic Scholar. A paper
    another source linked to an arXiv id is refreshed from arXiv from then on: a paper recommended
    by its Semantic Scholar page takes the arXiv id, DOI or ACL Anthology id Semantic Scholar
    maps it to, and is known by that one. The clients built here are closed when it ends; those
    handed in are their caller's."""
    with ExitStack() as owned:
        _fetch_by_source(
            papers,
            outcome,
            refresh=refresh,
            final_attempt=final_attempt,
            arxiv_api=arxiv_api,
            aminer_api=aminer_api,
            crossref_api=crossref_api or owned.enter_context(crossref_client()),
            acl_anthology_api=acl_anthology_api or owned.enter_context(acl_anthology_client()),
            openreview_api=openreview_api or owned.enter_context(openreview_client()),
            semantic_scholar_api=semantic_scholar_api
            or owned.enter_context(semantic_scholar_client()),
            # None when OPENALEX_API_URL is empty: Crossref alone is asked.
            openalex_api=openalex_api or _entered(owned, openalex_client()),
        )


def _entered(
    owned: ExitStack, client: openalex.OpenAlexClient | None
) -> openalex.OpenAlexClient | None:
    return owned.enter_context(client) if client is not None else None


def _fetch_by_source(
    papers: list[Paper],
    outcome: FetchOutcome,
    *,
    refresh: bool,
    final_attempt: bool,
    arxiv_api: arxiv.ArxivClient | None,
    aminer_api: aminer.AminerClient | None,
    crossref_api: crossref.CrossrefClient,
    acl_anthology_api: acl_anthology.AclAnthologyClient,
    openreview_api: openreview.OpenReviewClient,
    semantic_scholar_api: semanticscholar.SemanticScholarClient,
    openalex_api: openalex.OpenAlexClient | None,
) -> None:
    by_arxiv = {p.arxiv_id: p for p in papers if p.arxiv_id}
    if by_arxiv:
        _fetch_from_arxiv(
            by_arxiv,
            outcome,
            refresh=refresh,
            final_attempt=final_attempt,
            client=arxiv_api or arxiv_client(),
        )
    rest = [p for p in papers if not p.arxiv_id]
    on_aminer = [p for p in rest if p.aminer_id]
    if on_aminer:
        _fetch_from_aminer(
            on_aminer, outcome, final_attempt=final_attempt, client=aminer_api or aminer_client()
        )
    rest = [p for p in rest if not p.aminer_id]
    in_anthology = [p for p in rest if p.acl_id]
    if in_anthology:
        # One client for the fetch: it reads each collection's file once for all its papers.
        _fetch_one_by_one(
            in_anthology,
            outcome,
            source=MetadataSource.ACL_ANTHOLOGY,
            key=lambda paper: paper.acl_id,
            fetch=acl_anthology_api.fetch,
            final_attempt=final_attempt,
        )
    rest = [p for p in rest if not p.acl_id]
    on_openreview = [p for p in rest if p.openreview_id]
    if on_openreview:
        _fetch_one_by_one(
            on_openreview,
            outcome,
            source=MetadataSource.OPENREVIEW,
            key=lambda paper: paper.openreview_id,
            fetch=openreview_api.fetch,
            final_attempt=final_attempt,
        )
    rest = [p for p in rest if not p.openreview_id]
    by_doi = [p for p in rest if p.doi]
    if by_doi:
        lookup = DoiLookup(crossref_api, openalex_api)
        _fetch_one_by_one(
            by_doi,
            outcome,
            source=MetadataSource.CROSSREF,
            key=lambda paper: paper.doi,
            fetch=lookup.fetch,
            final_attempt=final_attempt,
            missing=lookup.missing,
        )
    on_semantic_scholar = [p for p in rest if not p.doi and p.s2_id]
    if on_semantic_scholar:
        _fetch_one_by_one(
            on_semantic_scholar,
            outcome,
            source=MetadataSource.SEMANTIC_SCHOLAR,
            key=lambda paper: paper.s2_id,
            fetch=semantic_scholar_api.fetch,
            final_attempt=final_attempt,
        )
