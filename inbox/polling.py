"""One poll of a watch: arXiv's newest matches, ranked against the publication's featured papers,
the best kept as candidates.

The order of the steps is the point: a watch may match thousands of papers a day, and each
paper stored in the catalogue costs rows, an enrichment request and drafting's signal. So the
entries are read and scored *in memory* first, those already candidates, featured or
recommended are dropped, and only the ``keep_per_poll`` best are stored
(``papers.services.store_arxiv_entries``) and made candidates (``services.add_candidates``).

What arXiv answers is not trusted: a page may claim more results than it serves (paging stops at
an empty page, and at ``INBOX_MAX_RESULTS_PER_POLL`` results read whatever it claims), name a
paper twice (the first, newest, is kept), or date a paper in the future (its date is not
believed: it neither stops the paging nor moves ``newest_submitted_at``). A fault is recorded on
the watch in words an editor reads (``last_error``) and leaves the inbox as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from inbox.models import Candidate, Watch
from inbox.ranking import MAX_PROFILE_TEXTS, Profile
from inbox.selectors import featured_papers, taken_papers
from inbox.services import add_candidates, settings_for
from papers.clients.arxiv import (
    ArxivClient,
    ArxivEntry,
    ArxivError,
    ArxivQueryError,
    ArxivUnavailable,
    InvalidSearchQuery,
)
from papers.models import Paper
from papers.services import arxiv_client, store_arxiv_entries

logger = logging.getLogger("weekly.inbox")

#: Results asked for per request: arXiv serves up to 2,000, but a smaller page is a shorter
#: request (``OUTSIDE_API_TIMEOUT``) and lets a poll stop soon after the last new submission.
PAGE_SIZE = 100
#: How far back the first poll of a watch looks.
FIRST_LOOK_BACK = dt.timedelta(days=7)
#: Rounds of storing the best, each filling the places of entries the catalogue refused.
STORE_ROUNDS = 3
#: A date this far past the clock is a clock's error or a lie; it is not believed.
CLOCK_SKEW = dt.timedelta(minutes=10)
#: A paper's text for the ranking: its title and abstract.
_TEXT = "{title}\n{abstract}"


@dataclass(frozen=True)
class PollOutcome:
    """What one poll did: papers seen, candidates made, and the fault that stopped it."""

    found: int = 0
    kept: int = 0
    error: str = ""
    #: A passing fault (arXiv unavailable): the task tries again, not before ``retry_after``.
    retry: bool = False
    retry_after: float | None = None


def poll_watch(
    watch: Watch,
    *,
    now: dt.datetime | None = None,
    client: ArxivClient | None = None,
    record_passing_fault: bool = True,
) -> PollOutcome:
    """Search arXiv for ``watch``'s newest matches and make the best of them candidates of its
    publication.

    Pages of ``PAGE_SIZE``, newest submission first, until a page's entries are all older than
    the watch's ``newest_submitted_at`` (on the first poll, ``FIRST_LOOK_BACK`` ago), at most
    ``INBOX_MAX_RESULTS_PER_POLL`` results. The entries are scored against the profile of the
    publication's featured papers (newest first), with the entries found as the profile's
    background; those already candidates, featured or recommended are dropped, and of
    the rest the ``keep_per_poll`` best are stored in the catalogue and made candidates.

    A fault (arXiv unavailable, a query arXiv refuses, an answer that is not a feed) stores
    nothing and is recorded in ``last_error``; the outcome says whether to try again
    (``retry``). ``record_passing_fault`` False leaves the watch as it was on a passing fault
    (the task retries, and records it on its last attempt).

    Side effects: may insert Papers (``store_arxiv_entries``: their enrichment and drafting's
    signal follow) and Candidates; updates the watch's ``last_polled_at``,
    ``newest_submitted_at``, ``last_found``, ``last_kept``, ``last_error``.
    """
    now = now or timezone.now()
    client = client or arxiv_client()
    # A paper arXiv lists late, dated before the newest submission seen, is missed; reading
    # back further would give the papers a poll passed over a second chance instead.
    cutoff = watch.newest_submitted_at or now - FIRST_LOOK_BACK
    try:
        entries = _read_matches(client, watch.search_query(), cutoff=cutoff, now=now)
    except ArxivUnavailable as error:
        message = gettext("arXiv did not answer the poll: %(error)s.") % {"error": _words(error)}
        logger.info("Poll of watch %s: %s", watch.pk, error)
        if record_passing_fault:
            _record(watch, polled_at=now, error=message)
        return PollOutcome(error=message, retry=True, retry_after=error.retry_after)
    except (ArxivQueryError, InvalidSearchQuery) as error:
        message = gettext(
            "arXiv refused the watch's search: %(error)s. Correct its categories or query."
        ) % {"error": _words(error)}
        _record(watch, polled_at=now, error=message)
        return PollOutcome(error=message)
    except ArxivError as error:
        message = gettext("arXiv's answer could not be read: %(error)s. Nothing was kept.") % {
            "error": _words(error)
        }
        logger.warning("Poll of watch %s: %s", watch.pk, error)
        _record(watch, polled_at=now, error=message)
        return PollOutcome(error=message)

    kept = _keep_best(watch, entries)
    newest = max((when for _entry, when in entries if when is not None), default=None)
    if watch.newest_submitted_at and (newest is None or newest < watch.newest_submitted_at):
        newest = watch.newest_submitted_at
    _record(
        watch, polled_at=now, error="", found=len(entries), kept=kept, newest_submitted_at=newest
    )
    return PollOutcome(found=len(entries), kept=kept)


def _read_matches(
    client: ArxivClient, query: str, *, cutoff: dt.datetime, now: dt.datetime
) -> list[tuple[ArxivEntry, dt.datetime | None]]:
    """The matches submitted after ``cutoff``, newest first, each once, with its
    submission date (None when arXiv gives none or one in the future)."""
    limit = settings.INBOX_MAX_RESULTS_PER_POLL
    seen: set[str] = set()
    found: list[tuple[ArxivEntry, dt.datetime | None]] = []
    read = 0
    start = 0
    while read < limit:
        page = client.search(query, start=start, max_results=min(PAGE_SIZE, limit - read))
        if not page.entries:
            break  # the end, whatever ``totalResults`` claimed
        read += len(page.entries)
        start += len(page.entries)
        fresh = 0
        for entry in page.entries:
            submitted = entry.published
            if submitted is not None and submitted > now + CLOCK_SKEW:
                submitted = None
            if (submitted is not None and submitted <= cutoff) or entry.arxiv_id in seen:
                continue
            seen.add(entry.arxiv_id)
            found.append((entry, submitted))
            fresh += 1
        # A page of papers all older than the cutoff is the end of what is new; a page of
        # papers all read already is a server that ignores ``start``.
        if not fresh or start >= page.total_results:
            break
    return found


def _keep_best(watch: Watch, entries: list[tuple[ArxivEntry, dt.datetime | None]]) -> int:
    """Score ``entries``, drop the papers the publication has, store and add the best; the
    number of candidates made."""
    if not entries:
        return 0
    publication = watch.publication
    keep = settings_for(publication).keep_per_poll
    profile = Profile.build(
        _featured_texts(publication.pk),
        background=(_text_of(entry) for entry, _when in entries),
    )
    known = dict(
        Paper.objects.filter(arxiv_id__in=[entry.arxiv_id for entry, _when in entries]).values_list(
            "arxiv_id", "pk"
        )
    )
    had = taken_papers(publication) | set(
        Candidate.objects.filter(publication=publication, paper_id__in=list(known.values()))
        .order_by()
        .values_list("paper_id", flat=True)
    )
    fresh = [
        (entry, when, profile.score(_text_of(entry)))
        for entry, when in entries
        if known.get(entry.arxiv_id) not in had
    ]
    # Best first; of equal scores the newer (``entries`` are newest first, and sort is stable).
    fresh.sort(key=lambda item: -item[2])
    # Stored best first; an entry the catalogue refuses (an id it cannot read) gives its place
    # to the next best, a few rounds at most.
    chosen: list[tuple[Paper, dt.datetime | None, float]] = []
    position = 0
    for _round in range(STORE_ROUNDS):
        batch = fresh[position : position + keep - len(chosen)]
        if not batch:
            break
        position += len(batch)
        papers = store_arxiv_entries([entry for entry, *_ in batch])
        stored = {(paper.arxiv_id or "").lower(): paper for paper in papers}
        chosen += [
            (stored[entry.arxiv_id.lower()], when, score)
            for entry, when, score in batch
            if entry.arxiv_id.lower() in stored
        ]
    if not chosen:
        return 0
    made = add_candidates(
        publication,
        [(paper, when) for paper, when, _score in chosen],
        watch=watch,
        scores={paper.pk: score for paper, _when, score in chosen},
    )
    return len(made)


def _featured_texts(publication_id: int) -> list[str]:
    """The titles and abstracts of the papers the publication featured, newest issue first."""
    rows = (
        featured_papers(publication_id)
        .order_by("-issue__published_at", "-issue_id", "position")
        .values_list("paper__title", "paper__abstract")[:MAX_PROFILE_TEXTS]
    )
    return [_TEXT.format(title=title, abstract=abstract) for title, abstract in rows]


def _words(error: Exception) -> str:
    """The client's message, without its full stop: the sentence around it ends it."""
    return str(error).strip().rstrip(".")


def _text_of(entry: ArxivEntry) -> str:
    return _TEXT.format(title=entry.title, abstract=entry.abstract)


def _record(
    watch: Watch,
    *,
    polled_at: dt.datetime,
    error: str,
    found: int | None = None,
    kept: int | None = None,
    newest_submitted_at: dt.datetime | None = None,
) -> None:
    """Write what the poll did on the watch, leaving alone what an editor may be changing
    meanwhile (its name, query, categories)."""
    fields: dict[str, object] = {"last_polled_at": polled_at, "last_error": error}
    if found is not None:
        fields.update(last_found=found, last_kept=kept or 0)
    if newest_submitted_at is not None:
        fields["newest_submitted_at"] = newest_submitted_at
    # ``update`` leaves ``updated_at`` alone: a poll is no edit of the watch.
    Watch.objects.filter(pk=watch.pk).update(**fields)
    for name, value in fields.items():
        setattr(watch, name, value)
