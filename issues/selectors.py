"""Reads of issues and what readers see of them, with the prefetching pages need.

Each selector returns a queryset or a list built in a fixed number of queries, whatever the
number of rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from issues.enums import IssueStatus, Section
from issues.models import CoRecommendation, CreditedName, Issue, IssueEntry
from papers import search
from papers import selectors as catalogue
from papers.institutions import Glossary, ShortForms, normalise_name, thaw, typed_short_forms
from papers.models import Authorship, InstitutionGlossaryEntry, Paper, PaperInstitution
from publications import selectors as publication_selectors
from publications.models import Publication, Topic
from publications.permissions import can
from recommendations.models import Recommendation
from recommendations.places import Place

# --- what an entry shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryContent:
    """What one entry of an issue shows readers."""

    entry: IssueEntry
    section: str
    title: str
    title_zh: str
    authors: list[str]
    #: The institutions as the digest writes them in Chinese: their short forms (斯坦福), else
    #: their names (``papers.institutions``).
    institutions: list[str]
    summary: str
    code_url: str
    url: str
    contributor: Any
    topic: Any
    #: The entry's subject phrases, as the team wrote them (never frozen: only drafts use them).
    subject_zh: str = ""
    subject_en: str = ""
    #: The other members whose recommendations of the paper are credited on this entry.
    co_contributors: tuple[Any, ...] = ()
    #: The same institutions in English (Stanford, or the full name); empty: as in Chinese.
    institutions_en: Sequence[str] = ()
    #: Whether the institutions are only some of them (an imported text's trailing 等): the
    #: reader's line and the exports end them with 等 / "et al." however few they are.
    institutions_more: bool = False

    @property
    def institution_pairs(self) -> list[tuple[str, str]]:
        """(Chinese, English) of each institution, in order."""
        english = list(self.institutions_en) or self.institutions
        return list(zip(self.institutions, english, strict=False))

    @property
    def contributors(self) -> list[Any]:
        """Every member the entry credits: its recommender first, then the co-recommenders (an
        imported entry has neither: its issue's credited names credit it)."""
        return [m for m in (self.contributor, *self.co_contributors) if m is not None]

    @property
    def is_news(self) -> bool:
        return self.section == Section.NEWS


def _paper_queryset() -> QuerySet[Paper]:
    return Paper.objects.prefetch_related(
        Prefetch("authorships", queryset=Authorship.objects.select_related("author")),
        Prefetch(
            "paper_institutions", queryset=PaperInstitution.objects.select_related("institution")
        ),
    )


#: The co-recommendations credited on entries, with their members: one query for a page.
_CO_RECOMMENDATIONS = Prefetch(
    "co_recommendations",
    queryset=CoRecommendation.objects.select_related("recommendation__submitter"),
)


def _all_entries() -> QuerySet[IssueEntry]:
    return (
        IssueEntry.objects.select_related(
            "recommendation__submitter", "recommendation__topic__publication", "topic__publication"
        )
        .prefetch_related(
            Prefetch("recommendation__paper", queryset=_paper_queryset()),
            _CO_RECOMMENDATIONS,
        )
        .order_by("section", "position", "id")
    )


def co_contributors(entry: IssueEntry) -> tuple[Any, ...]:
    """The members credited on ``entry`` besides its recommender, each once, in the order they
    joined (prefetched by the selectors here: no query)."""
    if entry.recommendation is None:
        return ()
    main = entry.recommendation.submitter_id
    members = {
        co.recommendation.submitter_id: co.recommendation.submitter
        for co in entry.co_recommendations.all()
        if co.recommendation.submitter_id != main
    }
    return tuple(members.values())


def _entries(issue: Issue) -> QuerySet[IssueEntry]:
    return _all_entries().filter(issue=issue)


def entries_for_publishing(issue: Issue) -> QuerySet[IssueEntry]:
    return _entries(issue).select_related("paper")


#: The link of a paper from each of its identifiers, by the source a style names.
_PAPER_LINKS = {
    "arxiv": lambda paper: f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else "",
    "aminer": lambda paper: (
        f"https://www.aminer.cn/pub/{paper.aminer_id}" if paper.aminer_id else ""
    ),
    "doi": lambda paper: f"https://doi.org/{paper.doi}" if paper.doi else "",
}


def paper_link(paper: Paper, sources: Sequence[str] = ()) -> str:
    """The paper's page from the first of ``sources`` (arxiv, aminer, doi) it has an identifier
    of; the catalogue's own link when it has none of them."""
    for source in sources:
        link = _PAPER_LINKS.get(source, lambda _paper: "")(paper)
        if link:
            return link
    return paper.url


def shown_institutions(rec: Any, paper: Paper, glossary: Glossary) -> list[ShortForms]:
    """The institutions an unpublished entry shows, in both languages: what the team typed (one
    a line: ``中文 | English``, or a name or short form the glossary knows, 斯坦福), else the
    paper's institutions by their short forms (prefetched: no query)."""
    typed = [line for line in rec.shown_institutions.splitlines() if line.strip()]
    if typed:
        return [typed_short_forms(line, glossary) for line in typed]
    return catalogue.paper_short_forms(paper, glossary)


def live_entry_content(
    entry: IssueEntry, link_sources: Sequence[str] = (), glossary: Glossary | None = None
) -> EntryContent:
    """What the entry shows before publication: its recommendation and paper as they are now,
    with what the team wrote in place of the paper's authors, institutions and link. The paper
    link is the team's, else the first of ``link_sources`` (the publication's style) the paper
    has. Institutions are named through ``glossary`` (read when not given: one query)."""
    rec = entry.recommendation
    paper = rec.paper
    institutions_en: list[str] = []
    if paper is None:
        title, title_zh, authors, institutions, url = rec.news_title, "", [], [], rec.news_url
    else:
        title = paper.title or paper.identifier_display
        title_zh = rec.title_zh or paper.title_zh
        authors = rec.shown_authors.splitlines() or [a.author.name for a in paper.authorships.all()]
        forms = shown_institutions(rec, paper, glossary or catalogue.glossary())
        institutions = [f.zh for f in forms]
        institutions_en = [f.en for f in forms]
        url = rec.paper_url or paper_link(paper, link_sources)
    return EntryContent(
        entry=entry,
        section=entry.section,
        title=title,
        title_zh=title_zh,
        authors=authors,
        institutions=institutions,
        summary=rec.summary,
        code_url=rec.code_url or (paper.code_url if paper else ""),
        url=url,
        contributor=rec.submitter,
        topic=rec.topic,
        subject_zh=rec.subject_zh,
        subject_en=rec.subject_en,
        co_contributors=co_contributors(entry),
        institutions_en=institutions_en,
    )


def _shown_entry_content(entry: IssueEntry) -> EntryContent:
    rec = entry.recommendation
    # Frozen as ``中文 | English`` a line; a copy frozen before holds one name a line.
    pairs = thaw(entry.shown_institutions)
    return EntryContent(
        entry=entry,
        section=entry.section,
        title=entry.shown_title,
        title_zh=entry.shown_title_zh,
        authors=[line for line in entry.shown_authors.splitlines() if line],
        institutions=[zh for zh, _en in pairs],
        institutions_en=[en for _zh, en in pairs],
        institutions_more=entry.shown_institutions_more,
        summary=entry.shown_summary,
        code_url=entry.shown_code_url,
        url=entry.shown_url,
        # An imported entry has no recommendation: its own subject and topic, no member.
        contributor=rec.submitter if rec else None,
        topic=rec.topic if rec else entry.topic,
        subject_zh=rec.subject_zh if rec else entry.subject_zh,
        subject_en=rec.subject_en if rec else "",
        co_contributors=co_contributors(entry),
    )


def contents_of_issues(issues: Sequence[Issue]) -> dict[int, list[EntryContent]]:
    """Issue id → its entries as readers see them (fixed ones once published): papers, then
    news, each in their order. The same few queries for one issue or for a feed's twenty."""
    published = {issue.pk: issue.is_published for issue in issues}
    contents: dict[int, list[EntryContent]] = {pk: [] for pk in published}
    # Unpublished entries link their papers as their publication's style says: one query for
    # the styles, and none when every issue is published (their links are frozen).
    drafts = [issue for issue in issues if not issue.is_published]
    styles = publication_selectors.styles_of(list({i.publication_id for i in drafts}))
    sources = {i.pk: styles[i.publication_id].link_sources for i in drafts}
    # The glossary names the drafts' institutions: one query, none when all are published.
    glossary = catalogue.glossary() if drafts else None
    entries = _all_entries().filter(issue_id__in=list(published))
    for entry in sorted(entries, key=lambda e: (e.section != Section.PAPERS, e.position, e.pk)):
        if published[entry.issue_id]:
            content = _shown_entry_content(entry)
        else:
            content = live_entry_content(entry, sources[entry.issue_id], glossary)
        contents[entry.issue_id].append(content)
    return contents


def issue_contents(issue: Issue) -> list[EntryContent]:
    """The entries of ``issue`` as readers see them (see ``contents_of_issues``)."""
    return contents_of_issues([issue])[issue.pk]


def issue_contributors(contents: Iterable[EntryContent]) -> list[Any]:
    """The distinct contributors of the entries (co-recommenders too), in order of first
    appearance."""
    seen: dict[int, Any] = {}
    for content in contents:
        for member in content.contributors:
            seen.setdefault(member.pk, member)
    return list(seen.values())


def issue_topics(contents: Iterable[EntryContent]) -> list[Topic]:
    """The distinct topics of the paper entries, in the order topics are listed, for the links
    to their feeds on an issue's page (a topic's feed holds papers only)."""
    seen: dict[int, Topic] = {}
    for content in contents:
        if content.topic is not None and not content.is_news:
            seen.setdefault(content.topic.pk, content.topic)
    return sorted(seen.values(), key=lambda topic: (topic.position, topic.name_en, topic.pk))


def published_entries_of_topic(topic: Topic, limit: int) -> list[EntryContent]:
    """The paper entries recommended under ``topic`` in published issues of every publication,
    newest issue first and in the issue's order within one, as readers saw them.

    Two queries (the entries, their co-recommenders), whatever ``limit``: published entries
    show their frozen copies, so the recommendation's paper, its authors and institutions are
    not read at all.
    """
    return shown_contents(published_entries_in_topic(topic)[:limit])


def _published_entries() -> QuerySet[IssueEntry]:
    """Entries of published issues, newest issue first and in the issue's order within one, with
    what a list of them names (issue, publication, recommender, topic, co-recommenders): two
    queries."""
    return (
        IssueEntry.objects.filter(issue__status=IssueStatus.PUBLISHED)
        .select_related(
            "issue__publication",
            "recommendation__submitter",
            "recommendation__topic__publication",
            "topic__publication",
        )
        .prefetch_related(_CO_RECOMMENDATIONS)
        .order_by("-issue__published_at", "-issue_id", "section", "position", "id")
    )


def published_entries_in_topic(topic: Topic) -> QuerySet[IssueEntry]:
    """The paper entries recommended under ``topic`` in published issues of every publication,
    newest issue first (slice or paginate it; ``shown_contents`` turns a page into contents)."""
    return _published_entries().filter(
        Q(recommendation__topic=topic) | Q(recommendation__isnull=True, topic=topic),
        section=Section.PAPERS,
    )


def shown_contents(entries: Iterable[IssueEntry]) -> list[EntryContent]:
    """Published entries as readers saw them (their frozen copies); no query of its own."""
    return [_shown_entry_content(entry) for entry in entries]


# --- issues -------------------------------------------------------------------------------------


def published_issues(publication: Publication | None = None) -> QuerySet[Issue]:
    issues = Issue.objects.filter(status=IssueStatus.PUBLISHED).select_related("publication")
    if publication is not None:
        issues = issues.filter(publication=publication)
    return issues.order_by("-published_at", "-id")


def published_issue(slug: str, number: int) -> Issue | None:
    return published_issues().filter(publication__slug=slug, number=number).first()


def neighbour_issues(issue: Issue) -> tuple[Issue | None, Issue | None]:
    """The published issues before and after ``issue`` in its publication, in one query.
    Publishing numbers issues one after another, so they are the numbers on either side."""
    if not issue.number:
        return None, None
    around = {
        other.number: other
        for other in Issue.objects.filter(
            publication_id=issue.publication_id,
            status=IssueStatus.PUBLISHED,
            number__in=[issue.number - 1, issue.number + 1],
        ).only("number", "title", "publication_id")
    }
    return around.get(issue.number - 1), around.get(issue.number + 1)


def publications_with_last_published() -> QuerySet[Publication]:
    """Every publication with ``last_published_at``, when its latest issue came out (None
    before its first), for the sitemap: a publication's page changes when an issue comes out."""
    return publication_selectors.publications().annotate(
        last_published_at=Max(
            "issues__published_at", filter=Q(issues__status=IssueStatus.PUBLISHED)
        )
    )


def latest_issue_per_publication() -> list[tuple[Publication, Issue | None]]:
    """Each publication with its latest published issue (two queries)."""
    publications = list(Publication.objects.all())
    latest: dict[int, Issue] = {}
    for issue in published_issues().filter(publication__in=publications):
        latest.setdefault(issue.publication_id, issue)
    return [(publication, latest.get(publication.pk)) for publication in publications]


def issues_for_editor(user: Any, publication: Publication) -> QuerySet[Issue]:
    """All issues of ``publication`` when ``user`` edits it, else only the published ones."""
    if can(user, "issues.edit_issue", publication):
        return Issue.objects.filter(publication=publication).select_related("publication")
    return published_issues(publication)


def published_entry_of_paper(publication: Publication, paper: Paper) -> IssueEntry | None:
    return (
        IssueEntry.objects.filter(
            issue__publication=publication, issue__status=IssueStatus.PUBLISHED, paper=paper
        )
        .select_related("issue")
        .first()
    )


def featured_papers() -> QuerySet[Paper]:
    """Papers featured in at least one published issue, each once, with ``last_featured_at``,
    for the sitemap. A paper only in a draft or a scheduled issue is not among them."""
    return (
        Paper.objects.filter(issue_entries__issue__status=IssueStatus.PUBLISHED)
        # After the filter, so the latest time counts published issues only.
        .annotate(last_featured_at=Max("issue_entries__issue__published_at"))
        .order_by("pk")
    )


def published_entries_of_papers(
    publication: Publication, paper_ids: Iterable[int]
) -> list[IssueEntry]:
    return list(
        IssueEntry.objects.filter(
            issue__publication=publication,
            issue__status=IssueStatus.PUBLISHED,
            paper_id__in=list(paper_ids),
        ).select_related("issue")
    )


def visible_issue(user: Any, pk: int) -> Issue | None:
    """The issue with this id if ``user`` may see it (published, or one they edit)."""
    issue = (
        Issue.objects.select_related("publication").prefetch_related("corrections").filter(pk=pk)
    ).first()
    if issue is None or not can(user, "issues.view_issue", issue):
        return None
    return issue


# --- reader pages -------------------------------------------------------------------------------


def _credited_as(user: Any) -> Exists:
    """Whether the enclosing query's imported entry (``issue_id``) is credited, by its issue's
    credit line, to a name ``user`` was confirmed to be."""
    return Exists(
        Issue.credited_names.through.objects.filter(
            issue_id=OuterRef("issue_id"), creditedname__member=user
        )
    )


def published_entries_of_member(user: Any) -> QuerySet[IssueEntry]:
    """The public recommendations of ``user``: their entries in published issues, and the
    entries of imported issues that credit a name confirmed to be theirs, newest first."""
    return _published_entries().filter(
        Q(recommendation__submitter=user) | Q(recommendation__isnull=True) & _credited_as(user)
    )


def credited_issues(user: Any) -> QuerySet[Issue]:
    """The published issues that carry an entry recommended by ``user``, or credit a name
    confirmed to be theirs, newest first."""
    return (
        published_issues()
        .filter(Q(entries__recommendation__submitter=user) | Q(credited_names__member=user))
        .distinct()
    )


def topics_with_published_counts() -> QuerySet[Topic]:
    """Every publication's topics, a publication's together in their order, each with
    ``published_count``: its papers in published issues."""
    # The catalogue's order of topics (publication_selectors.topics), with the count.
    return publication_selectors.topics().annotate(
        published_count=Count(
            "recommendations__entry",
            filter=Q(
                recommendations__entry__issue__status=IssueStatus.PUBLISHED,
                recommendations__entry__section=Section.PAPERS,
            ),
            distinct=True,
        )
        # The entries of imported issues, which name their topic themselves.
        + Count(
            "imported_entries",
            filter=Q(
                imported_entries__issue__status=IssueStatus.PUBLISHED,
                imported_entries__section=Section.PAPERS,
                imported_entries__recommendation__isnull=True,
            ),
            distinct=True,
        )
    )


@dataclass(frozen=True)
class CreditPart:
    """A piece of an issue's credit line: a member's name (with the member) or plain text."""

    text: str
    member: Any = None


def credited_members(issue: Issue) -> dict[str, Any]:
    """The names an imported issue credits that members were confirmed to be, each with the
    member: one query for an imported issue, none for another."""
    if not issue.is_imported:
        return {}
    names = issue.credited_names.filter(member__isnull=False, member__is_active=True)
    return {credited.name: credited.member for credited in names.select_related("member")}


def credited_names_to_show(publication: Publication, user: Any) -> list[CreditedName]:
    """The names ``publication``'s imported issues credit, with their members and claims: its
    editors see every claim; another member the names nobody holds, and their own. One query."""
    names = CreditedName.objects.filter(publication=publication).select_related(
        "member", "claimed_by"
    )
    if not can(user, "issues.confirm_credited_name", publication):
        names = names.filter(Q(member__isnull=True) | Q(member=user))
    return list(names.order_by("name", "pk"))


def credit_parts(
    credits: str, contributors: Sequence[Any], named: dict[str, Any] | None = None
) -> list[CreditPart]:
    """The credit line cut into pieces, each contributor's public name (and each name of
    ``named``, an imported issue's credited names) found in it linked to the member; without a
    credit line, the contributors themselves, in order. No query."""
    members = {c.public_name: c for c in contributors if c.public_name}
    members.update(named or {})
    if not credits.strip():
        parts: list[CreditPart] = []
        for member in contributors:
            if parts:
                parts.append(CreditPart(" "))
            parts.append(CreditPart(member.public_name, member))
        return parts
    if not members:
        return [CreditPart(credits)]
    # Longest names first, so "Ada Lovelace" wins over "Ada".
    names = sorted(members, key=len, reverse=True)
    pattern = re.compile("(" + "|".join(re.escape(name) for name in names) + ")")
    return [
        CreditPart(piece, members.get(piece)) for piece in pattern.split(credits.strip()) if piece
    ]


# --- papers as published: the catalogue's questions that the editorial work answers -------------


def _appearances() -> QuerySet[IssueEntry]:
    """Entries of published issues, oldest first, with what a paper's page names of each."""
    return (
        IssueEntry.objects.filter(issue__status=IssueStatus.PUBLISHED)
        .select_related(
            "issue__publication",
            "recommendation__submitter",
            "recommendation__topic__publication",
            "topic__publication",
        )
        .order_by("issue__published_at", "issue_id", "position", "id")
    )


def published_appearances(paper: Paper) -> list[IssueEntry]:
    """The published issue entries that featured ``paper``, oldest first: each is one public
    recommendation of it, with its summary as published, its recommender, topic and issue."""
    return list(_appearances().filter(paper=paper))


def appearances_of_outer_paper() -> QuerySet[IssueEntry]:
    """The published issue entries of the paper of the enclosing query (``OuterRef("pk")``):
    ``Exists`` of it is "featured"; narrowed, "featured in that publication" and the like."""
    return IssueEntry.objects.filter(paper=OuterRef("pk"), issue__status=IssueStatus.PUBLISHED)


def _published_text_holds(word: str) -> Exists:
    """Whether a summary or Chinese title published of the enclosing query's paper holds
    ``word``: what the catalogue's substring search adds for the editorial texts."""
    return Exists(
        appearances_of_outer_paper().filter(
            Q(shown_summary__icontains=word) | Q(shown_title_zh__icontains=word)
        )
    )


def search_papers(papers: QuerySet[Paper], query: str, *, ranked: bool = False) -> QuerySet[Paper]:
    """``papers`` that match ``query`` (``papers.selectors.search_papers``) in the catalogue's
    texts or in a summary or Chinese title as published in an issue. The API's ``q`` and the
    search page both use it, so they find the same papers."""
    return catalogue.search_papers(papers, query, ranked=ranked, also=_published_text_holds)


def featured_matches(query: str) -> list[int]:
    """The ids of the newest featured papers that match ``query``, at most
    ``SEARCH_MAX_MATCHES`` (PostgreSQL): picked by ``issues_featured_matches`` (migration 0003)
    off the index of the featured papers' documents, never by reading the papers table."""
    found = search.search_query(query.replace("\x00", ""))
    if found is None:
        return []
    # The query's SQL as Django compiles it, the searched words among its parameters.
    sql, params = search.tsquery_sql(found, connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT issues_featured_matches({sql}, %s)",
            [*params, catalogue.SEARCH_MAX_MATCHES],
        )
        return [row[0] for row in cursor.fetchall()]


def places_of_recommendations(recommendation_ids: Sequence[int]) -> dict[int, Place]:
    """Where each of these recommendations is: the issue that holds it (``recommendations.places``,
    which this app feeds)."""
    entries = IssueEntry.objects.filter(
        Q(recommendation_id__in=recommendation_ids)
        | Q(co_recommendations__recommendation_id__in=recommendation_ids)
    ).select_related("issue__publication", "recommendation__submitter")
    entries = entries.prefetch_related(_CO_RECOMMENDATIONS).distinct()
    wanted = set(recommendation_ids)
    places: dict[int, Place] = {}
    for entry in entries:
        held = [entry.recommendation] + [co.recommendation for co in entry.co_recommendations.all()]
        members = {rec.submitter_id: rec.submitter for rec in held}
        for rec in held:
            if rec.pk in wanted:
                places[rec.pk] = Place(
                    number=entry.issue.number,
                    url=entry.issue.get_absolute_url(),
                    published=entry.issue.is_published,
                    credited_with=tuple(m for pk, m in members.items() if pk != rec.submitter_id),
                )
    return places


# --- institutions to name -----------------------------------------------------------------------


def institutions_to_name(limit: int = catalogue.UNNAMED_INSTITUTIONS_MAX) -> tuple[list[Any], int]:
    """The institutions of recommended papers (published ones included) that have no Chinese
    short form, each with the number of those papers, most frequent first; and how many there
    are in all (``papers.selectors.institutions_without_short_form``)."""
    recommended = Paper.objects.filter(Exists(Recommendation.objects.filter(paper=OuterRef("pk"))))
    return catalogue.institutions_without_short_form(recommended, limit=limit)


def glossary_entries(query: str = "") -> list[InstitutionGlossaryEntry]:
    """The glossary's entries whose name, short forms, ROR id or other names hold ``query``,
    compared normalised (``papers.institutions.normalise_name``), all without one, by name.

    The glossary is a few hundred rows, searched here rather than in SQL: its other names are a
    JSON list, which SQLite keeps with its Chinese escaped. One query."""
    entries = list(
        InstitutionGlossaryEntry.objects.select_related("updated_by").order_by("name", "pk")
    )
    key = normalise_name(query[:200])
    if not key:
        return entries
    return [
        entry
        for entry in entries
        if any(
            key in normalise_name(text)
            for text in (
                entry.name,
                entry.short_zh,
                entry.short_en,
                entry.ror_id or "",
                *(a for a in entry.aliases or () if isinstance(a, str)),
            )
        )
    ]
