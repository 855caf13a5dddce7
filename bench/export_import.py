"""Benchmark: export_data and import_data of a catalogue of N papers.

Fills an empty database with N papers (five authors and two institutions each, a recommendation
and a review each, their audit rows), exports it, empties the database, imports the file, and
prints the rows, the file size, the times and the peak memory of this process; then checks the
round trip by exporting again and comparing the two files.

    .venv/bin/python bench/export_import.py --papers 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch .venv/bin/python bench/export_import.py

It uses a throwaway SQLite database unless DATABASE_URL is set; it refuses a database that holds
content, and leaves the one it used empty.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--keep", metavar="FILE", help="Keep the export in FILE.")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="weekly-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DEBUG", "false")  # no query log: the figures are production's
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weekly.settings")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from backups import data
    from papers.models import Author, Authorship, Institution, Paper, PaperInstitution
    from publications.models import Publication
    from recommendations.enums import RecommendationStatus, Verdict
    from recommendations.models import Recommendation, Review, Transition

    call_command("migrate", verbosity=0)
    if any(model._base_manager.exists() for model in data.exported_models()):
        sys.exit(f"{connection.settings_dict['NAME']} holds content: the bench needs an empty one.")

    n = args.papers
    started = time.monotonic()
    with transaction.atomic():
        users = get_user_model().objects.bulk_create(
            get_user_model()(username=f"member{i}", display_name=f"成员 {i}") for i in range(50)
        )
        publication = Publication.objects.create(slug="bench-weekly", name="Bench Weekly")
        authors = Author.objects.bulk_create(Author(name=f"Author {i} 作者") for i in range(n))
        places = Institution.objects.bulk_create(
            Institution(name=f"University {i}") for i in range(n // 10 + 2)
        )
        papers = Paper.objects.bulk_create(
            Paper(
                arxiv_id=f"{2000 + i // 100_000:04d}.{i % 100_000:05d}",
                title=f"On the pretraining of model {i}: a study 预训练研究",
                abstract="We study pretraining at scale. " * 30,
                categories=["cs.CL", "cs.LG"],
                metadata_status="ok",
                metadata_source="arxiv",
            )
            for i in range(n)
        )
        Authorship.objects.bulk_create(
            Authorship(paper=paper, author=authors[(i * 7 + k) % n], position=k + 1)
            for i, paper in enumerate(papers)
            for k in range(5)
        )
        PaperInstitution.objects.bulk_create(
            PaperInstitution(paper=paper, institution=places[(i + k) % len(places)], position=k + 1)
            for i, paper in enumerate(papers)
            for k in range(2)
        )
        recommendations = Recommendation.objects.bulk_create(
            Recommendation(
                publication=publication,
                paper=paper,
                summary=f"推荐理由 {i}: " + "why it matters. " * 10,
                submitter=users[i % len(users)],
                status=RecommendationStatus.ACCEPTED,
                submitted_at=timezone.now(),
            )
            for i, paper in enumerate(papers)
        )
        Review.objects.bulk_create(
            Review(recommendation=r, reviewer=users[0], verdict=Verdict.APPROVE)
            for r in recommendations
        )
        Transition.objects.bulk_create(
            Transition(recommendation=r, actor=users[0], action="accept", to_status="accepted")
            for r in recommendations
        )
    print(f"built {n} papers in {time.monotonic() - started:.1f} s")

    exported = scratch / "export.json"
    with open(exported, "w", encoding="utf-8") as stream:
        out = data.export_data(stream)
    size = exported.stat().st_size / 1e6
    print(
        f"export: {out.rows} rows of {len(out.counts)} models, {size:.1f} MB, "
        f"{out.seconds:.1f} s ({out.rows / out.seconds:,.0f} rows/s), peak RSS {_peak_mb():.0f} MB"
    )

    call_command("flush", interactive=False, verbosity=0)
    with open(exported, encoding="utf-8") as stream:
        back = data.import_data(stream)
    print(
        f"import: {back.rows} rows in {back.seconds:.1f} s "
        f"({back.rows / back.seconds:,.0f} rows/s), peak RSS {_peak_mb():.0f} MB"
    )

    again = scratch / "again.json"
    with open(again, "w", encoding="utf-8") as stream:
        data.export_data(stream)

    def body(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        return text[text.index('"models"') :]

    print("round trip:", "identical" if body(exported) == body(again) else "DIFFERENT")
    if args.keep:
        exported.replace(args.keep)
    call_command("flush", interactive=False, verbosity=0)


if __name__ == "__main__":
    main()
