"""Writes to the paper catalogue."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from common.queue import enqueue_after_commit
from papers.clients import aminer, arxiv
from papers.enums import MetadataSource, MetadataStatus
from papers.identifiers import Identifier
from papers.models import (
    Author,
    Authorship,
    Institution,
    MetadataEntry,
    Paper,
    PaperInstitution,
)
from papers.ratelimit import LimiterBusy, rate_limiter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthorData:
    name: str
    affiliation: str = ""


@dataclass(frozen=True)
class PaperMetadata:
    """Everything known about a paper, whichever source it came from."""

    title: str
    abstract: str = ""
    authors: Sequence[AuthorData] = ()
    institutions: Sequence[str] = ()
    published_on: dt.date | None = None
    year: int | None = None
    revised_on: dt.date | None = None
    arxiv_version: int | None = None
    primary_category: str = ""
    categories: Sequence[str] = field(default_factory=tuple)
    doi: str | None = None
    journal_ref: str = ""
    comment: str = ""
    code_url: str = ""
    pdf_url: str = ""
    title_zh: str = ""


def _lookup(identifier: Identifier) -> dict[str, str]:
    if identifier.scheme == "arxiv":
        return {"arxiv_id": identifier.value}
    return {"aminer_id": identifier.value}


def get_or_create_paper(identifier: Identifier) -> tuple[Paper, bool]:
    """The catalogue row for ``identifier``, created ``pending`` if it is new.

    Concurrent calls for one paper end in one row: the unique constraint decides, and the loser
    of the race reads the winner's row.

    Side effects: may insert a Paper.
    """
    lookup = _lookup(identifier)
    paper = Paper.objects.filter(**lookup).first()
    if paper is not None:
        return paper, False
    if identifier.scheme == "arxiv" and identifier.version:
        lookup["arxiv_version"] = identifier.version
    try:
        # A savepoint, so that a lost race does not break the caller's transaction.
        with transaction.atomic():
            return Paper.objects.create(**lookup), True
    except IntegrityError:
        return Paper.objects.get(**_lookup(identifier)), False


def _normalize_doi(doi: str | None) -> str | None:
    doi = (doi or "").strip().lower()
    return doi or None


#: The most of each text the catalogue keeps of a paper's metadata, whatever its source. Hand
#: entry allows as much (the editorial app's form); real titles are under 500 characters,
#: abstracts under 10,000, and the longest author lists (the LHC collaborations') hold a few
#: thousand names, while positions are smallints. More is cut, and the paper's metadata error
#: says so.
TITLE_MAX_LENGTH = 1000
ABSTRACT_MAX_LENGTH = 20_000
COMMENT_MAX_LENGTH = 2000
AUTHORS_MAX = 10_000
INSTITUTIONS_MAX = 1000
CATEGORIES_MAX = 100


@transaction.atomic
def apply_paper_metadata(paper: Paper, metadata: PaperMetadata, *, source: str) -> Paper:
    """Store ``metadata`` on ``paper`` and mark its metadata ``ok``.

    Authors and institutions are replaced in the order given. A DOI already held by another paper
    is not taken over (the other row keeps it), so that a refresh never breaks the catalogue's
    uniqueness. Texts and lists beyond the catalogue's limits (``TITLE_MAX_LENGTH`` and the
    others above) are cut, and ``metadata_error`` names what was cut. Metadata from a source
    replaces a hand entry whole (its Chinese title too); the hand entry stays in its
    ``MetadataEntry``, marked replaced.

    Side effects: updates the Paper; replaces its Authorship and PaperInstitution rows; may insert
    Author and Institution rows; may mark MetadataEntry rows replaced.
    """
    if source not in MetadataSource.values:
        raise ValueError(f"Unknown metadata source {source!r}")
    replacing_hand_entry = (
        paper.metadata_source == MetadataSource.MANUAL and source != MetadataSource.MANUAL
    )
    cut: list[str] = []
    paper.title = _cut_text(metadata.title.strip(), TITLE_MAX_LENGTH, "the title", cut)
    paper.abstract = _cut_text(metadata.abstract.strip(), ABSTRACT_MAX_LENGTH, "the abstract", cut)
    authors = _cut_list(metadata.authors, AUTHORS_MAX, "the authors", cut)
    institutions = _cut_list(
        list(dict.fromkeys(n.strip()[:300] for n in metadata.institutions if n.strip())),
        INSTITUTIONS_MAX,
        "the institutions",
        cut,
    )
    categories = _cut_list(metadata.categories, CATEGORIES_MAX, "the categories", cut)
    paper.published_on = metadata.published_on
    paper.year = metadata.year or (metadata.published_on.year if metadata.published_on else None)
    paper.revised_on = metadata.revised_on
    if metadata.arxiv_version:
        paper.arxiv_version = metadata.arxiv_version
    # The sources' texts may be longer than the columns (PostgreSQL would refuse the row): texts
    # are cut, and a link too long to keep is no link at all.
    paper.primary_category = _fit("primary_category", metadata.primary_category)
    paper.categories = list(categories)
    paper.journal_ref = _fit("journal_ref", metadata.journal_ref)
    paper.comment = _cut_text(metadata.comment, COMMENT_MAX_LENGTH, "the comment", cut)
    if metadata.code_url and _fits("code_url", metadata.code_url):
        paper.code_url = metadata.code_url
    paper.pdf_url = metadata.pdf_url if _fits("pdf_url", metadata.pdf_url) else ""
    if metadata.title_zh or replacing_hand_entry:
        paper.title_zh = _fit("title_zh", metadata.title_zh.strip())
    doi = _normalize_doi(metadata.doi)
    if doi and not _fits("doi", doi):
        doi = None
    if doi and not Paper.objects.filter(doi=doi).exclude(pk=paper.pk).exists():
        paper.doi = doi
    paper.metadata_status = MetadataStatus.OK
    paper.metadata_source = source
    paper.metadata_error = f"Cut to the catalogue's limits: {'; '.join(cut)}." if cut else ""
    paper.metadata_fetched_at = timezone.now()
    if source != MetadataSource.MANUAL:
        paper.metadata_kept = False
    paper.save()
    _replace_authors(paper, authors)
    _replace_institutions(paper, institutions)
    if replacing_hand_entry:
        paper.metadata_entries.filter(replaced_at__isnull=True).update(
            replaced_at=paper.metadata_fetched_at, replaced_by=source
        )
    return paper


def _hand_fields(paper: Paper) -> dict[str, Any]:
    """The fields a hand entry writes, as stored."""
    return {
        "title": paper.title,
        "title_zh": paper.title_zh,
        "abstract": paper.abstract,
        "year": paper.year,
        "authors": [a.author.name for a in paper.authorships.select_related("author")],
        "institutions": [
            i.institution.name for i in paper.paper_institutions.select_related("institution")
        ],
        "status": paper.metadata_status,
        "source": paper.metadata_source,
    }


@transaction.atomic
def enter_metadata_by_hand(
    paper: Paper, metadata: PaperMetadata, *, by: Any, keep: bool = False
) -> Paper:
    """Store metadata entered by hand (source ``manual``) and record who entered what.

    A later fetch from the source replaces it, unless ``keep``: then fetches leave the paper alone
    until a hand entry without ``keep``. Who may do this is the caller's business.

    Side effects: those of ``apply_paper_metadata``; sets ``Paper.metadata_kept``; inserts a
    MetadataEntry with the values entered and those they replaced.
    """
    previous = _hand_fields(paper)
    paper.metadata_kept = keep
    apply_paper_metadata(paper, metadata, source=MetadataSource.MANUAL)
    MetadataEntry.objects.create(
        paper=paper,
        entered_by=by,
        values=_hand_fields(paper),
        previous=previous,
        kept=keep,
    )
    return paper


def _cut_text(text: str, limit: int, name: str, cut: list[str]) -> str:
    if len(text) <= limit:
        return text
    cut.append(f"{name} ({len(text)} characters, {limit} kept)")
    return text[:limit].rstrip()


def _cut_list(items: Sequence[Any], limit: int, name: str, cut: list[str]) -> Sequence[Any]:
    if len(items) <= limit:
        return items
    cut.append(f"{name} ({len(items)}, the first {limit} kept)")
    return items[:limit]


def _fits(field_name: str, value: str) -> bool:
    return len(value) <= Paper._meta.get_field(field_name).max_length


def _fit(field_name: str, value: str) -> str:
    return value[: Paper._meta.get_field(field_name).max_length]


def _get_or_create_named(model: type[Author] | type[Institution], names: list[str]) -> dict:
    """{name: row} for ``names``, creating the missing rows in one statement."""
    existing = {row.name: row for row in model.objects.filter(name__in=names)}
    missing = [model(name=name) for name in dict.fromkeys(names) if name not in existing]
    if missing:
        model.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {row.name: row for row in model.objects.filter(name__in=names)}
    return existing


def _replace_authors(paper: Paper, authors: Sequence[AuthorData]) -> None:
    paper.authorships.all().delete()
    names = [a.name.strip()[:300] for a in authors if a.name.strip()]
    rows = _get_or_create_named(Author, names)
    affiliations = {a.name.strip()[:300]: a.affiliation for a in authors}
    Authorship.objects.bulk_create(
        Authorship(
            paper=paper,
            author=rows[name],
            position=position,
            affiliation=affiliations.get(name, "")[:500],
        )
        for position, name in enumerate(dict.fromkeys(names), start=1)
    )


def _replace_institutions(paper: Paper, institutions: Sequence[str]) -> None:
    paper.paper_institutions.all().delete()
    names = list(dict.fromkeys(n.strip()[:300] for n in institutions if n.strip()))
    rows = _get_or_create_named(Institution, names)
    PaperInstitution.objects.bulk_create(
        PaperInstitution(paper=paper, institution=rows[name], position=position)
        for position, name in enumerate(names, start=1)
    )


def fill_missing_title_zh(paper: Paper, title_zh: str) -> None:
    """Give the paper a Chinese title from a recommendation when it has none yet.

    Side effects: updates ``Paper.title_zh``.
    """
    title_zh = title_zh.strip()
    if title_zh and not paper.title_zh:
        Paper.objects.filter(pk=paper.pk, title_zh="").update(title_zh=title_zh[:500])
        paper.title_zh = title_zh[:500]


# --- fetching metadata --------------------------------------------------------------------------


#: Papers whose metadata a fetch fills in; ``ok`` ones are only refreshed on request.
UNFETCHED_STATUSES = (
    MetadataStatus.PENDING,
    MetadataStatus.FETCHING,
    MetadataStatus.NOT_FOUND,
    MetadataStatus.FAILED,
)
ERROR_MAX_LENGTH = 1000
#: A paper is given up (``failed``, until someone asks to fetch it again) once this many fetches
#: of it failed or never finished: whatever keeps killing its fetch, it is not tried for ever.
MAX_ATTEMPTS = 10


@dataclass
class FetchOutcome:
    """What one fetch did, paper id by paper id."""

    fetched: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    not_found: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    #: Papers that met a passing fault (network, 429, 5xx) and should be tried again later.
    retry: list[int] = field(default_factory=list)
    retry_after: float | None = None
    waiting: list[int] = field(default_factory=list)
    #: Requests made to arXiv.
    arxiv_requests: int = 0


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


def _record_error(
    paper_ids: Sequence[int], *, status: str, error: str, attempt: bool = True
) -> None:
    update: dict[str, Any] = {
        "metadata_status": status,
        "metadata_error": error[:ERROR_MAX_LENGTH],
        "updated_at": timezone.now(),
    }
    if attempt:
        update["metadata_attempts"] = F("metadata_attempts") + 1
    Paper.objects.filter(pk__in=list(paper_ids)).update(**update)


def _entry_metadata(entry: arxiv.ArxivEntry, paper: Paper) -> PaperMetadata:
    institutions = [aff for author in entry.authors for aff in author.affiliations]
    if not institutions and paper.metadata_source != MetadataSource.MANUAL:
        # arXiv rarely names affiliations: those known from elsewhere stay, but not a hand
        # entry's, which the source's metadata replaces.
        institutions = [pi.institution.name for pi in paper.paper_institutions.all()]
    return PaperMetadata(
        title=entry.title,
        abstract=entry.abstract,
        authors=[AuthorData(a.name, "; ".join(a.affiliations)) for a in entry.authors],
        institutions=institutions,
        published_on=entry.published.date() if entry.published else None,
        revised_on=entry.updated.date() if entry.updated else None,
        arxiv_version=entry.version,
        primary_category=entry.primary_category or "",
        categories=entry.categories,
        doi=entry.doi,
        journal_ref=entry.journal_ref or "",
        comment=entry.comment or "",
        code_url=paper.code_url or entry.code_url or "",
        pdf_url=entry.pdf_url or "",
    )


def fetch_metadata(
    paper_ids: Sequence[int],
    *,
    refresh: bool = False,
    final_attempt: bool = True,
    arxiv_api: arxiv.ArxivClient | None = None,
    aminer_api: aminer.AminerClient | None = None,
) -> FetchOutcome:
    """Fetch the metadata of these papers: arXiv ones in batches of 100, AMiner ones one by one.

    Papers whose metadata is ``ok`` are skipped unless ``refresh`` or entered by hand; a refresh
    rewrites a paper only when arXiv has a newer version. Metadata from the source replaces a
    hand entry, unless an editor kept it: kept papers are never fetched. A passing fault leaves
    the paper ``pending`` with the error and lists it in ``retry``, unless this is the
    ``final_attempt``, which marks it ``failed``. Each paper is stored on its own: one the
    database refuses is ``failed`` alone, its batch-mates stored. A fetch stopped midway (an
    exception, the task's soft time limit) hands its unfinished papers back as ``pending``, each
    attempt counted, and a paper is given up after ``MAX_ATTEMPTS``. Running this twice gives the
    same rows as running it once.

    Side effects: updates Papers (status, error, attempts, metadata); calls arXiv and AMiner.
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
        )
    except BaseException as error:
        # Whatever stopped this fetch (the task's soft time limit, a fault nobody foresaw), no
        # paper of it stays "fetching" with no word of why; the sweep tries them again.
        reason = "it took too long" if isinstance(error, SoftTimeLimitExceeded) else repr(error)
        _release_unfinished([p.pk for p in papers], reason=reason)
        raise
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
        error=f"Fetching this paper never finished in {MAX_ATTEMPTS} attempts; gave up. "
        "Fill in its fields by hand, or fetch it again.",
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
    error = f"The fetch stopped before this paper was stored: {reason}."
    unfinished = Paper.objects.filter(pk__in=paper_ids, metadata_status=MetadataStatus.FETCHING)
    try:
        _record_error(
            unfinished.filter(metadata_attempts__gte=MAX_ATTEMPTS - 1).values_list("pk", flat=True),
            status=MetadataStatus.FAILED,
            error=f"{error} Gave up after {MAX_ATTEMPTS} attempts.",
        )
        _record_error(
            unfinished.values_list("pk", flat=True),
            status=MetadataStatus.PENDING,
            error=f"{error} Will try again.",
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
    on_aminer = [p for p in papers if not p.arxiv_id and p.aminer_id]
    if on_aminer:
        _fetch_from_aminer(
            on_aminer, outcome, final_attempt=final_attempt, client=aminer_api or aminer_client()
        )
    doi_only = [p.pk for p in papers if not p.arxiv_id and not p.aminer_id]
    if doi_only:
        _record_error(
            doi_only,
            status=MetadataStatus.FAILED,
            error="Only a DOI is known for this paper; fill in its fields by hand.",
        )
        outcome.failed.extend(doi_only)


def _transient(
    papers: Sequence[Paper],
    outcome: FetchOutcome,
    error: str,
    *,
    final_attempt: bool,
    retry_after: float | None = None,
) -> None:
    """Record a passing fault. A paper whose metadata is already ``ok`` keeps it: only the error
    is noted, so a failed refresh never hides good metadata."""
    fetched = [p.pk for p in papers if p.metadata_status == MetadataStatus.OK]
    missing = [p.pk for p in papers if p.metadata_status != MetadataStatus.OK]
    if final_attempt:
        _record_error(
            missing, status=MetadataStatus.FAILED, error=f"{error} Gave up after retrying."
        )
        _record_error(
            fetched,
            status=MetadataStatus.OK,
            error=f"Refreshing failed: {error} The metadata shown is from the last fetch.",
        )
        outcome.failed.extend(missing)
        outcome.unchanged.extend(fetched)
    else:
        _record_error(missing, status=MetadataStatus.PENDING, error=f"{error} Will try again.")
        _record_error(fetched, status=MetadataStatus.OK, error=f"{error} Will try again.")
        outcome.retry.extend(missing + fetched)
        if retry_after:
            outcome.retry_after = max(outcome.retry_after or 0, retry_after)


def _fetch_from_arxiv(
    by_arxiv: dict[str, Paper],
    outcome: FetchOutcome,
    *,
    refresh: bool,
    final_attempt: bool,
    client: arxiv.ArxivClient,
) -> None:
    ids = list(by_arxiv)
    # One call per batch, so that a fault in one batch leaves the others' results standing.
    for start in range(0, len(ids), arxiv.BATCH_SIZE):
        batch = ids[start : start + arxiv.BATCH_SIZE]
        batch_papers = [by_arxiv[i] for i in batch]
        outcome.arxiv_requests += 1
        try:
            result = client.fetch(batch)
        except arxiv.ArxivUnavailable as error:
            _transient(
                batch_papers,
                outcome,
                f"arXiv could not be reached: {error}",
                final_attempt=final_attempt,
                retry_after=error.retry_after,
            )
            continue
        except (arxiv.ArxivError, LimiterBusy) as error:
            _transient(
                batch_papers,
                outcome,
                f"arXiv answered something unusable: {error}",
                final_attempt=final_attempt,
            )
            continue
        for arxiv_id in batch:
            paper = by_arxiv[arxiv_id]
            entry = result.entries.get(arxiv_id)
            if entry is None:
                if paper.metadata_status == MetadataStatus.OK:
                    outcome.unchanged.append(paper.pk)  # a refresh that found nothing keeps data
                    continue
                _record_error(
                    [paper.pk],
                    status=MetadataStatus.NOT_FOUND,
                    error=f"arXiv has no paper with the id {arxiv_id}.",
                )
                outcome.not_found.append(paper.pk)
                continue
            unchanged_version = (
                refresh
                and paper.metadata_status == MetadataStatus.OK
                and paper.metadata_source != MetadataSource.MANUAL
                and (entry.version or 0) <= (paper.arxiv_version or 0)
            )
            if unchanged_version:
                Paper.objects.filter(pk=paper.pk).update(
                    metadata_fetched_at=timezone.now(), metadata_error=""
                )
                outcome.unchanged.append(paper.pk)
                continue
            _store(
                paper,
                functools.partial(_entry_metadata, entry, paper),
                source=MetadataSource.ARXIV,
                outcome=outcome,
                final_attempt=final_attempt,
            )


def _fetch_from_aminer(
    papers: list[Paper],
    outcome: FetchOutcome,
    *,
    final_attempt: bool,
    client: aminer.AminerClient,
) -> None:
    for paper in papers:
        try:
            found = client.fetch(paper.aminer_id)
        except aminer.AminerNotConfigured as error:
            if _keeps_metadata(paper, outcome, str(error)):
                continue
            # Not a fault of the paper: it waits, and the member can fill it in by hand.
            _record_error(
                [paper.pk], status=MetadataStatus.PENDING, error=str(error), attempt=False
            )
            outcome.waiting.append(paper.pk)
            continue
        except aminer.AminerAuthError as error:
            if _keeps_metadata(paper, outcome, str(error)):
                continue
            _record_error([paper.pk], status=MetadataStatus.FAILED, error=str(error))
            outcome.failed.append(paper.pk)
            continue
        except aminer.AminerUnavailable as error:
            _transient(
                [paper],
                outcome,
                f"AMiner could not be reached: {error}",
                final_attempt=final_attempt,
                retry_after=error.retry_after,
            )
            continue
        except aminer.AminerError as error:
            _transient(
                [paper],
                outcome,
                f"AMiner answered something unusable: {error}",
                final_attempt=final_attempt,
            )
            continue
        if found is None:
            if _keeps_metadata(
                paper, outcome, f"AMiner has no paper with the id {paper.aminer_id}."
            ):
                continue
            _record_error(
                [paper.pk],
                status=MetadataStatus.NOT_FOUND,
                error=f"AMiner has no paper with the id {paper.aminer_id}.",
            )
            outcome.not_found.append(paper.pk)
            continue
        _store(
            paper,
            functools.partial(_aminer_metadata, found, paper),
            source=MetadataSource.AMINER,
            outcome=outcome,
            final_attempt=final_attempt,
        )


def _aminer_metadata(found: aminer.AminerPaper, paper: Paper) -> PaperMetadata:
    return PaperMetadata(
        title=found.title,
        title_zh=found.title_zh,
        abstract=found.abstract,
        authors=[AuthorData(a.name, a.org) for a in found.authors],
        institutions=found.institutions,
        year=found.year,
        doi=found.doi,
        journal_ref=found.venue,
        code_url=paper.code_url or found.code_url or "",
        pdf_url=found.pdf_url or "",
    )


def _store(
    paper: Paper,
    build: Callable[[], PaperMetadata],
    *,
    source: str,
    outcome: FetchOutcome,
    final_attempt: bool,
) -> None:
    """Store what the source sent for one paper. Whatever keeps it from being stored (data the
    database refuses, a limit nobody foresaw) fails this paper alone, with the reason, and its
    batch-mates are stored: one hostile entry never holds up the others."""
    had_metadata = paper.metadata_status == MetadataStatus.OK
    try:
        stored = _apply_unless_kept(paper, build(), source=source)
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:
        logger.exception("The metadata of paper %s could not be stored", paper.pk)
        paper.metadata_status = MetadataStatus.OK if had_metadata else MetadataStatus.FETCHING
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        message = (
            f"What {MetadataSource(source).label} sent for this paper could not be stored "
            f"({reason})."
        )
        if _passing_database_fault(error):
            _transient([paper], outcome, message, final_attempt=final_attempt)
        elif had_metadata:
            _record_error(
                [paper.pk],
                status=MetadataStatus.OK,
                error=f"Refreshing failed: {message} The metadata shown is from the last fetch.",
            )
            outcome.unchanged.append(paper.pk)
        else:
            _record_error(
                [paper.pk],
                status=MetadataStatus.FAILED,
                error=f"{message} Fill in its fields by hand, or fetch it again once the source "
                "is corrected.",
            )
            outcome.failed.append(paper.pk)
        return
    (outcome.fetched if stored else outcome.unchanged).append(paper.pk)


def _apply_unless_kept(paper: Paper, metadata: PaperMetadata, *, source: str) -> bool:
    """Store what a source gave, unless an editor kept a hand entry meanwhile; whether stored.

    The fetch read its papers before asking the source, seconds ago: the row is locked and read
    again, so a hand entry kept in between (``enter_metadata_by_hand`` locks it too) stays.
    """
    with transaction.atomic():
        current = (
            Paper.objects.select_for_update()
            .filter(pk=paper.pk)
            .values("metadata_kept", "metadata_source")
            .first()
        )
        if current is None or current["metadata_kept"]:
            return False
        paper.metadata_source = current["metadata_source"]
        apply_paper_metadata(paper, metadata, source=source)
    return True


def _keeps_metadata(paper: Paper, outcome: FetchOutcome, error: str) -> bool:
    """A paper whose metadata is ``ok`` (refreshed, or entered by hand) keeps it when the source
    gives nothing better: only the error is noted. False for a paper still without metadata."""
    if paper.metadata_status != MetadataStatus.OK:
        return False
    _record_error([paper.pk], status=MetadataStatus.OK, error=error, attempt=False)
    outcome.unchanged.append(paper.pk)
    return True


def _passing_database_fault(error: Exception) -> bool:
    """A deadlock, a serialization failure or a lost connection: another try may succeed."""
    sqlstate = getattr(error.__cause__, "sqlstate", None) or ""
    return isinstance(error, DatabaseError) and sqlstate[:2] in ("40", "08")
