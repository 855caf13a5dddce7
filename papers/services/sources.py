"""What the sources answer for a fetch's papers, stored paper by paper.

arXiv is asked in batches; AMiner, OpenAlex, Crossref and the others one paper at a time. A
paper known by its DOI alone is asked of OpenAlex first and then of Crossref (``DoiLookup``). A
passing fault (network, 429, 5xx, a deadlock) is noted for a later try; each paper is stored on
its own, so that one the database refuses fails alone and its batch-mates are stored.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from papers import faults
from papers.clients import aminer, arxiv, crossref, openalex
from papers.clients.http import (
    SourceError,
    SourceNotConfigured,
    SourceUnavailable,
)
from papers.clients.records import FoundPaper
from papers.enums import MetadataSource, MetadataStatus
from papers.faults import Fault
from papers.identifiers import Identifier, InvalidIdentifier, parse_identifier
from papers.models import Paper
from papers.ratelimit import LimiterBusy
from papers.services.catalogue import (
    AuthorData,
    PaperMetadata,
    apply_paper_metadata,
    get_or_create_paper,
)
from papers.services.enrichment import request_enrichment
from papers.signals import send_metadata_arrived

# The name the catalogue's services have always logged under, whichever module logs.
logger = logging.getLogger("papers.services")

ERROR_MAX_LENGTH = 1000
#: The source's own words kept with a fault for operators: enough to tell the cause.
DETAIL_MAX_LENGTH = 300


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


def _record_error(
    paper_ids: Sequence[int], *, status: str, error: Fault, attempt: bool = True
) -> None:
    """Note ``error`` on the papers: its code and parameters, which each reader's page words in
    their language (``papers.faults``)."""
    update: dict[str, Any] = {
        "metadata_status": status,
        "metadata_error": error.stored(),
        "updated_at": timezone.now(),
    }
    if attempt:
        update["metadata_attempts"] = F("metadata_attempts") + 1
    Paper.objects.filter(pk__in=list(paper_ids)).update(**update)


def _transient(
    papers: Sequence[Paper],
    outcome: FetchOutcome,
    error: Fault,
    *,
    final_attempt: bool,
    retry_after: float | None = None,
) -> None:
    """Record a passing fault. A paper whose metadata is already ``ok`` keeps it: only the error
    is noted, so a failed refresh never hides good metadata."""
    fetched = [p.pk for p in papers if p.metadata_status == MetadataStatus.OK]
    missing = [p.pk for p in papers if p.metadata_status != MetadataStatus.OK]
    if final_attempt:
        _record_error(missing, status=MetadataStatus.FAILED, error=error.with_then(faults.GAVE_UP))
        _record_error(fetched, status=MetadataStatus.OK, error=error.with_then(faults.KEPT))
        outcome.failed.extend(missing)
        outcome.unchanged.extend(fetched)
    else:
        _record_error(missing, status=MetadataStatus.PENDING, error=error.with_then(faults.RETRY))
        _record_error(fetched, status=MetadataStatus.OK, error=error.with_then(faults.RETRY))
        outcome.retry.extend(missing + fetched)
        if retry_after:
            outcome.retry_after = max(outcome.retry_after or 0, retry_after)


def _fault(code: str, source: str, error: Exception | None = None, **params: str) -> Fault:
    """The fault ``code`` of ``source``, with what the client said (in English, for operators):
    the page says what went wrong in the reader's language, naming the source once."""
    detail = str(error).strip()[:DETAIL_MAX_LENGTH] if error is not None else ""
    return Fault(code, source, params, detail=detail)


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
                _fault(faults.UNREACHABLE, MetadataSource.ARXIV, error),
                final_attempt=final_attempt,
                retry_after=error.retry_after,
            )
            continue
        except (arxiv.ArxivError, LimiterBusy) as error:
            _transient(
                batch_papers,
                outcome,
                _fault(faults.UNUSABLE, MetadataSource.ARXIV, error),
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
                    error=_fault(faults.NOT_FOUND, MetadataSource.ARXIV, id=arxiv_id),
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


def store_arxiv_entries(entries: Sequence[arxiv.ArxivEntry]) -> list[Paper]:
    """Store what an arXiv search answered in the catalogue, as an arXiv fetch would; return
    the papers of ``entries``, one per paper, in their order.

    A paper new to the catalogue is created with the entry's metadata, ``ok`` from arXiv. One
    already there is treated as a fetch treats it: a hand entry an editor kept stays as it is;
    a hand entry not kept, or a paper still without metadata, takes the entry's; a paper with
    arXiv's metadata is rewritten only when the entry is a newer version. An entry whose
    identifier the catalogue refuses, or whose row the database refuses, is left out (logged)
    and the others are stored. One transaction for the lot: a page of a search is stored
    whole or not at all.

    Side effects: may insert Papers (and their Author, Institution rows); updates the metadata
    of the others as above; enqueues the enrichment of the papers written
    (``request_enrichment``) and sends ``paper_metadata_arrived`` for them after commit.
    """
    papers: dict[str, Paper] = {}
    written: list[int] = []
    with transaction.atomic():
        for entry in entries:
            if entry.arxiv_id in papers:
                continue
            try:
                identifier = parse_identifier(f"arXiv:{entry.arxiv_id}")
            except InvalidIdentifier:
                logger.warning("arXiv answered an entry with the unusable id %r", entry.arxiv_id)
                continue
            try:
                paper, stored = _store_arxiv_entry(identifier, entry)
            except SoftTimeLimitExceeded:
                raise
            except Exception:
                # The row's savepoint was rolled back: the page's other papers are stored.
                logger.exception("The arXiv entry %s could not be stored", entry.arxiv_id)
                continue
            papers[entry.arxiv_id] = paper
            if stored:
                written.append(paper.pk)
        request_enrichment(written)
        send_metadata_arrived(written)
    return list(papers.values())


def _store_arxiv_entry(identifier: Identifier, entry: arxiv.ArxivEntry) -> tuple[Paper, bool]:
    """The paper of ``entry`` and whether its metadata was written."""
    with transaction.atomic():
        paper, _ = get_or_create_paper(identifier)
        # Locked like a fetch's row, so that a hand entry kept meanwhile stays.
        paper = (
            Paper.objects.select_for_update()
            .prefetch_related("paper_institutions__institution")
            .get(pk=paper.pk)
        )
        if paper.metadata_kept:
            return paper, False
        current = (
            paper.metadata_status == MetadataStatus.OK
            and paper.metadata_source != MetadataSource.MANUAL
            and (entry.version or 0) <= (paper.arxiv_version or 0)
        )
        if current:
            return paper, False
        apply_paper_metadata(paper, _entry_metadata(entry, paper), source=MetadataSource.ARXIV)
    return paper, True


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
            fault = _fault(faults.NOT_CONFIGURED, MetadataSource.AMINER, error)
            if _keeps_metadata(paper, outcome, fault):
                continue
            # Not a fault of the paper: it waits, and the member can fill it in by hand.
            _record_error([paper.pk], status=MetadataStatus.PENDING, error=fault, attempt=False)
            outcome.waiting.append(paper.pk)
            continue
        except aminer.AminerAuthError as error:
            fault = _fault(faults.REFUSED, MetadataSource.AMINER, error)
            if _keeps_metadata(paper, outcome, fault):
                continue
            _record_error([paper.pk], status=MetadataStatus.FAILED, error=fault)
            outcome.failed.append(paper.pk)
            continue
        except aminer.AminerUnavailable as error:
            _transient(
                [paper],
                outcome,
                _fault(faults.UNREACHABLE, MetadataSource.AMINER, error),
                final_attempt=final_attempt,
                retry_after=error.retry_after,
            )
            continue
        except aminer.AminerError as error:
            _transient(
                [paper],
                outcome,
                _fault(faults.UNUSABLE, MetadataSource.AMINER, error),
                final_attempt=final_attempt,
            )
            continue
        if found is None:
            missing = _fault(faults.NOT_FOUND, MetadataSource.AMINER, id=paper.aminer_id or "")
            if _keeps_metadata(paper, outcome, missing):
                continue
            _record_error([paper.pk], status=MetadataStatus.NOT_FOUND, error=missing)
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
        institution_names_zh={a.org: a.org_zh for a in found.authors if a.org and a.org_zh},
        year=found.year,
        doi=found.doi,
        journal_ref=found.venue,
        code_url=paper.code_url or found.code_url or "",
        pdf_url=found.pdf_url or "",
        arxiv_id=found.arxiv_id,
    )


class DoiLookup:
    """A DOI's metadata: OpenAlex first, then Crossref.

    OpenAlex holds DOIs of every registration agency (Crossref's, DataCite's) with the
    institutions it matched; Crossref is asked when OpenAlex is switched off (no client), has no
    such work, or fails. A passing fault or an unusable answer of OpenAlex is logged and
    Crossref asked at once; if Crossref has nothing either (or is switched off), OpenAlex's error
    is what the paper keeps, so that the fetch is tried again later rather than the paper called
    not found. Stored metadata is never lost: the callers keep it on any error.
    """

    def __init__(
        self, crossref_api: crossref.CrossrefClient, openalex_api: openalex.OpenAlexClient | None
    ) -> None:
        self.crossref = crossref_api
        self.openalex = openalex_api

    def fetch(self, doi: str) -> tuple[FoundPaper, MetadataSource] | None:
        """The paper and the source that answered; ``None`` when neither has it."""
        if self.openalex is None:
            found = self.crossref.fetch(doi)
            return (found, MetadataSource.CROSSREF) if found else None
        openalex_error: Exception | None = None
        try:
            record = self.openalex.fetch_work(doi)
        except (openalex.OpenAlexError, LimiterBusy, ValueError) as error:
            # ValueError: a DOI OpenAlex cannot be asked for; Crossref may know it.
            logger.warning("OpenAlex could not answer for the DOI %s: %s", doi, error)
            openalex_error = error if not isinstance(error, ValueError) else None
            record = None
        if record is not None:
            return record.paper, MetadataSource.OPENALEX
        try:
            found = self.crossref.fetch(doi)
        except SourceNotConfigured:
            if openalex_error is not None:
                raise openalex_error from None
            return None
        if found is None and openalex_error is not None:
            raise openalex_error
        return (found, MetadataSource.CROSSREF) if found else None

    def missing(self, doi: str) -> Fault:
        """Why the paper of ``doi`` was not found."""
        if self.openalex is None:
            return _fault(faults.NOT_FOUND, MetadataSource.CROSSREF, id=doi)
        return _fault(faults.NOT_FOUND_ANYWHERE, MetadataSource.OPENALEX, id=doi)


def _raised_by(error: Exception, source: str) -> str:
    """The source whose client raised ``error``: OpenAlex's, when a DOI's lookup asked it
    before Crossref (``DoiLookup``), else ``source``."""
    return MetadataSource.OPENALEX if isinstance(error, openalex.OpenAlexError) else source


def _fetch_one_by_one(
    papers: list[Paper],
    outcome: FetchOutcome,
    *,
    source: MetadataSource,
    key: Callable[[Paper], str],
    fetch: Callable[[str], FoundPaper | tuple[FoundPaper, MetadataSource] | None],
    final_attempt: bool,
    missing: Callable[[str], Fault] | None = None,
) -> None:
    """Ask a source that answers one paper at a time (Crossref, the ACL Anthology, OpenReview,
    Semantic Scholar) for each of ``papers``, by the identifier ``key`` gives, and store what it
    answers. ``fetch`` may name the source that answered (``DoiLookup``); else it is ``source``.
    A source switched off leaves its papers waiting, with the reason, uncounted."""
    for paper in papers:
        identifier = key(paper)
        answered_by = source
        try:
            found = fetch(identifier)
            if isinstance(found, tuple):
                found, answered_by = found
        except SourceNotConfigured as error:
            fault = _fault(faults.NOT_CONFIGURED, source, error)
            if _keeps_metadata(paper, outcome, fault):
                continue
            _record_error([paper.pk], status=MetadataStatus.PENDING, error=fault, attempt=False)
            outcome.waiting.append(paper.pk)
            continue
        except (SourceUnavailable, LimiterBusy) as error:
            _transient(
                [paper],
                outcome,
                _fault(faults.UNREACHABLE, _raised_by(error, source), error),
                final_attempt=final_attempt,
                retry_after=getattr(error, "retry_after", None),
            )
            continue
        except SourceError as error:
            _transient(
                [paper],
                outcome,
                _fault(faults.UNUSABLE, _raised_by(error, source), error),
                final_attempt=final_attempt,
            )
            continue
        if found is None:
            reason = (
                missing(identifier) if missing else _fault(faults.NOT_FOUND, source, id=identifier)
            )
            if _keeps_metadata(paper, outcome, reason):
                continue
            _record_error([paper.pk], status=MetadataStatus.NOT_FOUND, error=reason)
            outcome.not_found.append(paper.pk)
            continue
        _store(
            paper,
            functools.partial(_found_metadata, found, paper),
            source=answered_by,
            outcome=outcome,
            final_attempt=final_attempt,
        )


def _found_metadata(found: FoundPaper, paper: Paper) -> PaperMetadata:
    institutions = list(found.institutions)
    if not institutions and paper.metadata_source != MetadataSource.MANUAL:
        # Sources rarely name affiliations: those known from elsewhere stay, but not a hand
        # entry's, which the source's metadata replaces.
        institutions = [pi.institution.name for pi in paper.paper_institutions.all()]
    return PaperMetadata(
        title=found.title,
        abstract=found.abstract,
        authors=[AuthorData(a.name, "; ".join(a.affiliations)) for a in found.authors],
        institutions=institutions,
        published_on=found.published_on,
        year=found.year,
        doi=found.doi,
        journal_ref=found.venue,
        code_url=paper.code_url or found.code_url or "",
        pdf_url=found.pdf_url or "",
        arxiv_id=found.arxiv_id,
        acl_id=found.acl_id,
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
        fault = Fault(faults.NOT_STORED, source, detail=reason)
        if _passing_database_fault(error):
            _transient([paper], outcome, fault, final_attempt=final_attempt)
        elif had_metadata:
            _record_error([paper.pk], status=MetadataStatus.OK, error=fault.with_then(faults.KEPT))
            outcome.unchanged.append(paper.pk)
        else:
            _record_error(
                [paper.pk], status=MetadataStatus.FAILED, error=fault.with_then(faults.BY_HAND)
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


def _keeps_metadata(paper: Paper, outcome: FetchOutcome, error: Fault) -> bool:
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
