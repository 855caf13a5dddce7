"""The plan of the archive, before any row of it is written: who recommended what, when, what
became of it, and where it appeared.

Weekly issues per publication, each with papers (a new paper mostly, sometimes one another
publication featured before) and a few news items; then the rest of the catalogue, recommended
and never featured, with a draft issue per publication holding what was accepted lately; then a
few featured papers recommended again and withdrawn. Ids are given last, in the order a live
site would have given them.
"""

from __future__ import annotations

import datetime as dt

from demo.load import texts
from demo.load.context import DAY, END, Load, draw
from papers.models import Paper
from recommendations.enums import RecommendationStatus

_R = RecommendationStatus

#: The state of a recommendation that no issue featured: recent ones are still in the workflow,
#: older ones were turned down, withdrawn, or accepted and never picked.
RECENT_STATES = ([_R.SUBMITTED, _R.ACCEPTED, _R.CHANGES_REQUESTED, _R.DRAFT, _R.WITHDRAWN,
                  _R.REJECTED], [35, 25, 10, 10, 5, 15])  # fmt: skip
OLD_STATES = ([_R.REJECTED, _R.WITHDRAWN, _R.ACCEPTED], [70, 25, 5])
RECENT = dt.timedelta(days=21)
#: At most this many accepted recommendations wait in a publication's draft issue.
DRAFT_SIZE = 6


class RecPlan:
    """One recommendation to write, with its times and, when featured, its place in an issue."""

    __slots__ = ("changes", "created", "decided", "id", "issue", "news", "position", "pub",
                 "scheduled", "status", "submitted", "submitter", "title_zh", "topic")  # fmt: skip

    def __init__(self, pub: int, submitter: int, status: str, created: dt.datetime) -> None:
        self.pub, self.submitter, self.status, self.created = pub, submitter, status, created
        self.submitted = self.decided = self.scheduled = None
        self.issue: IssuePlan | None = None
        self.position = 0
        self.changes = False
        self.title_zh = ""
        self.topic = 0
        self.news: tuple[str, str, str] | None = None  # title, url, summary
        self.id = 0


class PaperPlan:
    __slots__ = ("created", "featured_in", "id", "index", "recs", "title", "title_zh", "topic",
                 "vocab")  # fmt: skip

    def __init__(self, index: int, vocab: dict, topic: int) -> None:
        self.index, self.vocab, self.topic = index, vocab, topic
        self.title, self.title_zh = texts.title(vocab)
        self.recs: list[RecPlan] = []
        self.featured_in: set[int] = set()
        self.created = END
        self.id = 0


class IssuePlan:
    __slots__ = ("created", "editor", "entries", "id", "number", "pub", "published")

    def __init__(self, pub: int, number: int | None, published: dt.datetime | None) -> None:
        self.pub, self.number, self.published = pub, number, published
        self.created = (published or END) - 7 * DAY
        self.entries: list[tuple[RecPlan, PaperPlan | None]] = []
        self.editor = 0
        self.id = 0


def plan_archive(load: Load) -> None:
    """Fill ``load.papers``, ``load.issues`` and ``load.drafts``, ids included."""
    load.papers = []
    load.issues = _published_issues(load)
    for issue in load.issues:
        _plan_issue(load, issue)
    load.drafts = _plan_unfeatured(load)
    _plan_withdrawn_repeats(load)
    _number_papers(load)


def _published_issues(load: Load) -> list[IssuePlan]:
    """Every publication's weekly issues, numbered 1..n, the last ones a week before ``END``."""
    spec = load.spec
    counts = [
        spec.issues // spec.publications + (1 if p < spec.issues % spec.publications else 0)
        for p in range(spec.publications)
    ]
    issues = [
        IssuePlan(p, number, END - dt.timedelta(weeks=counts[p] - number + 1, hours=-2 - 3 * p))
        for p in range(spec.publications)
        for number in range(1, counts[p] + 1)
    ]
    issues.sort(key=lambda i: i.published)
    return issues


def _plan_issue(load: Load, issue: IssuePlan) -> None:
    """An issue's papers, ordered as assembling orders them, then its news items."""
    rng, spec = load.rng, load.spec
    # At most 80% of the papers featured: the rest are in the workflow or were turned down.
    mean = min(spec.papers_per_issue, max(1, int(0.8 * spec.papers / max(1, spec.issues))))
    low, high = max(1, round(mean * 0.5)), max(1, round(mean * 1.5))
    issue.editor = rng.choice(load.editors[issue.pub])
    in_issue: set[int] = set()
    papers: list[tuple[RecPlan, PaperPlan]] = []
    for _slot in range(rng.randint(low, high)):
        paper = _paper_for(load, issue, in_issue)
        if paper is None:
            break
        rec = _featured(load, issue, paper)
        in_issue.add(paper.index)
        papers.append((rec, paper))
    # Assembly orders papers by topic, then by acceptance.
    papers.sort(key=lambda e: (load.topics[e[0].topic].position, e[0].decided))
    for position, (rec, paper) in enumerate(papers, start=1):
        rec.position = position
        issue.entries.append((rec, paper))
    for position in range(1, rng.choice((0, 1, 1, 2, 2, 3)) + 1):
        rec = RecPlan(issue.pub, load.member(), _R.PUBLISHED, issue.published - 4 * DAY)
        rec.issue, rec.position, rec.news = issue, position, texts.news_item(rng)
        _timeline(load, rec, issue.published, decided=True, scheduled=True)
        issue.entries.append((rec, None))


def _paper_for(load: Load, issue: IssuePlan, in_issue: set[int]) -> PaperPlan | None:
    """The paper of an issue's next slot; None when the catalogue is used up."""
    rng, spec = load.rng, load.spec
    if spec.publications > 1 and load.papers and rng.random() < 0.04:
        # Featured by another publication before: a paper may appear once in each.
        candidate = load.papers[rng.randrange(len(load.papers))]
        if issue.pub not in candidate.featured_in and candidate.index not in in_issue:
            return candidate
    if len(load.papers) >= spec.papers:
        return None
    return _new_paper(load)


def _featured(load: Load, issue: IssuePlan, paper: PaperPlan) -> RecPlan:
    """The recommendation of ``paper`` that ``issue`` published."""
    rng = load.rng
    earliest = max(
        issue.published - rng.uniform(3, 25) * DAY,
        (paper.recs[-1].created + dt.timedelta(hours=1)) if paper.recs else load.start,
    )
    rec = RecPlan(issue.pub, load.member(), _R.PUBLISHED, earliest)
    rec.issue, rec.topic = issue, paper.topic
    rec.changes = rng.random() < 0.12
    rec.title_zh = paper.title_zh if rng.random() < 0.8 else ""
    _timeline(load, rec, issue.published, decided=True, scheduled=True)
    paper.recs.append(rec)
    paper.featured_in.add(issue.pub)
    return rec


def _plan_unfeatured(load: Load) -> list[IssuePlan]:
    """The rest of the catalogue, recommended and never featured; returns the draft issues."""
    rng, spec = load.rng, load.spec
    first = load.issues[0].published - 28 * DAY if load.issues else END - 56 * DAY
    drafts = [IssuePlan(p, None, None) for p in range(spec.publications)]
    for draft in drafts:
        draft.created, draft.editor = END - 2 * DAY, rng.choice(load.editors[draft.pub])
    while len(load.papers) < spec.papers:
        paper = _new_paper(load)
        created = first + (END - first) * rng.random()
        rec = _unfeatured(load, paper, created)
        _schedule_into_draft(rec, drafts[rec.pub], paper)
        paper.recs.append(rec)
    return [d for d in drafts if d.entries]


def _unfeatured(load: Load, paper: PaperPlan, created: dt.datetime) -> RecPlan:
    """A recommendation no issue featured: in the workflow when recent, decided when old."""
    rng = load.rng
    states, weights = RECENT_STATES if created > END - RECENT else OLD_STATES
    pub = rng.randrange(load.spec.publications)
    rec = RecPlan(pub, load.member(), rng.choices(states, weights)[0], created)
    rec.topic = paper.topic
    rec.title_zh = paper.title_zh if rng.random() < 0.8 else ""
    rec.changes = rec.status != _R.DRAFT and rng.random() < 0.08
    decided = rec.status in (_R.ACCEPTED, _R.REJECTED, _R.WITHDRAWN)
    _timeline(load, rec, END, decided=decided, scheduled=False)
    return rec


def _schedule_into_draft(rec: RecPlan, draft: IssuePlan, paper: PaperPlan) -> None:
    """Accepted lately, before the draft was assembled: scheduled into it, while it has room."""
    scheduled = END - 2 * DAY + dt.timedelta(minutes=len(draft.entries))
    if (
        rec.status == _R.ACCEPTED
        and rec.created > END - RECENT
        and rec.decided < scheduled - dt.timedelta(hours=1)
        and len(draft.entries) < DRAFT_SIZE
    ):
        rec.status, rec.issue = _R.SCHEDULED, draft
        rec.scheduled = scheduled
        rec.position = len(draft.entries) + 1
        draft.entries.append((rec, paper))


def _plan_withdrawn_repeats(load: Load) -> None:
    """Some featured papers are recommended again later, by someone who then withdraws."""
    rng = load.rng
    for paper in load.papers:
        if paper.recs[0].status == _R.PUBLISHED and rng.random() < 0.03:
            later = paper.recs[-1].issue.published + rng.uniform(1, 60) * DAY
            if later < END:
                rec = RecPlan(paper.recs[-1].pub, load.member(), _R.WITHDRAWN, later)
                rec.topic = paper.topic
                _timeline(load, rec, min(END, later + 3 * DAY), decided=True, scheduled=False)
                paper.recs.append(rec)


def _number_papers(load: Load) -> None:
    """Ids in the order rows were created, as a live site would have given them."""
    rng = load.rng
    for paper in load.papers:
        paper.created = min(r.created for r in paper.recs)
        # Publishing fills a paper's Chinese title from its recommendation; a share of the
        # others have one from AMiner or an editor.
        given = next((r.title_zh for r in paper.recs if r.status == _R.PUBLISHED), "")
        paper.title_zh = given or (paper.title_zh if rng.random() < 0.4 else "")
    load.papers.sort(key=lambda p: p.created)
    for pid, paper in zip(load.writer.ids(Paper, len(load.papers)), load.papers, strict=True):
        paper.id = pid


def _new_paper(load: Load) -> PaperPlan:
    topic = draw(load.topic_cum, load.rng.random())
    paper = PaperPlan(len(load.papers), texts.vocab(load.rng), topic)
    load.papers.append(paper)
    return paper


def _timeline(
    load: Load, rec: RecPlan, until: dt.datetime, *, decided: bool, scheduled: bool
) -> None:
    """Spread submission, decision and scheduling between creation and ``until``."""
    rng, window = load.rng, until - rec.created
    rec.submitted = rec.created + window * rng.uniform(0.001, 0.02)
    if decided:
        rec.decided = rec.created + window * rng.uniform(0.3, 0.7)
    if scheduled:
        rec.scheduled = until - window * rng.uniform(0.02, 0.2)
