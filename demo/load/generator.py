"""Realistic data at scale for the benchmarks, behind ``manage.py generate_load_data``.

It writes what years of a community's work would have left: members with team roles, a catalogue
of papers (shared authors, institutions, English titles with Chinese ones for a good share,
abstracts), recommendations in every state with their reviews and audit rows, weekly published
issues whose entries hold the ``shown_*`` copies that publishing makes, a draft issue being
assembled, and newsletter subscribers.

It writes straight to the tables: ``bulk_create`` in large batches with primary keys chosen here,
so every foreign key is computed and nothing is read back; no ``save()``, no signals, no services
(a hundred thousand service calls would take an hour). What it writes is what the services would
have: the same states, transitions, numbering and frozen entry copies, and ``drafting`` writes
the issues' titles, intros and credit lines as assembling would. It needs a database without
papers or publications: it adds no data to a live site.

Deterministic: the same spec and seed give the same rows, on any day (the archive ends at
``END``, not at the time of the run).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction

from demo.load import words
from issues import drafting
from issues.enums import (
    IssueAction,
    IssueStatus,
    RecommendationAction,
    RecommendationKind,
    RecommendationStatus,
    Section,
    TeamRole,
    Verdict,
)
from issues.models import (
    Issue,
    IssueEntry,
    Membership,
    Publication,
    Recommendation,
    Review,
    Transition,
)
from issues.selectors import EntryContent
from newsletter.enums import SubscriberStatus
from newsletter.models import Subscriber
from papers.enums import MetadataSource, MetadataStatus
from papers.models import Author, Authorship, Institution, Paper, PaperInstitution, Topic

#: The generated archive's last issue appears a week before this moment.
END = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
#: Papers built and inserted together: bounds the memory, whatever the number of papers.
CHUNK = 5000
BATCH = 5000

_R = RecommendationStatus
_DAY = dt.timedelta(days=1)

PUBLICATIONS = [
    ("pretraining-weekly", "Pretraining Weekly", "预训练周刊"),
    ("rl-weekly", "RL Weekly", "强化学习周刊"),
    ("nlp-weekly", "NLP Weekly", "自然语言处理周刊"),
    ("multimodal-weekly", "Multimodal Weekly", "多模态周刊"),
    ("ai4science-weekly", "AI for Science Weekly", "科学智能周刊"),
]

#: Authors per paper and how often: most papers have three to eight.
AUTHOR_COUNTS = ([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 25], [3, 8, 14, 17, 16, 12, 9, 7, 6, 4, 2, 2])
#: The state of a recommendation that no issue featured: recent ones are still in the workflow,
#: older ones were turned down, withdrawn, or accepted and never picked.
RECENT_STATES = ([_R.SUBMITTED, _R.ACCEPTED, _R.CHANGES_REQUESTED, _R.DRAFT, _R.WITHDRAWN,
                  _R.REJECTED], [35, 25, 10, 10, 5, 15])  # fmt: skip
OLD_STATES = ([_R.REJECTED, _R.WITHDRAWN, _R.ACCEPTED], [70, 25, 5])
RECENT = dt.timedelta(days=21)


@dataclass(frozen=True)
class LoadSpec:
    papers: int
    issues: int
    publications: int
    seed: int = 0
    #: The mean number of papers of an issue (each has half to one and a half times as many).
    papers_per_issue: int = 14
    #: Members of the community; by default one per 40 papers (at least 30).
    members: int | None = None
    #: Newsletter subscribers, over all publications; by default one per 10 papers.
    subscribers: int | None = None


class LoadDataError(Exception):
    """The database is not one ``generate_load_data`` may fill."""


@dataclass
class LoadReport:
    rows: Counter = field(default_factory=Counter)
    seconds: float = 0.0


# --- the plan: who recommended what, when, and where it appeared ------------------------------


class _Rec:
    """One recommendation to write, with its times and, when featured, its place in an issue."""

    __slots__ = ("changes", "created", "decided", "id", "issue", "news", "position", "pub",
                 "scheduled", "status", "submitted", "submitter", "title_zh", "topic")  # fmt: skip

    def __init__(self, pub: int, submitter: int, status: str, created: dt.datetime) -> None:
        self.pub, self.submitter, self.status, self.created = pub, submitter, status, created
        self.submitted = self.decided = self.scheduled = None
        self.issue: _Issue | None = None
        self.position = 0
        self.changes = False
        self.title_zh = ""
        self.topic = 0
        self.news: tuple[str, str, str] | None = None  # title, url, summary
        self.id = 0


class _Paper:
    __slots__ = ("created", "featured_in", "id", "index", "recs", "title", "title_zh", "topic",
                 "vocab")  # fmt: skip

    def __init__(self, index: int, vocab: dict[str, Any], topic: int) -> None:
        self.index, self.vocab, self.topic = index, vocab, topic
        self.title, self.title_zh = _title(vocab)
        self.recs: list[_Rec] = []
        self.featured_in: set[int] = set()
        self.created = END
        self.id = 0


class _Issue:
    __slots__ = ("created", "editor", "entries", "id", "number", "pub", "published")

    def __init__(self, pub: int, number: int | None, published: dt.datetime | None) -> None:
        self.pub, self.number, self.published = pub, number, published
        self.created = (published or END) - 7 * _DAY
        self.entries: list[tuple[_Rec, _Paper | None]] = []
        self.editor = 0
        self.id = 0


def _title(v: dict[str, Any]) -> tuple[str, str]:
    en, zh = v["template"]
    return (
        en.format(**{k: val[0] for k, val in v["parts"].items()}, name=v["name"]),
        zh.format(**{k: val[1] for k, val in v["parts"].items()}, name=v["name"]),
    )


def _zipf_cum(n: int, s: float = 0.9, offset: float = 8.0) -> list[float]:
    """Cumulative weights of n items, a few popular and a long tail (prolific authors)."""
    return list(itertools.accumulate(1.0 / (i + offset) ** s for i in range(n)))


@contextmanager
def _given_times() -> Iterator[None]:
    """``auto_now``/``auto_now_add`` fields take the times given here, not the time of the run.

    bulk_create calls ``pre_save``, which would stamp every row with now: the archive would
    then be created in one second, and every list ordered by creation would be in id order by
    chance. The fields are restored on exit.
    """
    fields = [
        f
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class _Table:
    """One table's columns, their defaults, and the fastest bulk insert the database has.

    On PostgreSQL that is ``COPY``: ``bulk_create`` spends most of its time preparing each value
    of each row in Python (about a minute for the 1.5 million rows of 100,000 papers on a 2-core
    machine), which the benchmark's two-minute budget cannot afford. Elsewhere (SQLite in the
    tests) it is ``bulk_create`` in large batches. Both write the same rows: every column, with
    the model's defaults for the ones not given.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.defaults = {
            f.attname: None
            if f.primary_key or (f.has_default() and callable(f.default) and f.default is not list)
            # A callable default (now, uuid4) would differ from run to run: given, or NULL.
            else f.get_default()
            for f in self.fields
        }
        self.json = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]

    def row(self, values: dict[str, Any]) -> tuple:
        merged = {**self.defaults, **values}
        if len(merged) != len(self.defaults):
            raise TypeError(
                f"Unknown fields of {self.model.__name__}: {set(merged) - set(self.defaults)}"
            )
        return tuple(merged[name] for name in self.attnames)

    def values_of(self, obj: models.Model) -> tuple:
        return tuple(getattr(obj, name) for name in self.attnames)

    def insert(self, rows: Sequence[tuple]) -> None:
        if connection.vendor != "postgresql":
            self.model._base_manager.bulk_create(
                [self.model(**dict(zip(self.attnames, row, strict=True))) for row in rows],
                batch_size=BATCH,
            )
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        sql = f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                if self.json:
                    row = list(row)
                    for i in self.json:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)


class _Generator:
    def __init__(self, spec: LoadSpec, log: Callable[[str], None]) -> None:
        if spec.papers < 1 or spec.publications < 1 or spec.issues < 0:
            raise LoadDataError("Give at least one paper and one publication.")
        self.spec = spec
        self.log = log
        self.rng = random.Random(spec.seed)  # noqa: S311 (test data, not secrets)
        self.report = LoadReport()
        self.next_id: dict[type[models.Model], int] = {}
        self.tables: dict[type[models.Model], _Table] = {}
        self.arxiv_numbers: dict[str, int] = {}
        self.aminer_base = self.rng.getrandbits(96)

    # --- ids and inserts

    def _ids(self, model: type[models.Model], count: int) -> range:
        if model not in self.next_id:
            last = model._base_manager.aggregate(m=models.Max("pk"))["m"] or 0
            self.next_id[model] = last + 1
        start = self.next_id[model]
        self.next_id[model] = start + count
        return range(start, start + count)

    def _row(self, model: type[models.Model], **values: Any) -> tuple:
        table = self.tables.get(model) or self.tables.setdefault(model, _Table(model))
        return table.row(values)

    def _insert(self, model: type[models.Model], rows: Sequence[tuple]) -> None:
        """Insert rows made by ``_row``; those without a primary key are numbered here."""
        if not rows:
            return
        table = self.tables.get(model) or self.tables.setdefault(model, _Table(model))
        if rows[0][0] is None:
            ids = self._ids(model, len(rows))
            rows = [(pk, *row[1:]) for pk, row in zip(ids, rows, strict=True)]
        table.insert(rows)
        self.report.rows[model._meta.label] += len(rows)

    def _insert_objects(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        table = self.tables.get(model) or self.tables.setdefault(model, _Table(model))
        self._insert(model, [table.values_of(obj) for obj in objects])

    # --- the run

    def run(self) -> LoadReport:
        started = time.monotonic()
        if (
            Paper.objects.exists()
            or Publication.objects.exists()
            or Author.objects.exists()
            or Institution.objects.exists()
        ):
            raise LoadDataError(
                "The database holds papers, authors, institutions or publications already: "
                "generate_load_data fills an empty one (create a new database, or run "
                "`manage.py flush`)."
            )
        with transaction.atomic(), _given_times():
            self._people()
            self._catalogue_pools()
            self._plan()
            self._write_issues()
            self._write_news()
            for start in range(0, len(self.papers), CHUNK):
                self._write_papers(self.papers[start : start + CHUNK])
                self.log(f"  papers {min(start + CHUNK, len(self.papers))}/{len(self.papers)}")
            self._write_subscribers()
            self._reset_sequences()
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: the planner's statistics, and the
            # visibility map that lets counts and index-only scans skip the table (VACUUM cannot
            # run inside a transaction: a caller's, or a test's, gets the statistics only).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        self.report.seconds = time.monotonic() - started
        return self.report

    def _reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_id))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    # --- people, publications, topics

    def _people(self) -> None:
        rng, spec = self.rng, self.spec
        user_model = get_user_model()
        count = spec.members or max(30, spec.papers // 40)
        self.start = END - dt.timedelta(weeks=spec.issues // spec.publications + 6)
        names = set()
        users = []
        for uid in self._ids(user_model, count):
            if rng.random() < 0.6:
                display = rng.choice(words.SURNAMES_HANZI) + "".join(
                    rng.choices(words.GIVEN_HANZI, k=rng.choice((1, 2, 2)))
                )
                login = f"{rng.choice(words.GIVEN_PINYIN)}{rng.choice(words.SURNAMES_PINYIN)}"
            else:
                given, surname = rng.choice(words.GIVEN_OTHER), rng.choice(words.SURNAMES_OTHER)
                display = f"{given} {surname}"
                login = f"{given}{surname}".replace("-", "").replace("ü", "u")
            username = f"{login.lower()}{uid}"
            names.add(username)
            joined = self.start + (END - self.start) * rng.random() * 0.5
            users.append(
                user_model(
                    id=uid,
                    username=username,
                    email=f"{username}@{rng.choice(words.EMAIL_DOMAINS)}",
                    password=f"!{username}",  # unusable: nobody logs in as a generated member
                    display_name=display,
                    affiliation=rng.choice(words.INSTITUTIONS)[0] if rng.random() < 0.7 else "",
                    date_joined=joined,
                    is_active=True,
                )
            )
        if user_model._base_manager.filter(username__in=names).exists():
            raise LoadDataError("Some generated user names exist already: use another --seed.")
        self._insert_objects(user_model, users)
        self.users = users
        self.user_cum = _zipf_cum(len(users), s=1.0, offset=5.0)

        self.publications = []
        for pid, index in zip(
            self._ids(Publication, spec.publications), range(spec.publications), strict=True
        ):
            slug, name, name_zh = (
                PUBLICATIONS[index]
                if index < len(PUBLICATIONS)
                else (f"digest-{index + 1}", f"Digest {index + 1}", f"第{index + 1}周刊")
            )
            self.publications.append(
                Publication(
                    id=pid,
                    slug=slug,
                    name=name,
                    name_zh=name_zh,
                    description=f"A weekly digest of papers, written by its community ({name}).",
                    description_zh=f"{name_zh}：由社区共同撰写的每周论文精选。",
                    created_at=self.start - 30 * _DAY,
                )
            )
        self._insert_objects(Publication, self.publications)

        # A team per publication: two editors and six reviewers, some in several teams.
        memberships, self.editors, self.reviewers = [], [], []
        team_size = min(8, len(users) - 1)
        for pub in self.publications:
            team = rng.sample(range(len(users)), team_size)
            editors, reviewers = team[:2], team[2:]
            self.editors.append(editors)
            self.reviewers.append(team)  # editors review too
            for member, role in [(m, TeamRole.EDITOR) for m in editors] + [
                (m, TeamRole.REVIEWER) for m in reviewers
            ]:
                memberships.append(
                    Membership(
                        publication=pub, user=users[member], role=role, created_at=pub.created_at
                    )
                )
        for mid, membership in zip(
            self._ids(Membership, len(memberships)), memberships, strict=True
        ):
            membership.id = mid
        self._insert_objects(Membership, memberships)

        existing = {t.slug: t for t in Topic.objects.all()}
        new = [
            Topic(slug=slug, name_en=en, name_zh=zh, position=position)
            for position, (slug, en, zh) in enumerate(words.TOPICS, start=1)
            if slug not in existing
        ]
        for tid, topic in zip(self._ids(Topic, len(new)), new, strict=True):
            topic.id = tid
        self._insert_objects(Topic, new)
        by_slug = {**existing, **{t.slug: t for t in new}}
        self.topics = [by_slug[slug] for slug, _en, _zh in words.TOPICS]
        self.topic_cum = _zipf_cum(len(self.topics), s=0.7, offset=2.0)

    def _member(self) -> int:
        return bisect.bisect_left(self.user_cum, self.rng.random() * self.user_cum[-1])

    def _reviewer(self, pub: int, submitter: int) -> int:
        choices = [m for m in self.reviewers[pub] if m != submitter]
        return self.rng.choice(choices)

    def _editor(self, pub: int, submitter: int) -> int:
        choices = [m for m in self.editors[pub] if m != submitter] or self.reviewers[pub]
        return self.rng.choice(choices)

    # --- authors and institutions

    def _catalogue_pools(self) -> None:
        rng, n = self.rng, self.spec.papers
        known = {en for en, _zh in words.INSTITUTIONS}
        names = [
            (en.format(city=city), zh.format(city_zh=city_zh))
            for city, city_zh in words.CITIES
            for en, zh in words.INSTITUTION_PATTERNS
            if en.format(city=city) not in known
        ]
        rng.shuffle(names)
        wanted = max(len(words.INSTITUTIONS), n // 200)
        pool = list(words.INSTITUTIONS) + names
        while len(pool) < wanted:  # beyond the patterns: numbered branches
            en, zh = rng.choice(names)
            pool.append((f"{en}, Branch {len(pool)}", zh))
        pool = pool[:wanted]
        institutions = [
            Institution(id=iid, name=en, name_zh=zh)
            for iid, (en, zh) in zip(self._ids(Institution, len(pool)), pool, strict=True)
        ]
        self._insert_objects(Institution, institutions)
        self.institutions = institutions
        self.institution_cum = _zipf_cum(len(institutions), s=1.0, offset=3.0)

        base = [f"{g} {s}" for g in words.GIVEN_PINYIN for s in words.SURNAMES_PINYIN]
        base += [f"{g} {s}" for g in words.GIVEN_OTHER for s in words.SURNAMES_OTHER]
        rng.shuffle(base)
        count = max(50, int(n * 0.6))
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
            for aid, name in zip(self._ids(Author, count), author_names, strict=True)
        ]
        self._insert_objects(Author, authors)
        self.authors = authors
        self.author_cum = _zipf_cum(count, s=0.8, offset=20.0)

    # --- what appeared where

    def _vocab(self) -> dict[str, Any]:
        rng = self.rng
        method, method2 = rng.sample(words.METHODS, 2)
        return {
            "template": rng.choice(words.TITLES),
            "parts": {
                "adj": rng.choice(words.ADJECTIVES),
                "method": method,
                "method2": method2,
                "task": rng.choice(words.TASKS),
                "model": rng.choice(words.MODELS),
                "prop": rng.choice(words.PROPERTIES),
            },
            "name": rng.choice(words.NAME_PARTS)
            + rng.choice(words.NAME_PARTS)
            + (f"-{rng.randint(2, 9)}" if rng.random() < 0.3 else ""),
        }

    def _new_paper(self) -> _Paper:
        topic = bisect.bisect_left(self.topic_cum, self.rng.random() * self.topic_cum[-1])
        paper = _Paper(len(self.papers), self._vocab(), topic)
        self.papers.append(paper)
        return paper

    def _timeline(self, rec: _Rec, until: dt.datetime, *, decided: bool, scheduled: bool) -> None:
        """Spread submission, decision and scheduling between creation and ``until``."""
        rng, window = self.rng, until - rec.created
        rec.submitted = rec.created + window * rng.uniform(0.001, 0.02)
        if decided:
            rec.decided = rec.created + window * rng.uniform(0.3, 0.7)
        if scheduled:
            rec.scheduled = until - window * rng.uniform(0.02, 0.2)

    def _plan(self) -> None:
        rng, spec = self.rng, self.spec
        self.papers: list[_Paper] = []
        counts = [
            spec.issues // spec.publications + (1 if p < spec.issues % spec.publications else 0)
            for p in range(spec.publications)
        ]
        issues = [
            _Issue(p, number, END - dt.timedelta(weeks=counts[p] - number + 1, hours=-2 - 3 * p))
            for p in range(spec.publications)
            for number in range(1, counts[p] + 1)
        ]
        issues.sort(key=lambda i: i.published)
        # At most 80% of the papers featured: the rest are in the workflow or were turned down.
        mean = min(spec.papers_per_issue, max(1, int(0.8 * spec.papers / max(1, spec.issues))))
        low, high = max(1, round(mean * 0.5)), max(1, round(mean * 1.5))
        for issue in issues:
            issue.editor = rng.choice(self.editors[issue.pub])
            in_issue: set[int] = set()
            papers: list[tuple[_Rec, _Paper]] = []
            for _slot in range(rng.randint(low, high)):
                paper = None
                if spec.publications > 1 and self.papers and rng.random() < 0.04:
                    # Featured by another publication before: a paper may appear once in each.
                    candidate = self.papers[rng.randrange(len(self.papers))]
                    if issue.pub not in candidate.featured_in and candidate.index not in in_issue:
                        paper = candidate
                if paper is None:
                    if len(self.papers) >= spec.papers:
                        break
                    paper = self._new_paper()
                earliest = max(
                    issue.published - rng.uniform(3, 25) * _DAY,
                    (paper.recs[-1].created + dt.timedelta(hours=1)) if paper.recs else self.start,
                )
                rec = _Rec(issue.pub, self._member(), _R.PUBLISHED, earliest)
                rec.issue, rec.topic = issue, paper.topic
                rec.changes = rng.random() < 0.12
                rec.title_zh = paper.title_zh if rng.random() < 0.8 else ""
                self._timeline(rec, issue.published, decided=True, scheduled=True)
                paper.recs.append(rec)
                paper.featured_in.add(issue.pub)
                in_issue.add(paper.index)
                papers.append((rec, paper))
            # Assembly orders papers by topic, then by acceptance.
            papers.sort(key=lambda e: (self.topics[e[0].topic].position, e[0].decided))
            for position, (rec, paper) in enumerate(papers, start=1):
                rec.position = position
                issue.entries.append((rec, paper))
            for position in range(1, rng.choice((0, 1, 1, 2, 2, 3)) + 1):
                rec = _Rec(issue.pub, self._member(), _R.PUBLISHED, issue.published - 4 * _DAY)
                rec.issue, rec.position, rec.news = issue, position, self._news_item()
                self._timeline(rec, issue.published, decided=True, scheduled=True)
                issue.entries.append((rec, None))
        self.issues = issues

        # The rest of the catalogue: recommended, never featured.
        first = issues[0].published - 28 * _DAY if issues else END - 56 * _DAY
        span = END - first
        drafts = [_Issue(p, None, None) for p in range(spec.publications)]
        for draft in drafts:
            draft.created, draft.editor = END - 2 * _DAY, rng.choice(self.editors[draft.pub])
        while len(self.papers) < spec.papers:
            paper = self._new_paper()
            created = first + span * rng.random()
            recent = created > END - RECENT
            states, weights = RECENT_STATES if recent else OLD_STATES
            pub = rng.randrange(spec.publications)
            rec = _Rec(pub, self._member(), rng.choices(states, weights)[0], created)
            rec.topic = paper.topic
            rec.title_zh = paper.title_zh if rng.random() < 0.8 else ""
            rec.changes = rec.status != _R.DRAFT and rng.random() < 0.08
            decided = rec.status in (_R.ACCEPTED, _R.REJECTED, _R.WITHDRAWN)
            self._timeline(rec, END, decided=decided, scheduled=False)
            draft = drafts[pub]
            scheduled = END - 2 * _DAY + dt.timedelta(minutes=len(draft.entries))
            if (
                rec.status == _R.ACCEPTED
                and recent
                and rec.decided < scheduled - dt.timedelta(hours=1)
                and len(draft.entries) < 6
            ):
                # Accepted before the draft was assembled: scheduled into it.
                rec.status, rec.issue = _R.SCHEDULED, draft
                rec.scheduled = scheduled
                rec.position = len(draft.entries) + 1
                draft.entries.append((rec, paper))
            paper.recs.append(rec)
        # Some featured papers are recommended again later, by someone who then withdraws.
        for paper in self.papers:
            if paper.recs[0].status == _R.PUBLISHED and rng.random() < 0.03:
                later = paper.recs[-1].issue.published + rng.uniform(1, 60) * _DAY
                if later < END:
                    rec = _Rec(paper.recs[-1].pub, self._member(), _R.WITHDRAWN, later)
                    rec.topic = paper.topic
                    self._timeline(rec, min(END, later + 3 * _DAY), decided=True, scheduled=False)
                    paper.recs.append(rec)
        self.drafts = [d for d in drafts if d.entries]

        # Ids in the order rows were created, as a live site would have given them.
        for paper in self.papers:
            paper.created = min(r.created for r in paper.recs)
            # Publishing fills a paper's Chinese title from its recommendation; a share of the
            # others have one from AMiner or an editor.
            given = next((r.title_zh for r in paper.recs if r.status == _R.PUBLISHED), "")
            paper.title_zh = given or (paper.title_zh if rng.random() < 0.4 else "")
        self.papers.sort(key=lambda p: p.created)
        for pid, paper in zip(self._ids(Paper, len(self.papers)), self.papers, strict=True):
            paper.id = pid

    def _news_item(self) -> tuple[str, str, str]:
        rng = self.rng
        v = self._vocab()["parts"]
        org_zh, org_en, host = rng.choice(words.NEWS_SOURCES)
        zh, en = rng.choice(words.NEWS)
        chinese = rng.random() < 0.7
        values = {
            "org": org_zh if chinese else org_en,
            "year": END.year - 1,
            "model": v["model"][0],
            "model_zh": v["model"][1],
            "task": v["task"][0].lower(),
            "task_zh": v["task"][1],
            "method": v["method"][0].lower(),
            "method_zh": v["method"][1],
        }
        title = (zh if chinese else en).format(**values)
        url = f"https://{host}/news/{rng.randrange(10**6):06d}"
        summary = f"{title}。详情见原文。" if chinese else f"{title}. Read more there."
        return title, url, summary

    # --- issues and their news

    def _write_issues(self) -> None:
        all_issues = self.issues + self.drafts
        for iid, issue in zip(self._ids(Issue, len(all_issues)), all_issues, strict=True):
            issue.id = iid
        rows, transitions = [], []
        for issue in all_issues:
            contents = [self._content(rec, paper) for rec, paper in self._ordered(issue)]
            texts = drafting.draft_texts(contents)
            published = issue.published is not None
            editor = self.users[issue.editor]
            rows.append(
                Issue(
                    id=issue.id,
                    publication=self.publications[issue.pub],
                    number=issue.number,
                    status=IssueStatus.PUBLISHED if published else IssueStatus.DRAFT,
                    title=texts.title,
                    intro_zh=texts.intro_zh,
                    intro_en=texts.intro_en,
                    credits=texts.credits,
                    published_at=issue.published,
                    created_by=editor,
                    created_at=issue.created,
                    updated_at=issue.published or issue.created,
                )
            )
            transitions.append(
                self._row(
                    Transition,
                    issue_id=issue.id,
                    actor_id=editor.id,
                    action=IssueAction.CREATE,
                    from_status="",
                    to_status=IssueStatus.DRAFT,
                    created_at=issue.created,
                )
            )
            if published:
                transitions.append(
                    self._row(
                        Transition,
                        issue_id=issue.id,
                        actor_id=editor.id,
                        action=IssueAction.PUBLISH,
                        from_status=IssueStatus.DRAFT,
                        to_status=IssueStatus.PUBLISHED,
                        created_at=issue.published,
                    )
                )
        self._insert_objects(Issue, rows)
        self._insert(Transition, transitions)

    def _ordered(self, issue: _Issue) -> list[tuple[_Rec, _Paper | None]]:
        return sorted(issue.entries, key=lambda e: (e[0].news is not None, e[0].position))

    def _content(self, rec: _Rec, paper: _Paper | None) -> EntryContent:
        """What an entry shows, enough for ``drafting`` (authors are not needed there)."""
        news = rec.news
        return EntryContent(
            entry=None,
            section=Section.NEWS if news else Section.PAPERS,
            title=news[0] if news else paper.title,
            title_zh="" if news else rec.title_zh or paper.title_zh,
            authors=[],
            institutions=[],
            summary="",
            code_url="",
            url="",
            contributor=self.users[rec.submitter],
            topic=None if news else self.topics[rec.topic],
        )

    def _write_news(self) -> None:
        recs, entries, reviews, transitions = [], [], [], []
        news = [rec for issue in self.issues for rec, paper in issue.entries if paper is None]
        for rid, rec in zip(self._ids(Recommendation, len(news)), news, strict=True):
            rec.id = rid
            title, url, summary = rec.news
            transitions += self._history(rec, reviews)
            recs.append(self._recommendation(rec, paper=None, summary=summary))
            entries.append(
                self._row(
                    IssueEntry,
                    issue_id=rec.issue.id,
                    recommendation_id=rec.id,
                    paper_id=None,
                    section=Section.NEWS,
                    position=rec.position,
                    shown_title=title,
                    shown_summary=summary,
                    shown_url=url,
                )
            )
        self._insert(Recommendation, recs)
        self._insert(Review, reviews)
        self._insert(IssueEntry, entries)
        self._insert(Transition, transitions)

    # --- papers with everything that hangs on them

    def _write_papers(self, chunk: Sequence[_Paper]) -> None:
        papers, authorships, places, recs, reviews, entries, transitions = ([] for _ in range(7))
        for plan in chunk:
            paper, names, institutions = self._paper(plan)
            papers.append(paper)
            for position, author in enumerate(names, start=1):
                authorships.append(
                    self._row(Authorship, paper_id=plan.id, author_id=author.id, position=position)
                )
            for position, institution in enumerate(institutions, start=1):
                places.append(
                    self._row(
                        PaperInstitution,
                        paper_id=plan.id,
                        institution_id=institution.id,
                        position=position,
                    )
                )
            for rec in plan.recs:
                rec.id = self._ids(Recommendation, 1)[0]
                summary = self._summary(plan.vocab)
                transitions += self._history(rec, reviews)  # first: it may move ``submitted``
                recs.append(self._recommendation(rec, paper=paper, summary=summary))
                if rec.issue is None:
                    continue
                frozen = rec.status == _R.PUBLISHED
                entries.append(
                    self._row(
                        IssueEntry,
                        issue_id=rec.issue.id,
                        recommendation_id=rec.id,
                        paper_id=plan.id,
                        section=Section.PAPERS,
                        position=rec.position,
                        # What publishing copies (selectors.live_entry_content).
                        shown_title=paper.title if frozen else "",
                        shown_title_zh=(rec.title_zh or paper.title_zh) if frozen else "",
                        shown_authors="\n".join(a.name for a in names) if frozen else "",
                        shown_institutions="\n".join(i.name for i in institutions)
                        if frozen
                        else "",
                        shown_summary=summary if frozen else "",
                        shown_code_url=paper.code_url if frozen else "",
                        shown_url=paper.url if frozen else "",
                    )
                )
        # What hangs on the papers first (the foreign keys are checked at the commit), then the
        # papers: each paper's search document is computed once, as it is inserted, with its
        # authors and published entries already there. Papers first would have the triggers
        # append to each document twice, leaving three versions of every row in the table.
        self._insert(Authorship, authorships)
        self._insert(PaperInstitution, places)
        self._insert(Recommendation, recs)
        self._insert(Review, reviews)
        self._insert(IssueEntry, entries)
        self._insert(Transition, transitions)
        self._insert_objects(Paper, papers)

    def _paper(self, plan: _Paper) -> tuple[Paper, list[Author], list[Institution]]:
        rng = self.rng
        featured = any(r.status == _R.PUBLISHED for r in plan.recs)
        status = MetadataStatus.OK
        if not featured:
            status = rng.choices(
                [MetadataStatus.OK, MetadataStatus.NOT_FOUND, MetadataStatus.FAILED,
                 MetadataStatus.PENDING], [94, 2, 2, 2],
            )[0]  # fmt: skip
        created = plan.created
        kind = rng.choices(("arxiv", "aminer", "doi"), (93, 4, 3))[0]
        arxiv_id = aminer_id = doi = None
        if kind == "arxiv":
            arxiv_id = self._arxiv_id(created)
            kind = "aminer" if arxiv_id is None else kind
        if kind == "aminer":
            aminer_id = f"{(self.aminer_base + plan.index) % 16**24:024x}"
        elif kind == "doi":
            venue = rng.choice(words.VENUES).lower()
            doi = f"10.18653/v1/{created.year}.{venue}-main.{plan.index}"
        fetched = created + dt.timedelta(seconds=rng.randint(5, 600))
        paper = Paper(
            id=plan.id,
            arxiv_id=arxiv_id,
            aminer_id=aminer_id,
            doi=doi,
            title_zh=plan.title_zh,
            metadata_status=status,
            metadata_source={
                "arxiv": MetadataSource.ARXIV,
                "aminer": MetadataSource.AMINER,
                "doi": MetadataSource.MANUAL,
            }[kind]
            if status == MetadataStatus.OK
            else "",
            metadata_attempts=0 if status == MetadataStatus.PENDING else 1,
            created_at=created,
            updated_at=fetched if status != MetadataStatus.PENDING else created,
        )
        if status == MetadataStatus.FAILED:
            paper.metadata_error = "arXiv did not answer: timed out after 4 attempts"
            paper.metadata_attempts = 4
        if status != MetadataStatus.OK:
            return paper, [], []
        v = plan.vocab
        published_on = (created - rng.uniform(0, 60) * _DAY).date()
        version = rng.choices((1, 2, 3), (70, 22, 8))[0]
        primary = rng.choices(*zip(*words.CATEGORIES, strict=True))[0]
        others = rng.sample(
            [c for c, _w in words.CATEGORIES if c != primary], rng.choice((0, 1, 1, 2))
        )
        paper.title = plan.title
        paper.abstract = self._abstract(v)
        paper.published_on = published_on
        paper.revised_on = published_on + rng.randint(5, 90) * _DAY if version > 1 else None
        paper.year = published_on.year
        paper.arxiv_version = version if arxiv_id else None
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
        paper.pdf_url = f"https://arxiv.org/pdf/{arxiv_id}v{version}" if arxiv_id else ""
        paper.metadata_fetched_at = fetched
        count = rng.choices(*AUTHOR_COUNTS)[0]
        picked = dict.fromkeys(
            bisect.bisect_left(self.author_cum, x * self.author_cum[-1])
            for x in (rng.random() for _ in range(count))
        )
        places = dict.fromkeys(
            bisect.bisect_left(self.institution_cum, rng.random() * self.institution_cum[-1])
            for _ in range(rng.choices((1, 2, 3, 4), (35, 35, 20, 10))[0])
        )
        return (
            paper,
            [self.authors[i] for i in picked],
            [self.institutions[i] for i in places],
        )

    def _arxiv_id(self, created: dt.datetime) -> str | None:
        """A new-style arXiv id of the paper's month, unique: numbers rise within a month."""
        month = f"{created.year % 100:02d}{created.month:02d}"
        last = self.arxiv_numbers.get(month) or self.rng.randint(1, 800)
        number = last + self.rng.randint(1, 9)
        if number > 99999:
            return None
        self.arxiv_numbers[month] = number
        return f"{month}.{number:05d}"

    def _abstract(self, v: dict[str, Any]) -> str:
        rng = self.rng
        values = self._values(v)
        chosen = rng.sample(words.ABSTRACT_SENTENCES[2:], rng.randint(3, 6))
        return " ".join(s.format(**values) for s in words.ABSTRACT_SENTENCES[:2] + chosen)

    def _summary(self, v: dict[str, Any]) -> str:
        rng = self.rng
        values = self._values(v)
        if rng.random() < 0.6:
            values["reason_zh"] = rng.choice(words.REASONS_ZH).format(**values)
            return rng.choice(words.SUMMARIES_ZH).format(**values)
        values["reason_en"] = rng.choice(words.REASONS_EN)
        return rng.choice(words.SUMMARIES_EN).format(**values)

    def _values(self, v: dict[str, Any]) -> dict[str, Any]:
        rng, parts = self.rng, v["parts"]
        values: dict[str, Any] = {}
        for key, (en, zh) in parts.items():
            values[key] = en if key == "model" else en.lower()
            values[f"{key}_zh"] = zh
        values.update(
            Model=parts["model"][0],
            adj=parts["adj"][0].lower(),
            name=v["name"],
            k=rng.randint(3, 12),
            x=f"{rng.uniform(0.5, 9.5):.1f}",
            n=rng.randint(5, 500),
            p=rng.randint(10, 70),
        )
        return values

    # --- recommendations, reviews, the audit log

    def _recommendation(self, rec: _Rec, *, paper: Paper | None, summary: str) -> tuple:
        last = rec.issue.published if rec.status == _R.PUBLISHED else None
        title, url = (rec.news[0], rec.news[1]) if rec.news else ("", "")
        return self._row(
            Recommendation,
            id=rec.id,
            publication_id=self.publications[rec.pub].id,
            kind=RecommendationKind.NEWS if rec.news else RecommendationKind.PAPER,
            paper_id=paper.id if paper else None,
            news_title=title,
            news_url=url,
            summary=summary,
            title_zh=rec.title_zh,
            topic_id=None if rec.news else self.topics[rec.topic].id,
            submitter_id=self.users[rec.submitter].id,
            status=rec.status,
            created_at=rec.created,
            updated_at=last or rec.scheduled or rec.decided or rec.submitted or rec.created,
            submitted_at=None if rec.status == _R.DRAFT else rec.submitted,
            decided_at=rec.decided if rec.status not in (_R.SUBMITTED, _R.DRAFT) else None,
            review_round=self._round(rec),
        )

    @staticmethod
    def _round(rec: _Rec) -> int:
        """The review round ``rec`` ends in: the second when it was resubmitted."""
        return 2 if rec.changes and rec.status not in (_R.DRAFT, _R.CHANGES_REQUESTED) else 1

    def _history(self, rec: _Rec, reviews: list[tuple]) -> list[tuple]:
        """The audit rows (and reviews) the services would have written for ``rec``."""
        rng, users = self.rng, self.users
        submitter = users[rec.submitter].id
        rows = [(submitter, RecommendationAction.CREATE, "", _R.DRAFT, "", rec.created)]
        if rec.status == _R.DRAFT:
            return self._transitions(rec, rows)
        rows.append((submitter, RecommendationAction.SUBMIT, _R.DRAFT, _R.SUBMITTED, "",
                     rec.submitted))  # fmt: skip
        reviewer = users[self._reviewer(rec.pub, rec.submitter)].id
        end = rec.decided or END
        if rec.changes or rec.status == _R.CHANGES_REQUESTED:
            asked = rec.submitted + (end - rec.submitted) * 0.3
            comment = rng.choice(words.REVIEW_COMMENTS[Verdict.REQUEST_CHANGES])
            reviews.append(
                self._review(rec, reviewer, Verdict.REQUEST_CHANGES, comment, asked, round_=1)
            )
            rows.append((reviewer, RecommendationAction.REQUEST_CHANGES, _R.SUBMITTED,
                         _R.CHANGES_REQUESTED, comment, asked))  # fmt: skip
            if rec.status == _R.CHANGES_REQUESTED:
                return self._transitions(rec, rows)
            resubmitted = rec.submitted + (end - rec.submitted) * 0.5
            rows.append((submitter, RecommendationAction.SUBMIT, _R.CHANGES_REQUESTED,
                         _R.SUBMITTED, "", resubmitted))  # fmt: skip
            rec.submitted = resubmitted
        if rec.status == _R.SUBMITTED:
            return self._transitions(rec, rows)
        if rec.status == _R.WITHDRAWN:
            rows.append((submitter, RecommendationAction.WITHDRAW, _R.SUBMITTED, _R.WITHDRAWN,
                         "", rec.decided))  # fmt: skip
            return self._transitions(rec, rows)
        if rec.status == _R.REJECTED:
            comment = rng.choice(words.REVIEW_COMMENTS[Verdict.REJECT])
            reviews.append(self._review(rec, reviewer, Verdict.REJECT, comment, rec.decided))
            rows.append((reviewer, RecommendationAction.REJECT, _R.SUBMITTED, _R.REJECTED,
                         comment, rec.decided))  # fmt: skip
            return self._transitions(rec, rows)
        if rec.news:  # news items are accepted by an editor, without a review
            editor = users[self._editor(rec.pub, rec.submitter)].id
            rows.append((editor, RecommendationAction.ACCEPT, _R.SUBMITTED, _R.ACCEPTED, "",
                         rec.decided))  # fmt: skip
        else:
            comment = rng.choice(words.REVIEW_COMMENTS[Verdict.APPROVE])
            reviews.append(self._review(rec, reviewer, Verdict.APPROVE, comment, rec.decided))
            rows.append((reviewer, RecommendationAction.APPROVE, _R.SUBMITTED, _R.ACCEPTED,
                         comment, rec.decided))  # fmt: skip
        if rec.status in (_R.SCHEDULED, _R.PUBLISHED):
            editor = users[rec.issue.editor].id
            rows.append((editor, RecommendationAction.SCHEDULE, _R.ACCEPTED, _R.SCHEDULED,
                         f"Into issue {rec.issue.id}", rec.scheduled))  # fmt: skip
            if rec.status == _R.PUBLISHED:
                rows.append((editor, RecommendationAction.PUBLISH, _R.SCHEDULED, _R.PUBLISHED,
                             f"In issue #{rec.issue.number}", rec.issue.published))  # fmt: skip
        return self._transitions(rec, rows)

    def _transitions(self, rec: _Rec, rows: list[tuple]) -> list[tuple]:
        return [
            self._row(
                Transition,
                recommendation_id=rec.id,
                actor_id=actor,
                action=action,
                from_status=from_status,
                to_status=to_status,
                note=note,
                created_at=when,
            )
            for actor, action, from_status, to_status, note, when in rows
        ]

    def _review(
        self,
        rec: _Rec,
        reviewer: int,
        verdict: str,
        comment: str,
        when: dt.datetime,
        *,
        round_: int | None = None,
    ) -> tuple:
        return self._row(
            Review,
            recommendation_id=rec.id,
            reviewer_id=reviewer,
            verdict=verdict,
            comment=comment,
            round=round_ or self._round(rec),
            created_at=when,
        )

    # --- the newsletter

    def _write_subscribers(self) -> None:
        rng, spec = self.rng, self.spec
        count = spec.subscribers if spec.subscribers is not None else spec.papers // 10
        languages = [code for code, _name in settings.LANGUAGES]
        rows = []
        for sid in self._ids(Subscriber, count):
            pub = self.publications[rng.randrange(len(self.publications))]
            created = self.start + (END - self.start) * rng.random()
            status = rng.choices(
                [SubscriberStatus.CONFIRMED, SubscriberStatus.PENDING,
                 SubscriberStatus.UNSUBSCRIBED], [85, 10, 5],
            )[0]  # fmt: skip
            confirmed = created + dt.timedelta(minutes=rng.randint(1, 600))
            rows.append(
                self._row(
                    Subscriber,
                    id=sid,
                    publication_id=pub.id,
                    # Numbered, so unique per publication whatever the draw.
                    email=f"reader{sid}@{rng.choice(words.EMAIL_DOMAINS)}",
                    language=rng.choice(languages),
                    status=status,
                    created_at=created,
                    confirmation_sent_at=created,
                    confirmed_at=None if status == SubscriberStatus.PENDING else confirmed,
                    unsubscribed_at=(
                        confirmed + rng.uniform(1, 300) * _DAY
                        if status == SubscriberStatus.UNSUBSCRIBED
                        else None
                    ),
                )
            )
        self._insert(Subscriber, rows)


def generate_load_data(
    spec: LoadSpec, *, log: Callable[[str], None] = lambda _m: None
) -> LoadReport:
    """Fill an empty database with ``spec``'s data. Raises ``LoadDataError`` on one with content.

    Side effects: inserts rows in every table of the catalogue, the editorial work and the
    newsletter, in one transaction; resets the primary key sequences; then, on PostgreSQL,
    VACUUM (ANALYZE).
    """
    return _Generator(spec, log).run()
