"""``PUT papers/{id}/metadata/`` and ``POST papers/{id}/refetch/`` under attack: who may fill in a
paper's metadata by hand, and when. What is stored afterwards is checked, not only the status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from papers.enums import MetadataSource, MetadataStatus
from papers.models import MetadataEntry, Paper
from publications.enums import TeamRole
from publications.models import Publication
from publications.permissions import REFUSALS
from tests.conftest import client_for
from tests.factories import (
    IssueEntryFactory,
    MembershipFactory,
    PaperFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FAKE = {"title": "Fake Title", "authors": ["Mallory"], "abstract": "Not the abstract."}
STILL_FETCHING = (
    "This paper's metadata is still being fetched from arXiv. It may be filled in by hand only "
    "if that fails."
)


def _stored(paper: Paper) -> tuple[Any, ...]:
    row = Paper.objects.get(pk=paper.pk)
    authors = [a.author.name for a in row.authorships.select_related("author")]
    return (row.metadata_status, row.metadata_source, row.title, row.abstract, authors)


def test_metadata_put_on_a_new_draft_paper_is_refused_and_after_withdrawal_too(
    contributor: Any,
    publication: Publication,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    api = client_for(contributor)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        created = api.post(
            "/api/v1/recommendations/",
            {
                "identifier": "2401.00042",
                "summary": "A draft.",
                "publication": publication.slug,
                "draft": True,
            },
            format="json",
        )
    assert created.status_code == 201, created.content
    paper = Paper.objects.get(arxiv_id="2401.00042")
    url = f"/api/v1/papers/{paper.pk}/metadata/"

    response = api.put(url, FAKE, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["message"] == STILL_FETCHING
    assert _stored(paper) == (MetadataStatus.PENDING, "", "", "", [])
    assert not MetadataEntry.objects.exists()

    for callback in queued:  # the fetch: arXiv is down (a closed port), and it gives up
        callback()
    withdrawn = api.post(f"/api/v1/recommendations/{created.json()['id']}/withdraw/", {})
    assert withdrawn.status_code == 200, withdrawn.content

    response = api.put(url, FAKE, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == REFUSALS["recommendations.enter_paper_metadata"]
    assert _stored(paper) == (MetadataStatus.FAILED, "", "", "", [])
    assert not MetadataEntry.objects.exists()


@pytest.mark.parametrize(
    "where", ["recommended only in B", "scheduled in B's draft issue", "published in B"]
)
def test_metadata_put_by_an_editor_of_another_publication_is_refused(
    publication: Publication, other_publication: Publication, where: str
) -> None:
    """``publication`` is B; the editor edits A (``other_publication``) only, and recommended the
    paper to A where B has it in an issue."""
    editor_of_a = UserFactory()
    MembershipFactory(publication=other_publication, user=editor_of_a, role=TeamRole.EDITOR)
    paper = PaperFactory(
        title="The Real Title", authors=["Real Author"], metadata_source=MetadataSource.MANUAL
    )
    if where == "recommended only in B":
        RecommendationFactory(publication=publication, paper=paper)
    else:
        IssueEntryFactory(
            issue__publication=publication,
            issue__published=where == "published in B",
            recommendation__paper=paper,
        )
        RecommendationFactory(publication=other_publication, paper=paper, submitter=editor_of_a)
    before = _stored(paper)

    response = client_for(editor_of_a).put(
        f"/api/v1/papers/{paper.pk}/metadata/", {**FAKE, "keep": True}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["message"] == REFUSALS["recommendations.enter_paper_metadata"]
    assert _stored(paper) == before
    assert before[2] == "The Real Title"
    assert not MetadataEntry.objects.exists()
    assert Paper.objects.get(pk=paper.pk).metadata_kept is False


def test_refetch_by_an_editor_of_another_publication_is_refused(
    publication: Publication, other_publication: Publication
) -> None:
    editor_of_a = UserFactory()
    MembershipFactory(publication=other_publication, user=editor_of_a, role=TeamRole.EDITOR)
    paper = PaperFactory(metadata_status=MetadataStatus.FAILED, title="")
    RecommendationFactory(publication=publication, paper=paper)
    before = _stored(paper)

    response = client_for(editor_of_a).post(f"/api/v1/papers/{paper.pk}/refetch/")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == REFUSALS["recommendations.refetch_paper_metadata"]
    assert _stored(paper) == before
