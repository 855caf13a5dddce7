"""generate_load_data --candidates: the first publication's inbox filled at scale, on papers of
its own, in states the constraints accept; and the same added to a database with content."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from demo.load.inbox import add_candidates
from inbox import selectors
from inbox.enums import InboxView
from inbox.models import Candidate, Watch
from papers.models import Paper
from publications.models import Publication
from tests.factories import PaperFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_generate_load_data_fills_the_first_publications_inbox() -> None:
    out = io.StringIO()
    call_command(
        "generate_load_data", papers=120, issues=4, publications=2, candidates=250, stdout=out
    )

    first = Publication.objects.order_by("pk").first()
    candidates = Candidate.objects.filter(publication=first)
    assert candidates.count() == Candidate.objects.count() == 250
    assert Paper.objects.count() == 120 + 250
    assert Watch.objects.get().publication == first
    states = Counter(candidates.values_list("state", flat=True))
    assert set(states) == {"new", "claimed", "dismissed"}
    assert states["new"] > 200
    # On papers of their own: the inbox leaves none of them out, each paper a candidate once.
    member = candidates.filter(state="claimed").first().claimed_by
    counts = selectors.view_counts(first, member=member)
    assert counts[InboxView.NEW] == states["new"]
    assert counts[InboxView.DISMISSED] == states["dismissed"]
    assert not Paper.objects.annotate(n=Count("candidacies")).filter(n__gt=1).exists()
    assert "inbox.Candidate" in out.getvalue()


def test_add_candidates_to_a_database_with_content(publication: Publication) -> None:
    members = [UserFactory().pk for _ in range(3)]
    Paper.objects.create(arxiv_id="2607.00001", title="There already")

    rows = add_candidates(publication, 40, members=members, seed=2)

    assert rows["inbox.Candidate"] == 40
    assert Candidate.objects.filter(publication=publication).count() == 40
    assert Paper.objects.filter(arxiv_id="2607.00001").count() == 1
    assert Paper.objects.filter(arxiv_id="2607.00002").exists()
    # The ids' sequence moved past the ids given here.
    last = max(Paper.objects.values_list("pk", flat=True))
    assert PaperFactory().pk > last
