"""Enrichment: a paper's affiliations from OpenAlex, its institutions' other names from ROR.

After a paper's metadata is fetched, OpenAlex is asked for its authorships, many papers in one
request (arXiv papers by their DataCite DOI). What it gives replaces the paper's institutions and
its authors' affiliations, unless an editor kept the metadata entered by hand; what is stored is
never lost when OpenAlex has nothing or fails, and the paper keeps the reason
(``affiliations_error``) for its page. Then each new institution with a ROR id has its ROR
record read once, for its names in other languages (a Chinese label fills ``name_zh``).

Institutions are stored once each: by ROR id where there is one; otherwise through the
institution glossary (its ROR ids and names) and by name, compared normalised
(``papers.institutions.normalise_name``), so that a row created earlier from arXiv's raw
affiliation ("Tsinghua University") or a hand entry (清华) becomes the row OpenAlex names with a
ROR id.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from common.queue import enqueue_after_commit
from papers import selectors
from papers.clients import openalex, ror
from papers.enums import AffiliationSource
from papers.institutions import Glossary, normalise_name
from papers.models import Author, Authorship, Institution, Paper, PaperInstitution
from papers.ratelimit import LimiterBusy, rate_limiter
from papers.services.catalogue import INSTITUTIONS_MAX
from papers.services.institutions import merge_into_ror_row

logger = logging.getLogger("papers.services")

ERROR_MAX_LENGTH = 1000
KEPT_BY_HAND = (
    "An editor kept the metadata entered by hand: OpenAlex's affiliations were not applied."
)
NO_AFFILIATIONS = "OpenAlex knows no affiliations for this paper yet; those stored are kept."
NOT_IN_OPENALEX = "OpenAlex has no record of this paper yet."


@dataclass
class EnrichmentOutcome:
    """What one enrichment did, paper id by paper id, and what it cost."""

    enriched: list[int] = field(default_factory=list)
    #: OpenAlex answered, but the paper's affiliations stay as they were (none known, or kept).
    unchanged: list[int] = field(default_factory=list)
    not_found: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    #: Papers that met a passing fault (network, 429, 5xx), to be asked again later.
    retry: list[int] = field(default_factory=list)
    retry_after: float | None = None
    institutions_created: int = 0
    requests: int = 0
    #: Institutions with a ROR id whose ROR record was never read, met on the way.
    awaiting_ror: list[int] = field(default_factory=list)


@dataclass
class _Known:
    """What one enrichment run reads once: the glossary, and the institutions met so far by
    OpenAlex id (most papers of a batch share a few)."""

    glossary: Glossary
    institutions: dict[str, Institution] = field(default_factory=dict)


@dataclass
class RorOutcome:
    read: list[int] = field(default_factory=list)
    not_found: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    retry_after: float | None = None
    requests: int = 0


# --------------------------------------------------------------------------- clients


def openalex_client() -> openalex.OpenAlexClient | None:
    """The OpenAlex client, or ``None`` when ``OPENALEX_API_URL`` is empty (switched off)."""
    if not settings.OPENALEX_API_URL:
        return None
    return openalex.OpenAlexClient(
        settings.OPENALEX_API_URL,
        mailto=settings.OPENALEX_MAILTO,
        api_key=settings.OPENALEX_API_KEY,
        timeout=settings.OUTSIDE_API_TIMEOUT,
        limiter=rate_limiter(
            "openalex",
            min_interval=settings.OPENALEX_MIN_INTERVAL,
            redis_url=settings.REDIS_URL,
            lock_dir=settings.VAR_DIR,
            lease=2 * settings.OUTSIDE_API_TIMEOUT + settings.OPENALEX_MIN_INTERVAL,
        ),
    )


def ror_client() -> ror.RorClient | None:
    """The ROR client, or ``None`` when ``ROR_API_URL`` is empty (switched off)."""
    if not settings.ROR_API_URL:
        return None
    return ror.RorClient(
        settings.ROR_API_URL,
        timeout=settings.OUTSIDE_API_TIMEOUT,
        limiter=rate_limiter(
            "ror",
            min_interval=settings.ROR_MIN_INTERVAL,
            redis_url=settings.REDIS_URL,
            lock_dir=settings.VAR_DIR,
            lease=2 * settings.OUTSIDE_API_TIMEOUT + settings.ROR_MIN_INTERVAL,
        ),
    )


# --------------------------------------------------------------------------- queueing


def request_enrichment(paper_ids: Sequence[int]) -> None:
    """Have a worker ask OpenAlex for these papers' affiliations once the transaction commits.

    Side effects: enqueues ``task_enrich_papers`` after commit, 100 papers a task.
    """
    from papers.tasks import task_enrich_papers

    if not settings.OPENALEX_API_URL:
        return
    ids = list(dict.fromkeys(paper_ids))
    for start in range(0, len(ids), openalex.BATCH_SIZE):
        enqueue_after_commit(task_enrich_papers, ids[start : start + openalex.BATCH_SIZE])


def request_ror_records(institution_ids: Sequence[int]) -> None:
    """Have a worker read these institutions' ROR records once the transaction commits.

    Side effects: enqueues ``task_read_ror_records`` after commit.
    """
    from papers.tasks import ROR_BATCH_SIZE, task_read_ror_records

    if not settings.ROR_API_URL:
        return
    ids = list(dict.fromkeys(institution_ids))
    for start in range(0, len(ids), ROR_BATCH_SIZE):
        enqueue_after_commit(task_read_ror_records, ids[start : start + ROR_BATCH_SIZE])


# --------------------------------------------------------------------------- names


def _comparable(name: str) -> str:
    """The form in which two spellings of one author's name compare equal.

    NFKC (full-width letters and compatibility forms become plain ones), case folded, every run
    of punctuation, symbols and white space made one space, trimmed.
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    kept = [
        " " if unicodedata.category(char)[0] in "PSZC" else char
        for char in text  # punctuation, symbols, separators, controls
    ]
    return " ".join("".join(kept).split())


def _matching_name(
    name: str, ror_id: str | None = None, glossary: Glossary | None = None
) -> Institution | None:
    """The institution stored under ``name``: the exact row, else the row of the glossary's
    entry for it (named by ``ror_id`` or ``name``, unless the entry gives another ROR id), else
    a row whose name normalises the same. Candidates are read by the name's longest word, then
    compared in full."""
    exact = Institution.objects.filter(name=name).first()
    if exact is not None:
        return exact
    glossary = glossary or selectors.glossary()
    term = glossary.by_ror(ror_id) or glossary.by_name(name)
    if term is not None and not (term.ror_id and ror_id and term.ror_id != ror_id):
        by_term = Q(name__in=term.names) | (Q(ror_id=term.ror_id) if term.ror_id else Q())
        row = Institution.objects.filter(by_term).order_by("pk").first()
        if row is not None:
            return row
    wanted = normalise_name(name)
    if not wanted:
        return None
    longest = max(wanted.split(), key=len)
    candidates = Institution.objects.filter(name__icontains=longest).order_by("pk")[:500]
    for candidate in candidates:
        if normalise_name(candidate.name) == wanted:
            return candidate
    return None


def _free_name(found: openalex.OpenAlexInstitution) -> str:
    """A name for a new row: OpenAlex's, told apart from another institution of that name
    (two Lincoln Universities) by its country, else its ROR id."""
    name = found.name[:300]
    suffixes = [found.country_code, found.ror_id or found.openalex_id]
    for suffix in ["", *(s for s in suffixes if s)]:
        candidate = f"{name[: 300 - len(suffix) - 3]} ({suffix})" if suffix else name
        if not Institution.objects.filter(name=candidate).exists():
            return candidate
    return f"{name[:280]} ({found.openalex_id})"


def institution_for(
    found: openalex.OpenAlexInstitution,
    outcome: EnrichmentOutcome | None = None,
    glossary: Glossary | None = None,
) -> Institution:
    """The one row of the institution OpenAlex names, created when new.

    By ROR id first; else by name (exact, then normalised) among rows without a ROR id or with
    this one, and the row found takes the ROR id. A row's country and type are filled when
    blank. Two workers creating one institution at once end with one row: the unique
    constraints decide, and the loser reads the winner's row.

    Side effects: may insert or update an Institution.
    """
    row = Institution.objects.filter(ror_id=found.ror_id).first() if found.ror_id else None
    if row is None:
        row = _matching_name(found.name, found.ror_id, glossary)
        if row is not None and row.ror_id and row.ror_id != found.ror_id:
            row = None  # another institution of that name
    if row is None:
        try:
            with transaction.atomic():
                row = Institution.objects.create(
                    name=_free_name(found),
                    ror_id=found.ror_id,
                    country_code=found.country_code,
                    kind=found.kind[:32],
                )
        except IntegrityError:
            # Another worker created it meanwhile: read its row as above.
            row = Institution.objects.filter(ror_id=found.ror_id).first() if found.ror_id else None
            row = row or _matching_name(found.name, found.ror_id, glossary)
            if row is None:
                raise
        else:
            if outcome is not None:
                outcome.institutions_created += 1
            return row
    changed: dict[str, Any] = {}
    if found.ror_id and not row.ror_id:
        changed["ror_id"] = found.ror_id
    if found.country_code and not row.country_code:
        changed["country_code"] = found.country_code
    if found.kind and not row.kind:
        changed["kind"] = found.kind[:32]
    if changed:
        try:
            with transaction.atomic():
                Institution.objects.filter(pk=row.pk).update(**changed)
        except IntegrityError:
            # Another worker gave this ROR id to another row meanwhile: that row is the one.
            return Institution.objects.get(ror_id=found.ror_id)
        for name, value in changed.items():
            setattr(row, name, value)
    return row


# --------------------------------------------------------------------------- OpenAlex


def _lookup_doi(paper: Paper) -> str | None:
    if paper.arxiv_id:
        return openalex.arxiv_doi(paper.arxiv_id)
    return openalex.normalize_doi(paper.doi)


def _note(paper_ids: Sequence[int], error: str, **fields: Any) -> None:
    Paper.objects.filter(pk__in=list(paper_ids)).update(
        affiliations_error=error[:ERROR_MAX_LENGTH],
        affiliations_checked_at=timezone.now(),
        **fields,
    )


def enrich_papers(
    paper_ids: Sequence[int],
    *,
    client: openalex.OpenAlexClient | None = None,
    queue_ror: bool = True,
) -> EnrichmentOutcome:
    """Ask OpenAlex for these papers' affiliations, 100 a request, and store what it gives.

    Each paper keeps the outcome on its row: ``affiliations_checked_at``, and either
    ``affiliations_fetched_at`` with ``affiliations_source`` or the reason in
    ``affiliations_error``. A passing fault lists the paper in ``retry``. With ``queue_ror``,
    the institutions whose ROR record was never read are queued for a worker. Does nothing when
    OpenAlex is switched off (``OPENALEX_API_URL`` empty).

    Side effects: updates Papers, replaces their PaperInstitution rows and authors'
    affiliations, may insert Institutions (and Authors for a paper without any); calls OpenAlex;
    may enqueue ``task_read_ror_records``.
    """
    outcome = EnrichmentOutcome()
    own_client = client is None
    client = client or openalex_client()
    if client is None:
        return outcome
    try:
        _enrich(paper_ids, client, outcome)
    finally:
        if own_client:
            client.close()
    if queue_ror and outcome.awaiting_ror:
        request_ror_records(outcome.awaiting_ror)
    return outcome


def _enrich(
    paper_ids: Sequence[int], client: openalex.OpenAlexClient, outcome: EnrichmentOutcome
) -> None:
    by_doi: dict[str, Paper] = {}
    for paper in Paper.objects.filter(pk__in=list(paper_ids)).order_by("pk"):
        doi = _lookup_doi(paper)
        if doi is None or not openalex.filterable(doi):
            _note([paper.pk], "This paper's DOI cannot be looked up on OpenAlex.")
            outcome.failed.append(paper.pk)
            continue
        by_doi.setdefault(doi, paper)

    dois = list(by_doi)
    requests_before = client.requests
    known = _Known(glossary=selectors.glossary())
    try:
        for start in range(0, len(dois), openalex.BATCH_SIZE):
            batch = {d: by_doi[d] for d in dois[start : start + openalex.BATCH_SIZE]}
            _enrich_batch(client, batch, outcome, known)
    finally:
        outcome.requests = client.requests - requests_before
    outcome.awaiting_ror = list(dict.fromkeys(outcome.awaiting_ror))


def _enrich_batch(
    client: openalex.OpenAlexClient,
    batch: dict[str, Paper],
    outcome: EnrichmentOutcome,
    known: _Known,
) -> None:
    ids = [paper.pk for paper in batch.values()]
    try:
        works = client.fetch(list(batch))
    except openalex.OpenAlexUnavailable as error:
        _note(ids, f"{error}")
        outcome.retry.extend(ids)
        if error.retry_after:
            outcome.retry_after = max(outcome.retry_after or 0.0, error.retry_after)
        return
    except LimiterBusy:
        _note(ids, "OpenAlex was busy with other requests of ours. Will try again.")
        outcome.retry.extend(ids)
        return
    except openalex.OpenAlexError as error:
        _note(ids, str(error))
        outcome.failed.extend(ids)
        return
    for doi, paper in batch.items():
        work = works.get(doi)
        if work is None:
            _note([paper.pk], NOT_IN_OPENALEX)
            outcome.not_found.append(paper.pk)
            continue
        try:
            _store_work(paper, work, outcome, known)
        except SoftTimeLimitExceeded:
            raise
        except Exception as error:
            known.institutions.clear()  # rows made in the rolled-back transaction are gone
            logger.exception("The affiliations of paper %s could not be stored", paper.pk)
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
            _note([paper.pk], f"What OpenAlex sent for this paper could not be stored ({reason}).")
            outcome.failed.append(paper.pk)


@transaction.atomic
def _store_work(
    paper: Paper,
    work: openalex.OpenAlexWork,
    outcome: EnrichmentOutcome,
    known: _Known,
) -> None:
    """Store one work's affiliations, venue and published DOI on ``paper``, in one transaction.

    The row is locked and read again, so that a hand entry kept meanwhile stays.
    """
    current = Paper.objects.select_for_update().filter(pk=paper.pk).first()
    if current is None:
        return
    now = timezone.now()
    update: dict[str, Any] = {
        "openalex_id": work.openalex_id[:16],
        "venue": work.venue[:500],
        "venue_type": work.venue_type[:32],
        "published_doi": (work.published_doi or "")[:255],
        "affiliations_checked_at": now,
    }
    found_any = any(a.institutions or a.raw_affiliations for a in work.authorships)
    if current.metadata_kept:
        update["affiliations_error"] = KEPT_BY_HAND
        outcome.unchanged.append(paper.pk)
    elif not found_any:
        update["affiliations_error"] = NO_AFFILIATIONS
        if not current.authorships.exists():
            _replace_affiliations(current, work, [])
        outcome.unchanged.append(paper.pk)
    else:
        rows = []
        for found in work.institutions:
            met = known.institutions
            if found.openalex_id not in met:
                met[found.openalex_id] = institution_for(found, outcome, known.glossary)
            rows.append(met[found.openalex_id])
        rows = list({row.pk: row for row in rows}.values())[:INSTITUTIONS_MAX]
        _replace_affiliations(current, work, rows)
        outcome.awaiting_ror.extend(
            row.pk for row in rows if row.ror_id and row.ror_fetched_at is None
        )
        update.update(
            affiliations_error="",
            affiliations_fetched_at=now,
            affiliations_source=AffiliationSource.OPENALEX,
        )
        outcome.enriched.append(paper.pk)
    Paper.objects.filter(pk=paper.pk).update(**update)


def _author_key(name: str) -> str:
    return "".join(sorted(_comparable(name).split()))


def _replace_affiliations(
    paper: Paper, work: openalex.OpenAlexWork, institutions: list[Institution]
) -> None:
    """The paper's institutions become ``institutions`` (when there are any), and each author
    OpenAlex names an affiliation for takes it.

    OpenAlex's authors are matched to the stored ones by position when both lists are as long,
    else by name; an author OpenAlex gives nothing for keeps the stored affiliation. A paper
    without authors (one known by its DOI alone) takes OpenAlex's.
    """
    if institutions:
        paper.paper_institutions.all().delete()
        PaperInstitution.objects.bulk_create(
            PaperInstitution(paper=paper, institution=row, position=position)
            for position, row in enumerate(institutions, start=1)
        )
    stored = list(paper.authorships.select_related("author").order_by("position"))
    if not stored:
        _create_authorships(paper, work)
        return
    if len(stored) == len(work.authorships):
        pairs = list(zip(stored, work.authorships, strict=True))
    else:
        by_name = {_author_key(a.name): a for a in reversed(work.authorships)}
        pairs = [
            (row, by_name[key])
            for row in stored
            if (key := _author_key(row.author.name)) in by_name
        ]
    changed = []
    for row, authorship in pairs:
        affiliation = _affiliation_text(authorship)
        if affiliation and affiliation != row.affiliation:
            row.affiliation = affiliation
            changed.append(row)
    Authorship.objects.bulk_update(changed, ["affiliation"])


def _affiliation_text(authorship: openalex.OpenAlexAuthorship) -> str:
    names = authorship.raw_affiliations or tuple(i.name for i in authorship.institutions)
    return "; ".join(names)[:500]


def _create_authorships(paper: Paper, work: openalex.OpenAlexWork) -> None:
    names = list(dict.fromkeys(a.name[:300] for a in work.authorships))
    existing = {row.name: row for row in Author.objects.filter(name__in=names)}
    missing = [Author(name=name) for name in names if name not in existing]
    Author.objects.bulk_create(missing, ignore_conflicts=True)
    rows = {row.name: row for row in Author.objects.filter(name__in=names)}
    affiliations = {}
    for authorship in work.authorships:
        affiliations.setdefault(authorship.name[:300], _affiliation_text(authorship))
    Authorship.objects.bulk_create(
        Authorship(
            paper=paper, author=rows[name], position=position, affiliation=affiliations[name]
        )
        for position, name in enumerate(names, start=1)
    )


# --------------------------------------------------------------------------- ROR


def read_ror_records(
    institution_ids: Sequence[int], *, client: ror.RorClient | None = None
) -> RorOutcome:
    """Read the ROR record of each institution with a ROR id not read yet, once.

    Fills ``names`` (ROR's own shape), ``country_code``, ``kind`` (ROR's first type) and, when
    empty, ``name_zh`` from the Chinese label, and sets ``ror_fetched_at``. A record ROR does not
    have, or sends unreadable, is marked read with nothing filled (logged): asking again would
    not help. A row without a ROR id that is one of the record's names (清华大学 from AMiner)
    is merged into the institution (``merge_into_ror_row``). A passing fault (network, 429,
    5xx) stops the round: that institution and those after it are listed in ``retry``.
    Does nothing when ROR is switched off.

    Side effects: updates Institutions and may merge others into them; calls ROR.
    """
    outcome = RorOutcome()
    own_client = client is None
    client = client or ror_client()
    if client is None:
        return outcome
    try:
        _read_records(institution_ids, client, outcome)
    finally:
        if own_client:
            client.close()
    return outcome


def _read_records(
    institution_ids: Sequence[int], client: ror.RorClient, outcome: RorOutcome
) -> None:
    pending = list(
        Institution.objects.filter(
            pk__in=list(institution_ids), ror_id__isnull=False, ror_fetched_at__isnull=True
        ).order_by("pk")
    )
    requests_before = client.requests
    try:
        for index, institution in enumerate(pending):
            try:
                record = client.fetch(institution.ror_id)
            except (ror.RorUnavailable, LimiterBusy) as error:
                logger.warning("ROR record of %s: %s", institution.ror_id, error)
                outcome.retry.extend(i.pk for i in pending[index:])
                retry_after = getattr(error, "retry_after", None)
                if retry_after:
                    outcome.retry_after = retry_after
                break
            except (ror.RorError, ValueError) as error:
                # ValueError: a ROR id typed by hand that no ROR id looks like.
                logger.warning("ROR record of %s unusable: %s", institution.ror_id, error)
                _mark_read(institution)
                outcome.failed.append(institution.pk)
                continue
            if record is None:
                logger.warning("ROR has no record %s", institution.ror_id)
                _mark_read(institution)
                outcome.not_found.append(institution.pk)
                continue
            _store_record(institution, record)
            outcome.read.append(institution.pk)
    finally:
        outcome.requests = client.requests - requests_before


def _mark_read(institution: Institution) -> None:
    Institution.objects.filter(pk=institution.pk, ror_fetched_at__isnull=True).update(
        ror_fetched_at=timezone.now()
    )


def _store_record(institution: Institution, record: ror.RorOrganization) -> None:
    update: dict[str, Any] = {
        "names": [name.as_json() for name in record.names],
        "ror_fetched_at": timezone.now(),
    }
    if record.country_code:
        update["country_code"] = record.country_code
    if record.types:
        update["kind"] = record.types[0][:32]
    with transaction.atomic():
        Institution.objects.filter(pk=institution.pk).update(**update)
        label_zh = record.label("zh")[:300]
        if label_zh:
            Institution.objects.filter(pk=institution.pk, name_zh="").update(name_zh=label_zh)
        # The rows of this institution written another way that only ROR's names tie to it
        # (清华大学 from AMiner) become this one.
        merge_into_ror_row(Institution.objects.get(pk=institution.pk))
