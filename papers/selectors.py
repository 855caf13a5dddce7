"""Reads of the paper catalogue, with the prefetching their pages need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.postgres.search import SearchRank
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from common.api.limits import know_rows
from papers import search
from papers.enums import HAND_ENTRY_STATUSES, MetadataSource, MetadataStatus
from papers.identifiers import Identifier, InvalidIdentifier, parse_identifier
from papers.institutions import Glossary, GlossaryTerm, ShortForms, short_forms
from papers.models import (
    IDENTIFIER_FIELDS,
    Author,
    Authorship,
    Institution,
    InstitutionGlossaryEntry,
    Paper,
    PaperInstitution,
    PossibleDuplicate,
)

#: The longest search query read (the API refuses longer; the search page says so).
SEARCH_MAX_LENGTH = 200
#: Words of a query beyond this many are ignored: each adds a condition to the query (SQLite).
SEARCH_MAX_WORDS = 10
#: A search on PostgreSQL ranks, counts and pages at most this many matches, the newest: the
#: cost of a common word stays that of a rare one.
SEARCH_MAX_MATCHES = 1000

#: A pending paper younger than this is still on its way to a worker.
PENDING_GRACE = dt.timedelta(minutes=2)
#: A paper "fetching" for longer than this lost its worker: longer than a fetch may run (its hard
#: time limit, ``papers.tasks.FETCH_TIME_LIMIT``, 150 s), with a margin for the clocks of hosts.
FETCHING_STUCK = dt.timedelta(seconds=180)
#: A paper fetched less than this ago has its enrichment on its way to a worker.
ENRICHMENT_GRACE = dt.timedelta(minutes=10)


def papers_with_details() -> QuerySet[Paper]:
    """Papers with their ordered authors and institutions, in a fixed number of queries."""
    return Paper.objects.prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("author")),
        Prefetch(
            "paper_institutions", queryset=PaperInstitution.objects.select_related("institution")
        ),
    )


def paper_changed_at(pk: int) -> dt.datetime | None:
    """When the paper's row last changed (every write moves it, ``PaperQuerySet.update``
    included); None when there is no such paper."""
    return Paper.objects.filter(pk=pk).values_list("updated_at", flat=True).first()


def paper_for_identifier(identifier: Identifier) -> Paper | None:
    return Paper.objects.filter(**{IDENTIFIER_FIELDS[identifier.scheme]: identifier.value}).first()


def paper_for_reference(text: str) -> Paper | None:
    """The paper a person names: by its number in the catalogue (``42`` or ``#42``), or by any
    form of any of its identifiers (``papers.identifiers``); None when no row matches."""
    text = (text or "").strip()
    number = text.removeprefix("#")
    if number.isascii() and number.isdigit():
        return Paper.objects.filter(pk=int(number)).first()
    try:
        identifier = parse_identifier(text)
    except InvalidIdentifier:
        return None
    return paper_for_identifier(identifier)


def possible_duplicates_of(paper: Paper) -> list[Paper]:
    """The rows a source's metadata linked to ``paper`` (``PossibleDuplicate``), either way."""
    found = PossibleDuplicate.objects.filter(Q(paper=paper) | Q(duplicate=paper))
    ids = {pk for pair in found.values_list("paper", "duplicate") for pk in pair} - {paper.pk}
    return list(Paper.objects.filter(pk__in=ids).order_by("pk"))


def with_names(papers: list[Paper]) -> list[Paper]:
    """``papers``, each given its authors' and institutions' names in order, in one query of
    names only: what a long list needs, without the ``Authorship``, ``Author`` and institution
    objects of ``papers_with_details`` (some 800 for a page of 50 papers, each pointing back
    at its paper, so that only the cycle collector could free them)."""
    by_id = {paper.pk: paper for paper in papers}
    for paper in papers:
        paper.listed_names = ([], [])
    if not by_id:
        return papers
    connection = connections[Paper.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(_names_sql(connection, len(by_id)), [*by_id, *by_id])
        for which, paper_id, name in cursor.fetchall():
            by_id[paper_id].listed_names[which].append(name)
    return papers


def _names_sql(connection, count: int) -> str:
    """The authors' (0) and institutions' (1) names of ``count`` papers, in order.

    Written as SQL rather than built by the ORM: compiling the two queries it took (a filter,
    a subquery, an order) was a third of a 50-paper list's worker CPU. Each name is looked up
    by its key, as a subquery per row: a join would let the planner hash the whole table of
    60,000 authors for the few hundred of one page (10 ms instead of 1)."""
    quote = connection.ops.quote_name
    ids = ", ".join(["%s"] * count)

    def part(which: int, link: type, target: type, key: str) -> str:
        names, links = quote(target._meta.db_table), quote(link._meta.db_table)
        # The models' own names; the ids are parameters.
        return (
            f"SELECT {which} AS which, l.paper_id, l.position, "  # noqa: S608
            f"(SELECT t.name FROM {names} t WHERE t.id = l.{key}) AS name "
            f"FROM {links} l WHERE l.paper_id IN ({ids})"
        )

    return (
        f"SELECT which, paper_id, name FROM ({part(0, Authorship, Author, 'author_id')} "  # noqa: S608
        f"UNION ALL {part(1, PaperInstitution, Institution, 'institution_id')}) names "
        "ORDER BY which, paper_id, position"
    )


def author_names(paper: Paper) -> list[str]:
    """Author names in order: those of ``with_names``, else of ``papers_with_details``'s
    prefetch (or a query)."""
    listed = getattr(paper, "listed_names", None)
    if listed is not None:
        return listed[0]
    return [a.author.name for a in paper.authorships.all()]


def institution_names(paper: Paper) -> list[str]:
    listed = getattr(paper, "listed_names", None)
    if listed is not None:
        return listed[1]
    return [pi.institution.name for pi in paper.paper_institutions.all()]


def papers_awaiting_fetch(*, limit: int = 1000, grace: bool = True) -> list[int]:
    """Papers left pending, or stuck fetching, for longer than a task would take to start.

    Papers whose only source is switched off (AMiner without a token, Crossref without its
    URL) are left out: retrying cannot help them.
    """
    now = timezone.now() + (dt.timedelta(0) if grace else FETCHING_STUCK)
    waiting = Paper.objects.filter(
        Q(metadata_status=MetadataStatus.PENDING, updated_at__lt=now - PENDING_GRACE)
        | Q(metadata_status=MetadataStatus.FETCHING, updated_at__lt=now - FETCHING_STUCK)
    )
    waiting = waiting.exclude(_only_switched_off_sources())
    return list(waiting.order_by("updated_at").values_list("pk", flat=True)[:limit])


def enrichable_papers() -> QuerySet[Paper]:
    """Papers OpenAlex can be asked about: an arXiv id (its DataCite DOI) or a DOI, and the
    metadata fetch has had its say (a DOI-only paper has no other source yet)."""
    return Paper.objects.filter(
        Q(arxiv_id__isnull=False, metadata_status=MetadataStatus.OK)
        | Q(arxiv_id__isnull=True, doi__isnull=False)
    )


def papers_due_for_enrichment(*, limit: int = 1000) -> list[int]:
    """Papers whose affiliations were never asked for (fetched ``ENRICHMENT_GRACE`` ago or
    more), and young ones (``ENRICHMENT_WINDOW_DAYS``)
    whose last asking failed or found none, ``ENRICHMENT_RETRY_AFTER`` seconds ago or more.

    Papers an editor kept by hand are asked once, for their venue, and not again.
    """
    now = timezone.now()
    # A paper fetched moments ago has its enrichment queued already (``fetch_metadata``).
    never = Q(affiliations_checked_at__isnull=True) & (
        Q(metadata_fetched_at__isnull=True) | Q(metadata_fetched_at__lt=now - ENRICHMENT_GRACE)
    )
    retry = Q(
        affiliations_checked_at__lt=now - dt.timedelta(seconds=settings.ENRICHMENT_RETRY_AFTER),
        created_at__gte=now - dt.timedelta(days=settings.ENRICHMENT_WINDOW_DAYS),
        metadata_kept=False,
    ) & (Q(affiliations_fetched_at__isnull=True) | ~Q(affiliations_error=""))
    due = enrichable_papers().filter(never | retry)
    return list(
        due.order_by(F("affiliations_checked_at").asc(nulls_first=True), "pk").values_list(
            "pk", flat=True
        )[:limit]
    )


def institutions_awaiting_ror(*, limit: int = 1000) -> list[int]:
    """Institutions with a ROR id whose ROR record was never read."""
    return list(
        Institution.objects.filter(ror_id__isnull=False, ror_fetched_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _only_switched_off_sources() -> Q:
    """Papers none of whose identifiers names a source this site may ask."""
    askable = Q(arxiv_id__isnull=False)
    if settings.AMINER_API_TOKEN:
        askable |= Q(aminer_id__isnull=False)
    if settings.ACL_ANTHOLOGY_DATA_URL:
        askable |= Q(acl_id__isnull=False)
    if settings.OPENREVIEW_API_URL:
        askable |= Q(openreview_id__isnull=False)
    if settings.CROSSREF_API_URL:
        askable |= Q(doi__isnull=False)
    if settings.SEMANTIC_SCHOLAR_API_URL:
        askable |= Q(s2_id__isnull=False)
    return ~askable


def papers_due_for_refresh(*, limit: int = 1000) -> list[int]:
    """arXiv papers fetched longer ago than ``ARXIV_REFRESH_AFTER``, oldest first.

    arXiv papers entered by hand count too, unless an editor kept the hand entry: arXiv's
    metadata replaces a hand entry once arXiv gives it.
    """
    cutoff = timezone.now() - dt.timedelta(seconds=settings.ARXIV_REFRESH_AFTER)
    return list(
        Paper.objects.filter(
            Q(metadata_source=MetadataSource.ARXIV)
            | Q(
                metadata_source=MetadataSource.MANUAL,
                metadata_kept=False,
                arxiv_id__isnull=False,
            ),
            metadata_status=MetadataStatus.OK,
            metadata_fetched_at__lt=cutoff,
        )
        .order_by("metadata_fetched_at")
        .values_list("pk", flat=True)[:limit]
    )


def source_unavailable(paper: Paper) -> str:
    """Why no source can be asked for the paper's metadata, or "" when one can."""
    if paper.arxiv_id:
        return ""
    if paper.aminer_id:
        if settings.AMINER_API_TOKEN:
            return ""
        return gettext("AMiner cannot be asked for this paper's metadata: this site has no token.")
    if paper.acl_id:
        if settings.ACL_ANTHOLOGY_DATA_URL:
            return ""
        return gettext(
            "The ACL Anthology cannot be asked for this paper's metadata: it is switched off on "
            "this site."
        )
    if paper.openreview_id:
        if settings.OPENREVIEW_API_URL:
            return ""
        return gettext(
            "OpenReview cannot be asked for this paper's metadata: it is switched off on this site."
        )
    if paper.doi:
        if settings.CROSSREF_API_URL:
            return ""
        return gettext(
            "Crossref cannot be asked for this paper's metadata: it is switched off on this site."
        )
    if paper.s2_id:
        if settings.SEMANTIC_SCHOLAR_API_URL:
            return ""
        return gettext(
            "Semantic Scholar cannot be asked for this paper's metadata: it is switched off on "
            "this site."
        )
    return gettext("No source can be asked for this paper's metadata.")


def fetching_source(paper: Paper) -> str:
    """The name of the source a fetch asks for the paper's metadata (``services.fetching``)."""
    if paper.arxiv_id:
        return "arXiv"
    if paper.aminer_id:
        return "AMiner"
    if paper.acl_id:
        return "the ACL Anthology"
    if paper.openreview_id:
        return "OpenReview"
    if paper.doi:
        return "Crossref"
    return "Semantic Scholar"


def awaits_hand_entry(paper: Paper) -> bool:
    """Whether the paper's metadata is missing for good, so that it may be filled in by hand:
    its fetch ended ``failed`` or ``not_found``, or no source can be asked at all."""
    if paper.metadata_status in HAND_ENTRY_STATUSES:
        return True
    return paper.metadata_status == MetadataStatus.PENDING and bool(source_unavailable(paper))


def entered_by_hand(paper: Paper) -> bool:
    return paper.metadata_status == MetadataStatus.OK and (
        paper.metadata_source == MetadataSource.MANUAL
    )


def hand_entry_refusal(paper: Paper) -> str:
    """Why the paper's metadata may not be entered by hand now, or "" when it may: when it is
    missing for good, or was entered by hand before (who may correct that is the caller's
    business)."""
    if awaits_hand_entry(paper) or entered_by_hand(paper):
        return ""
    source = fetching_source(paper)
    if paper.metadata_status == MetadataStatus.OK:
        return gettext(
            "This paper's metadata was fetched from %(source)s; it is not replaced by hand. An "
            "editor may have it fetched again."
        ) % {"source": paper.get_metadata_source_display()}
    return gettext(
        "This paper's metadata is still being fetched from %(source)s. It may be filled in by "
        "hand only if that fails."
    ) % {"source": source}


#: Given a word of a query, a condition on the papers of the enclosing query (``OuterRef("pk")``)
#: that holds when another app's text about the paper contains the word.
WordMatch = Callable[[str], Q | Exists]


def search_papers(
    papers: QuerySet[Paper],
    query: str,
    *,
    ranked: bool = False,
    also: WordMatch | None = None,
) -> QuerySet[Paper]:
    """``papers`` that match ``query`` in their English or Chinese title, abstract, an author's
    name, or a text another app holds about them.

    On PostgreSQL, a full-text search on each paper's document (``papers/search.py``): every
    English word, stemmed, and every Chinese word as a run of characters, answered by a GIN
    index; of the matches, the ``SEARCH_MAX_MATCHES`` newest. With ``ranked``, the best of those
    come first (``search_rank``: a word in the title counts most, then the abstract, the
    authors, the other texts), the newest among equals. The document holds the other apps'
    texts already: ``also`` is not needed there.

    Elsewhere (SQLite, the embedded default), each of the first ``SEARCH_MAX_WORDS`` words as a
    case-insensitive substring of the paper's texts, or where ``also`` finds it, every match;
    ``ranked`` orders newest first.

    Filter ``papers`` before, not after: the matches are picked among them.
    """
    # A NUL is no character of any text, and PostgreSQL refuses one in a query.
    query = query.replace("\x00", "")
    if connections[papers.db].vendor == "postgresql":
        return _full_text_search(papers, query, ranked=ranked)
    papers = _substring_search(papers, query, also=also)
    return papers.order_by("-created_at", "-id") if ranked else papers


def _full_text_search(papers: QuerySet[Paper], query: str, *, ranked: bool) -> QuerySet[Paper]:
    found = search.search_query(query)
    if found is None:
        return papers.none()
    # The newest matches, by the list's own index when a word is common (the planner walks it
    # until it has enough), by the GIN index when it is rare, picked once, here: the count and
    # the page then read at most SEARCH_MAX_MATCHES rows by primary key, however many papers hold
    # the word, instead of each matching the documents again.
    newest = (
        papers.alias(search_document=search.SearchDocument())
        .filter(search_document=found)
        .order_by("-created_at", "-id")
    )
    if not ranked:
        return with_ids(papers, newest.values_list("pk", flat=True)[:SEARCH_MAX_MATCHES])
    # Of those newest matches, the best first, the newest among equals: ranked by the database,
    # which hands over the ids alone (reading a thousand ranks and sorting them here was a
    # tenth of an API search's worker CPU).
    ids = list(
        papers.model.objects.filter(pk__in=newest.values("pk")[:SEARCH_MAX_MATCHES])
        .alias(search_rank=SearchRank(search.SearchDocument(), found))
        .order_by("-search_rank", "-created_at", "-id")
        .values_list("pk", flat=True)
    )

    def rows(some: list[int]) -> QuerySet[Paper]:
        return with_ids(papers, some).order_by(search.Position(some))

    # Picked among ``papers``: a page of the API's list needs neither a count nor all the ids.
    return know_rows(rows(ids), ids, rows)


def with_ids(papers: QuerySet[Paper], ids: Iterable[int]) -> QuerySet[Paper]:
    """``papers`` whose id is one of ``ids`` (a search's matches), with the ids as one array
    parameter on PostgreSQL."""
    if connections[papers.db].vendor == "postgresql":
        return papers.filter(search.AnyOf(F("pk"), list(ids)))
    return papers.filter(pk__in=list(ids))


def _substring_search(
    papers: QuerySet[Paper], query: str, *, also: WordMatch | None
) -> QuerySet[Paper]:
    for word in query.split()[:SEARCH_MAX_WORDS]:
        by_author = Authorship.objects.filter(paper=OuterRef("pk"), author__name__icontains=word)
        matches = (
            Q(title__icontains=word)
            | Q(title_zh__icontains=word)
            | Q(abstract__icontains=word)
            | Exists(by_author)
        )
        if also is not None:
            matches |= also(word)
        papers = papers.filter(matches)
    return papers


# --- institutions as digests name them -----------------------------------------------------------


def glossary() -> Glossary:
    """The institution glossary, indexed for resolution (``papers.institutions``): one query."""
    rows = InstitutionGlossaryEntry.objects.order_by("pk").values_list(
        "pk", "name", "ror_id", "short_zh", "short_en", "aliases"
    )
    return Glossary(
        [
            GlossaryTerm(pk, name, ror_id, short_zh, short_en, _aliases(aliases))
            for pk, name, ror_id, short_zh, short_en, aliases in rows
        ]
    )


def _aliases(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(a for a in value if isinstance(a, str) and a.strip())


def institution_short_forms(
    institutions: Iterable[Institution], known: Glossary | None = None
) -> dict[int, ShortForms]:
    """Institution id → its short forms in Chinese and in English: one query for the glossary
    (none when ``known`` is given)."""
    known = known if known is not None else glossary()
    return {i.pk: short_forms(i, known) for i in institutions}


def paper_short_forms(paper: Paper, known: Glossary) -> list[ShortForms]:
    """The paper's institutions in order, as digests name them (its institutions prefetched by
    ``papers_with_details``: no query)."""
    return [short_forms(pi.institution, known) for pi in paper.paper_institutions.all()]


#: The most institutions the page of those without a Chinese short form lists at once.
UNNAMED_INSTITUTIONS_MAX = 200


def institutions_without_short_form(
    papers: QuerySet[Paper], *, limit: int = UNNAMED_INSTITUTIONS_MAX
) -> tuple[list[tuple[Institution, int]], int]:
    """The institutions of ``papers`` that have no Chinese short form, each with the number of
    those papers it appears on, most frequent first (then by name); and how many there are in
    all. Two queries (the institutions with their counts, the glossary), whatever the number of
    papers."""
    counted = (
        Institution.objects.filter(paper_institutions__paper__in=papers)
        .annotate(papers_count=Count("paper_institutions__paper", distinct=True))
        .order_by("-papers_count", "name", "pk")
    )
    known = glossary()
    unnamed = [(i, i.papers_count) for i in counted if not short_forms(i, known).has_zh]
    return unnamed[:limit], len(unnamed)
