"""Measure: do the papers a publication later featured rank above the rest of their week?

For each week of a history, the week's arrivals are ranked by ``inbox.ranking`` against a
profile of the papers featured before that week; the rank of each arrival that was featured
later is recorded. Printed per week and overall: the median rank and the median percentile
(100 = ranked first, 0 = last, 50 = what a random order gives) of those papers, for each
ranking variant and for a random order (the mean of 20 shuffles).

Two histories, both read from the database of the environment (``DATABASE_URL``; the SQLite
file of ``make run`` without it):

- ``catalogue``: the site's own. Arrivals are the papers whose catalogue row was created that
  week; the profile, the papers featured in each publication's issues published before it; the
  papers measured, those of the week that publication featured afterwards.
- ``simulated``: built in memory from the same papers' titles and abstracts, for a corpus whose
  featuring follows no text (``generate_load_data`` draws a paper's words and whether it is
  featured independently, so the catalogue history there measures nothing but noise; the
  demo's papers all arrive at once). The papers are shuffled into weeks of
  ``--arrivals-per-week``; a simulated publication has favourite subjects (title terms of middle
  frequency, together in about ``--interest`` of the papers) and features a paper of its
  subjects with probability 0.5, any other with 0.03. Each week's featured papers join the
  profile of the weeks after. ``--runs`` histories (5), each with its own draw of favourites,
  are measured and pooled.

    DATABASE_URL=sqlite:////tmp/rank.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/rank.sqlite3 .venv/bin/python manage.py generate_load_data \\
        --papers 3000 --issues 60 --publications 3 --seed 1
    DATABASE_URL=sqlite:////tmp/rank.sqlite3 .venv/bin/python bench/inbox_ranking.py

Variants: ``centroid`` (``Profile.score``, the cosine to the mean of the featured vectors) and
``knn`` (the mean cosine of the 5 nearest featured papers, computed here from the profile's
vectors), each alone and with the week's arrivals as the background of the inverse document
frequency (``+bg``). The figures of a run are in docs/INBOX.md, "Ranking".
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inbox.ranking import Profile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VARIANTS = ("centroid", "knn", "centroid+bg", "knn+bg")
#: How many nearest featured papers the ``knn`` variants average.
K = 5
SHUFFLES = 20
FEATURED_IF_OF_INTEREST = 0.5
FEATURED_OTHERWISE = 0.03


@dataclass
class Week:
    label: str
    arrivals: list[int]  # paper ids
    featured: list[int]  # those of ``arrivals`` featured later
    profile: list[int]  # featured before the week, newest first


@dataclass
class Tally:
    """The ranks and percentiles of the measured papers, per variant."""

    ranks: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    percentiles: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    seconds: Counter = field(default_factory=Counter)


def _ranks(scores: Sequence[float], targets: Sequence[int]) -> list[float]:
    """The rank (1 = first; ties share their mean rank) of each index of ``targets``."""
    ranks = []
    for index in targets:
        mine = scores[index]
        above = sum(1 for score in scores if score > mine)
        tied = sum(1 for score in scores if score == mine)
        ranks.append(1 + above + (tied - 1) / 2)
    return ranks


def _percentile(rank: float, size: int) -> float:
    return 100.0 * (size - rank) / (size - 1)


def measure(
    weeks: list[Week], texts: dict[int, str], *, seed: int, show: Callable[[str], None]
) -> Tally:
    from inbox.ranking import Profile

    tally = Tally()
    rng = random.Random(seed)  # noqa: S311 (a measure's shuffles, not secrets)
    header = f"{'week':<12}{'arrivals':>9}{'featured':>9}"
    for name in (*VARIANTS, "random"):
        header += f"{name + ' rank/pct':>22}"
    show(header)
    for week in weeks:
        size = len(week.arrivals)
        position = {paper: i for i, paper in enumerate(week.arrivals)}
        targets = [position[paper] for paper in week.featured]
        arrival_texts = [texts[paper] for paper in week.arrivals]
        row = f"{week.label:<12}{size:>9}{len(targets):>9}"
        for name in VARIANTS:
            started = time.perf_counter()
            background = arrival_texts if name.endswith("+bg") else ()
            profile = Profile.build([texts[paper] for paper in week.profile], background=background)
            if name.startswith("knn"):
                scores = nearest_scores(profile, arrival_texts)
            else:
                scores = [profile.score(text) for text in arrival_texts]
            tally.seconds[name] += time.perf_counter() - started
            ranks = _ranks(scores, targets)
            tally.ranks[name].extend(ranks)
            tally.percentiles[name].extend(_percentile(rank, size) for rank in ranks)
            row += f"{statistics.median(ranks):>13.1f} /{_median_pct(ranks, size):>6.1f}"
        shuffled_ranks: list[float] = []
        shuffled_pcts: list[float] = []
        for _ in range(SHUFFLES):
            scores = [rng.random() for _ in week.arrivals]
            ranks = _ranks(scores, targets)
            shuffled_ranks.append(statistics.median(ranks))
            shuffled_pcts.append(_median_pct(ranks, size))
            tally.ranks["random"].extend(ranks)
            tally.percentiles["random"].extend(_percentile(rank, size) for rank in ranks)
        row += f"{statistics.mean(shuffled_ranks):>13.1f} /{statistics.mean(shuffled_pcts):>6.1f}"
        show(row)
    return tally


def nearest_scores(profile: Profile, texts: Sequence[str], k: int = K) -> list[float]:
    """The mean cosine of each text to its ``k`` nearest featured papers: the variant measured
    against the centroid, which ``inbox.ranking`` keeps alone (see its docstring)."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, vector in enumerate(profile.vectors):
        for term, weight in vector.items():
            postings[term].append((index, weight))
    nearest = min(k, len(profile.vectors))
    scores = []
    for text in texts:
        sums: dict[int, float] = defaultdict(float)
        for term, value in profile.vector(text).items():
            for index, weight in postings.get(term, ()):
                sums[index] += value * weight
        best = heapq.nlargest(nearest, sums.values())
        scores.append(sum(best) / nearest if nearest else 0.0)
    return scores


def _median_pct(ranks: list[float], size: int) -> float:
    return statistics.median(_percentile(rank, size) for rank in ranks)


def summarise(title: str, weeks: list[Week], tally: Tally) -> None:
    measured = sum(len(week.featured) for week in weeks)
    arrivals = sum(len(week.arrivals) for week in weeks)
    print(f"\n{title}: {len(weeks)} weeks, {arrivals} arrivals, {measured} later featured")
    if not measured:
        print("  nothing to measure")
        return
    print(f"  {'variant':<13}{'median rank':>12}{'median pct':>12}{'mean pct':>10}"
          f"{'top tenth':>11}{'seconds':>9}")  # fmt: skip
    for name in (*VARIANTS, "random"):
        ranks, pcts = tally.ranks[name], tally.percentiles[name]
        top = sum(1 for pct in pcts if pct >= 90) / len(pcts)
        seconds = f"{tally.seconds[name]:.2f}" if name != "random" else ""
        print(
            f"  {name:<13}{statistics.median(ranks):>12.1f}{statistics.median(pcts):>12.1f}"
            f"{statistics.mean(pcts):>10.1f}{top:>11.0%}{seconds:>9}"
        )


# --------------------------------------------------------------------------- histories


def _monday(moment: dt.datetime) -> dt.datetime:
    day = moment.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - dt.timedelta(days=day.weekday())


def catalogue_history(
    created: dict[int, dt.datetime], min_profile: int
) -> list[tuple[str, list[Week]]]:
    """Each publication's weeks, from its published issues and the catalogue rows' creation."""
    from issues.enums import IssueStatus
    from issues.models import IssueEntry

    featured_at: dict[tuple[int, str], dict[int, dt.datetime]] = defaultdict(dict)
    entries = IssueEntry.objects.filter(
        paper__isnull=False,
        issue__status=IssueStatus.PUBLISHED,
        issue__published_at__isnull=False,
    ).values_list("issue__publication_id", "issue__publication__slug", "paper_id",
                  "issue__published_at")  # fmt: skip
    for publication, slug, paper, published in entries:
        if paper not in created:
            continue
        first = featured_at[publication, slug]
        first[paper] = min(published, first.get(paper, published))

    by_week: dict[dt.datetime, list[int]] = defaultdict(list)
    for paper, moment in created.items():
        by_week[_monday(moment)].append(paper)
    histories = []
    for (_, slug), first in sorted(featured_at.items()):
        weeks = []
        for start in sorted(by_week):
            profile = sorted(
                (paper for paper, published in first.items() if published < start),
                key=lambda paper: first[paper],
                reverse=True,
            )
            # A paper featured already is no candidate (a site that imported its past issues
            # has catalogue rows newer than their issues).
            arrivals = sorted(
                paper for paper in by_week[start] if paper not in first or first[paper] >= start
            )
            later = [paper for paper in arrivals if paper in first and first[paper] >= start]
            if len(profile) < min_profile or not later or len(arrivals) < 2:
                continue
            weeks.append(Week(start.date().isoformat(), arrivals, later, profile))
        histories.append((slug, weeks))
    return histories


def simulated_history(
    texts: dict[int, str],
    titles: dict[int, str],
    *,
    per_week: int,
    interest: float,
    min_profile: int,
    seed: int,
) -> tuple[list[str], list[Week]]:
    """Weeks of a publication whose favourite subjects are title terms; see the docstring."""
    from inbox.ranking import tokens

    rng = random.Random(seed)  # noqa: S311 (a simulation's draws, not secrets)
    papers = sorted(texts)
    terms = {paper: set(tokens(titles[paper])) for paper in papers}
    frequency = Counter(term for paper in papers for term in terms[paper])
    # Subjects, not boilerplate nor one-offs: terms in 1% to 8% of the titles.
    middle = sorted(
        term
        for term, count in frequency.items()
        if 0.01 * len(papers) <= count <= 0.08 * len(papers)
    )
    rng.shuffle(middle)
    favourites: list[str] = []
    covered: set[int] = set()
    for term in middle:
        if len(covered) >= interest * len(papers):
            break
        favourites.append(term)
        covered |= {paper for paper in papers if term in terms[paper]}
    rng.shuffle(papers)
    weeks: list[Week] = []
    profile: list[int] = []
    for number, start in enumerate(range(0, len(papers) - per_week + 1, per_week), start=1):
        arrivals = papers[start : start + per_week]
        featured = [
            paper
            for paper in arrivals
            if rng.random() < (FEATURED_IF_OF_INTEREST if paper in covered else FEATURED_OTHERWISE)
        ]
        if len(profile) >= min_profile and featured:
            weeks.append(Week(f"week {number}", arrivals, featured, list(profile)))
        profile = featured[::-1] + profile
    return favourites, weeks


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", choices=("catalogue", "simulated", "both"), default="both")
    parser.add_argument("--arrivals-per-week", type=int, default=100)
    parser.add_argument("--interest", type=float, default=0.2)
    parser.add_argument(
        "--min-profile", type=int, default=5, help="Weeks with fewer featured papers are skipped."
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--runs", type=int, default=5, help="Simulated histories, each with its own favourites."
    )
    parser.add_argument("--summary", action="store_true", help="Overall figures only.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")
    import django

    django.setup()
    from django.db import connection

    from papers.models import Paper

    rows = Paper.objects.exclude(title="").values_list("pk", "title", "abstract", "created_at")
    texts: dict[int, str] = {}
    titles: dict[int, str] = {}
    created: dict[int, dt.datetime] = {}
    for pk, title, abstract, created_at in rows.iterator(chunk_size=2000):
        texts[pk], titles[pk], created[pk] = f"{title}\n{abstract}", title, created_at
    print(f"{connection.vendor} database {connection.settings_dict['NAME']}: {len(texts)} papers")

    def show(line: str) -> None:
        if not args.summary:
            print(line)

    if args.history in ("catalogue", "both"):
        for slug, weeks in catalogue_history(created, args.min_profile):
            show(f"\nCatalogue history of {slug}")
            tally = measure(weeks, texts, seed=args.seed, show=show)
            summarise(f"Catalogue history of {slug}", weeks, tally)
    if args.history in ("simulated", "both"):
        pooled: list[Week] = []
        tallies: list[Tally] = []
        for run in range(args.runs):
            favourites, weeks = simulated_history(
                texts,
                titles,
                per_week=args.arrivals_per_week,
                interest=args.interest,
                min_profile=args.min_profile,
                seed=args.seed + run,
            )
            named = ", ".join(favourites) or "none (too few papers)"
            show(f"\nSimulated history {run + 1}; favourite title terms: {named}")
            tallies.append(measure(weeks, texts, seed=args.seed + run, show=show))
            pooled.extend(weeks)
        summarise(f"Simulated histories ({args.runs}, pooled)", pooled, _pool(tallies))


def _pool(tallies: list[Tally]) -> Tally:
    pooled = Tally()
    for tally in tallies:
        for name, ranks in tally.ranks.items():
            pooled.ranks[name].extend(ranks)
        for name, pcts in tally.percentiles.items():
            pooled.percentiles[name].extend(pcts)
        pooled.seconds.update(tally.seconds)
    return pooled


if __name__ == "__main__":
    main()
