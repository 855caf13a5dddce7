"""The catalogue: the pools of institutions and authors, then the planned papers in chunks, each
with everything that hangs on it (authorships, institutions, recommendations, reviews, entries and
audit rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from demo.load import texts, words
from demo.load.context import DAY, Load, draw, zipf_cum
from demo.load.plan import PaperPlan, RecPlan
from demo.load.recommendations import history, recommendation_row
from issues.enums import Section
from issues.models import IssueEntry
from papers import faults
from papers.enums import MetadataSource, MetadataStatus
from papers.faults import Fault
from papers.models import Author, Authorship, Institution, Paper, PaperInstitution
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation, Review, Transition

#: Papers built and inserted together: bounds the memory, whatever the number of papers.
CHUNK = 5000
#: Authors per paper and how often: most papers have three to eight.
AUTHOR_COUNTS = ([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 25], [3, 8, 14, 17, 16, 12, 9, 7, 6, 4, 2, 2])
SOURCES = {"arxiv": MetadataSource.ARXIV, "aminer": MetadataSource.AMINER,
           "doi": MetadataSource.MANUAL}  # fmt: skip


def write_institutions(load: Load) -> None:
    """The well-known institutions, then made-up ones (city × pattern), one per 200 papers."""
    rng = load.rng
    known = {en for en, _zh in words.INSTITUTIONS}
    names = [
        (en.format(city=city), zh.format(city_zh=city_zh))
        for city, city_zh in words.CITIES
        for en, zh in words.INSTITUTION_PATTERNS
        if en.format(city=city) not in known
    ]
    rng.shuffle(names)
    wanted = max(len(words.INSTITUTIONS), load.spec.papers // 200)
    pool = list(words.INSTITUTIONS) + names
    while len(pool) < wanted:  # beyond the patterns: numbered branches
        en, zh = rng.choice(names)
        pool.append((f"{en}, Branch {len(pool)}", zh))
    pool = pool[:wanted]
    institutions = [
        Institution(id=iid, name=en, name_zh=zh)
        for iid, (en, zh) in zip(load.writer.ids(Institution, len(pool)), pool, strict=True)
    ]
    load.writer.insert_objects(Institution, institutions)
    load.institutions = institutions
    load.institution_cum = zipf_cum(len(institutions), s=1.0, offset=3.0)


def write_authors(load: Load) -> None:
    """Authors for 0.6 per paper: every given name × surname, then again with middle initials."""
    base = [f"{g} {s}" for g in words.GIVEN_PINYIN for s in words.SURNAMES_PINYIN]
    base += [f"{g} {s}" for g in words.GIVEN_OTHER for s in words.SURNAMES_OTHER]
    load.rng.shuffle(base)
    count = max(50, int(load.spec.papers * 0.6))
    letters = "ABCDEFGHIJKLMNOPRSTVWY"
    author_names = base[:count]
    level = 0
    while len(author_names) < count:  # the same name with a middle initial: another person
        letter = letters[level % len(letters)]
        suffix = "" if level < len(letters) else f" {level // len(letters) + 1}"
        author_names += [
            f"{name.split(' ')[0]} {letter}. {name.split(' ', 1)[1]}{suffix}"
            for name in base[: count - len(author_names)]
        ]
        level += 1
    authors = [
        Author(id=aid, name=name)
        for aid, name in zip(load.writer.ids(Author, count), author_names, strict=True)
    ]
    load.writer.insert_objects(Author, authors)
    load.authors = authors
    load.author_cum = zipf_cum(count, s=0.8, offset=20.0)


def write_papers(load: Load) -> None:
    for start in range(0, len(load.papers), CHUNK):
        _write_chunk(load, load.papers[start : start + CHUNK])
        load.log(f"  papers {min(start + CHUNK, len(load.papers))}/{len(load.papers)}")


def _write_chunk(load: Load, chunk: Sequence[PaperPlan]) -> None:
    # What hangs on the papers first (the foreign keys are checked at the commit), then the
    # papers: each paper's search document is computed once, as it is inserted, with its
    # authors and published entries already there. Papers first would have the triggers
    # append to each document twice, leaving three versions of every row in the table.
    order = (Authorship, PaperInstitution, Recommendation, Review, IssueEntry, Transition)
    rows: dict[type, list[tuple]] = {model: [] for model in order}
    papers = []
    for plan in chunk:
        paper, names, institutions = _paper(load, plan)
        papers.append(paper)
        for position, author in enumerate(names, start=1):
            rows[Authorship].append(
                load.writer.row(
                    Authorship, paper_id=plan.id, author_id=author.id, position=position
                )
            )
        for position, institution in enumerate(institutions, start=1):
            rows[PaperInstitution].append(
                load.writer.row(
                    PaperInstitution,
                    paper_id=plan.id,
                    institution_id=institution.id,
                    position=position,
                )
            )
        _write_recommendations(load, plan, paper, names, institutions, rows)
    for model, model_rows in rows.items():
        load.writer.insert(model, model_rows)
    load.writer.insert_objects(Paper, papers)


def _write_recommendations(
    load: Load,
    plan: PaperPlan,
    paper: Paper,
    names: list[Author],
    institutions: list[Institution],
    rows: dict[type, list[tuple]],
) -> None:
    """A paper's recommendations with their reviews and audit rows, and its entries in issues."""
    for rec in plan.recs:
        rec.id = load.writer.ids(Recommendation, 1)[0]
        summary = texts.summary(load.rng, plan.vocab)
        # First: a resubmission moves ``submitted``.
        rows[Transition] += history(load, rec, rows[Review])
        rows[Recommendation].append(recommendation_row(load, rec, paper=paper, summary=summary))
        if rec.issue is None:
            continue
        frozen = rec.status == RecommendationStatus.PUBLISHED
        rows[IssueEntry].append(
            load.writer.row(
                IssueEntry,
                issue_id=rec.issue.id,
                recommendation_id=rec.id,
                paper_id=plan.id,
                section=Section.PAPERS,
                position=rec.position,
                # A scheduled entry shows the paper as it is now: nothing is copied yet.
                **(_shown(rec, paper, names, institutions, summary) if frozen else {}),
            )
        )


def _shown(
    rec: RecPlan, paper: Paper, names: list[Author], institutions: list[Institution], summary: str
) -> dict[str, str]:
    """What publishing copies into a published entry (``selectors.live_entry_content``)."""
    return {
        "shown_title": paper.title,
        "shown_title_zh": rec.title_zh or paper.title_zh,
        "shown_authors": "\n".join(a.name for a in names),
        "shown_institutions": "\n".join(i.name for i in institutions),
        "shown_summary": summary,
        "shown_code_url": paper.code_url,
        "shown_url": paper.url,
    }


def _paper(load: Load, plan: PaperPlan) -> tuple[Paper, list[Author], list[Institution]]:
    """The paper's row, and its authors and institutions when its metadata was fetched."""
    rng = load.rng
    status = _metadata_status(load, plan)
    created = plan.created
    kind, arxiv_id, aminer_id, doi = _identifier(load, plan)
    fetched = created + dt.timedelta(seconds=rng.randint(5, 600))
    paper = Paper(
        id=plan.id,
        arxiv_id=arxiv_id,
        aminer_id=aminer_id,
        doi=doi,
        title_zh=plan.title_zh,
        metadata_status=status,
        metadata_source=SOURCES[kind] if status == MetadataStatus.OK else "",
        metadata_attempts=0 if status == MetadataStatus.PENDING else 1,
        created_at=created,
        updated_at=fetched if status != MetadataStatus.PENDING else created,
    )
    if status == MetadataStatus.FAILED:
        paper.metadata_error = Fault(
            faults.UNREACHABLE, MetadataSource.ARXIV, then=faults.GAVE_UP, detail="timed out"
        ).stored()
        paper.metadata_attempts = 4
    if status != MetadataStatus.OK:
        return paper, [], []
    _describe(load, paper, plan)
    paper.metadata_fetched_at = fetched
    count = rng.choices(*AUTHOR_COUNTS)[0]
    picked = dict.fromkeys(draw(load.author_cum, rng.random()) for _ in range(count))
    places = dict.fromkeys(
        draw(load.institution_cum, rng.random())
        for _ in range(rng.choices((1, 2, 3, 4), (35, 35, 20, 10))[0])
    )
    return paper, [load.authors[i] for i in picked], [load.institutions[i] for i in places]


def _metadata_status(load: Load, plan: PaperPlan) -> str:
    """Fetched for every featured paper; for a few of the others, missing, failed or pending."""
    if any(r.status == RecommendationStatus.PUBLISHED for r in plan.recs):
        return MetadataStatus.OK
    return load.rng.choices(
        [MetadataStatus.OK, MetadataStatus.NOT_FOUND, MetadataStatus.FAILED,
         MetadataStatus.PENDING], [94, 2, 2, 2],
    )[0]  # fmt: skip


def _identifier(load: Load, plan: PaperPlan) -> tuple[str, str | None, str | None, str | None]:
    """The kind of the paper's identifier and its arXiv id, AMiner id or DOI (one of them)."""
    rng, created = load.rng, plan.created
    kind = rng.choices(("arxiv", "aminer", "doi"), (93, 4, 3))[0]
    arxiv_id = aminer_id = doi = None
    if kind == "arxiv":
        arxiv_id = _arxiv_id(load, created)
        kind = "aminer" if arxiv_id is None else kind
    if kind == "aminer":
        aminer_id = f"{(load.aminer_base + plan.index) % 16**24:024x}"
    elif kind == "doi":
        venue = rng.choice(words.VENUES).lower()
        doi = f"10.18653/v1/{created.year}.{venue}-main.{plan.index}"
    return kind, arxiv_id, aminer_id, doi


def _arxiv_id(load: Load, created: dt.datetime) -> str | None:
    """A new-style arXiv id of the paper's month, unique: numbers rise within a month."""
    month = f"{created.year % 100:02d}{created.month:02d}"
    last = load.arxiv_numbers.get(month) or load.rng.randint(1, 800)
    number = last + load.rng.randint(1, 9)
    if number > 99999:
        return None
    load.arxiv_numbers[month] = number
    return f"{month}.{number:05d}"


def _describe(load: Load, paper: Paper, plan: PaperPlan) -> None:
    """The fetched metadata: title, abstract, dates, categories, and now and then a journal
    reference, a comment and a code link."""
    rng, v = load.rng, plan.vocab
    published_on = (plan.created - rng.uniform(0, 60) * DAY).date()
    version = rng.choices((1, 2, 3), (70, 22, 8))[0]
    primary = rng.choices(*zip(*words.CATEGORIES, strict=True))[0]
    others = rng.sample([c for c, _w in words.CATEGORIES if c != primary], rng.choice((0, 1, 1, 2)))
    paper.title = plan.title
    paper.abstract = texts.abstract(rng, v)
    paper.published_on = published_on
    paper.revised_on = published_on + rng.randint(5, 90) * DAY if version > 1 else None
    paper.year = published_on.year
    paper.arxiv_version = version if paper.arxiv_id else None
    paper.primary_category = primary
    paper.categories = [primary, *others]
    if rng.random() < 0.1:
        paper.journal_ref = f"{rng.choice(words.VENUES)} {published_on.year}"
    if rng.random() < 0.3:
        paper.comment = rng.choice(
            (f"Accepted at {rng.choice(words.VENUES)} {published_on.year}",
             f"{rng.randint(8, 40)} pages, {rng.randint(2, 12)} figures")
        )  # fmt: skip
    if rng.random() < 0.35:
        paper.code_url = (
            f"https://{rng.choice(words.CODE_HOSTS)}/{rng.choice(words.CODE_ORGS)}/"
            f"{v['name'].lower()}"
        )
    paper.pdf_url = f"https://arxiv.org/pdf/{paper.arxiv_id}v{version}" if paper.arxiv_id else ""
