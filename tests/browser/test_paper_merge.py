"""An editor merges a duplicate paper in a real browser (issue 25): the same paper recommended
by its arXiv id and by its AMiner link became two rows, which AMiner's metadata linked; from the
paper's page the editor opens the merge page, merges the possible duplicate, and lands back on
the one paper, which now carries both identifiers."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from papers.models import Paper, PaperMerge, PossibleDuplicate
from publications.enums import TeamRole
from publications.services import create_publication, grant_role
from tests.browser.helpers import login
from tests.factories import PaperFactory, RecommendationFactory, UserFactory

pytestmark = pytest.mark.browser

AMINER_ID = "614407b25244ab9dcbd29c5c"


def test_an_editor_merges_the_possible_duplicate_from_the_papers_page(page: Any, site: str) -> None:
    publication = create_publication(slug="merge-weekly", name="Merge Weekly", name_zh="合并周刊")
    editor = UserFactory(username="merge-editor")
    grant_role(editor, role=TeamRole.EDITOR, publication=publication)
    paper = PaperFactory(arxiv_id="2109.08133", title="Phrase Retrieval Learns Passage Retrieval")
    twin = PaperFactory(arxiv_id=None, aminer_id=AMINER_ID, title="Phrase Retrieval (AMiner)")
    for row in (paper, twin):
        RecommendationFactory(publication=publication, paper=row)
    PossibleDuplicate.objects.create(
        paper=twin, duplicate=paper, identifier="arXiv:2109.08133", source="aminer"
    )
    login(page, editor)

    page.goto(reverse("papers:paper-detail", args=[paper.pk]))
    page.get_by_role("link", name="Merge a duplicate into this paper").click()
    page.get_by_role("button", name="Merge into this paper").click()

    page.get_by_text(f"AMiner {AMINER_ID} was merged into this paper.").wait_for()
    assert page.url.endswith(reverse("papers:paper-detail", args=[paper.pk]))
    assert list(Paper.objects.values_list("pk", "arxiv_id", "aminer_id")) == [
        (paper.pk, "2109.08133", AMINER_ID)
    ]
    assert PaperMerge.objects.get().merged_by == editor
    assert not PossibleDuplicate.objects.exists()
