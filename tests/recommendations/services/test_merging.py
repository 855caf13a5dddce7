"""Tests of recommendations.services.merging: two catalogue rows that are one paper made one,
with every recommendation, issue entry, authorship and audit row following, and the record."""

from __future__ import annotations

from typing import Any

import pytest

from common.exceptions import InvalidInput, NotAllowed
from issues.models import CoRecommendation, IssueEntry
from issues.selectors import issue_contents
from issues.services import assemble_issue, publish_issue, schedule_recommendation
from papers.enums import MetadataStatus
from papers.models import Authorship, MetadataEntry, Paper, PaperMerge, PossibleDuplicate
from publications.enums import TeamRole
from publications.models import Publication
from recommendations.models import Recommendation, Transition
from recommendations.services import merge_papers
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    PublicationFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.workflow import Rec, Team

pytestmark = pytest.mark.django_db

AMINER_ID = "614407b25244ab9dcbd29c5c"


def _pair(team: Team, other_contributor: Any) -> tuple[Paper, Paper]:
    """The same paper twice: by its arXiv id (with metadata) and by its AMiner link (pending,
    with a Chinese title the first lacks), each recommended by another member."""
    into = PaperFactory(arxiv_id="2109.08133", title_zh="", authors=["Jinhyuk Lee"])
    other = PaperFactory(
        arxiv_id=None,
        aminer_id=AMINER_ID,
        doi="10.18653/v1/2021.emnlp-main.73",
        title="Phrase Retrieval",
        title_zh="短语检索也能学会段落检索",
        authors=["J. Lee", "D. Chen"],
        metadata_status=MetadataStatus.OK,
    )
    team.recommendation(Rec.SUBMITTED, paper=into)
    RecommendationFactory(
        publication=team.publication, submitter=other_contributor, paper=other, status=Rec.ACCEPTED
    )
    return into, other


def _counts() -> dict[str, int]:
    return {
        "papers": Paper.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "transitions": Transition.objects.count(),
        "entries": IssueEntry.objects.count(),
        "co_recommendations": CoRecommendation.objects.count(),
        "hand_entries": MetadataEntry.objects.count(),
    }


def test_merge_papers_moves_everything_and_records_the_removed_row(
    team: Team, other_contributor: Any
) -> None:
    into, other = _pair(team, other_contributor)
    MetadataEntry.objects.create(paper=other, values={"title": "x"}, previous={})
    PossibleDuplicate.objects.create(paper=other, duplicate=into, identifier="x", source="aminer")
    before = _counts()
    other_pk = other.pk

    merge = merge_papers(into, other, by=team.editor, note="  Same paper.  ")

    assert _counts() == {**before, "papers": before["papers"] - 1}
    into.refresh_from_db()
    assert (into.arxiv_id, into.aminer_id, into.doi) == (
        "2109.08133",
        AMINER_ID,
        "10.18653/v1/2021.emnlp-main.73",
    )
    assert into.title_zh == "短语检索也能学会段落检索"  # missing metadata filled
    assert into.title != "Phrase Retrieval"  # what the kept row had stays
    assert [a.author.name for a in into.authorships.all()] == ["Jinhyuk Lee"]
    assert set(Recommendation.objects.values_list("paper", flat=True)) == {into.pk}
    assert MetadataEntry.objects.get().paper == into
    assert not PossibleDuplicate.objects.exists()
    assert not Paper.objects.filter(pk=other_pk).exists()
    assert merge == PaperMerge.objects.get()
    assert (merge.into, merge.removed_id, merge.merged_by, merge.note) == (
        into,
        other_pk,
        team.editor,
        "Same paper.",
    )
    assert merge.removed_identifiers == {
        "arxiv_id": None,
        "aminer_id": AMINER_ID,
        "doi": "10.18653/v1/2021.emnlp-main.73",
        "acl_id": None,
        "openreview_id": None,
        "s2_id": None,
    }
    # Nothing lost: the removed row's data and authors stay in the record.
    assert merge.removed["title"] == "Phrase Retrieval"
    assert merge.removed["published_on"] == "2024-01-15"
    assert [a["name"] for a in merge.removed["authors"]] == ["J. Lee", "D. Chen"]
    moved = Recommendation.objects.get(submitter=other_contributor)
    assert merge.moved["recommendations"] == {"recommendations": [moved.pk]}
    assert merge.moved["papers"]["metadata_entries"] == [MetadataEntry.objects.get().pk]


def test_merge_papers_takes_the_authors_when_the_kept_row_has_none(
    team: Team, other_contributor: Any
) -> None:
    into = PaperFactory(metadata_status=MetadataStatus.PENDING, title="")
    other = PaperFactory(authors=["Ada", "Grace"], institutions=["MIT"])
    for paper in (into, other):
        team.recommendation(Rec.SUBMITTED, paper=paper)

    merge_papers(into, other, by=team.editor)

    into.refresh_from_db()
    assert [a.author.name for a in into.authorships.all()] == ["Ada", "Grace"]
    assert [pi.institution.name for pi in into.paper_institutions.all()] == ["MIT"]
    assert (into.metadata_status, into.title) == (MetadataStatus.OK, other.title)
    assert Authorship.objects.count() == 2


def test_merge_papers_refuses_a_paper_and_itself(team: Team) -> None:
    paper = PaperFactory()
    team.recommendation(Rec.SUBMITTED, paper=paper)

    with pytest.raises(InvalidInput) as refused:
        merge_papers(paper, Paper.objects.get(pk=paper.pk), by=team.editor)

    assert refused.value.code == "same_paper"
    assert not PaperMerge.objects.exists()


@pytest.mark.parametrize("actor", ["contributor", "reviewer", "stranger", "other_editor"])
def test_merge_papers_is_for_editors_where_both_are_recommended(
    team: Team, other_contributor: Any, actor: str
) -> None:
    into, other = _pair(team, other_contributor)
    elsewhere = PublicationFactory()
    users = {
        "contributor": team.contributor,
        "reviewer": team.reviewer,
        "stranger": UserFactory(),
        "other_editor": UserFactory(),
    }
    if actor == "other_editor":
        MembershipFactory(publication=elsewhere, user=users[actor], role=TeamRole.EDITOR)

    with pytest.raises(NotAllowed) as refused:
        merge_papers(into, other, by=users[actor])

    assert refused.value.capability == "recommendations.merge_papers"
    assert Paper.objects.filter(pk=other.pk).exists()
    assert not PaperMerge.objects.exists()


def test_merge_papers_folds_two_entries_of_an_unpublished_issue_into_one(
    team: Team, other_contributor: Any
) -> None:
    into, other = _pair(team, other_contributor)
    first = Recommendation.objects.get(paper=into)
    first.status = Rec.ACCEPTED
    first.save()
    second = Recommendation.objects.get(paper=other)
    kept = schedule_recommendation(first, issue=team.issue, by=team.editor)
    folded = schedule_recommendation(second, issue=team.issue, by=team.editor)
    before = _counts()

    merge = merge_papers(into, other, by=team.editor)

    assert _counts() == {
        **before,
        "papers": before["papers"] - 1,
        "entries": before["entries"] - 1,
        "co_recommendations": before["co_recommendations"] + 1,
    }
    assert list(IssueEntry.objects.values_list("pk", "paper")) == [(kept.pk, into.pk)]
    assert CoRecommendation.objects.get().recommendation == second
    assert Recommendation.objects.get(pk=second.pk).status == Rec.SCHEDULED
    assert merge.moved["issues"] == {"entries": [], "folded": [folded.pk], "detached": []}
    [content] = issue_contents(team.issue)
    assert content.co_contributors == (other_contributor,)

    publish_issue(team.issue, by=team.editor)

    assert set(Recommendation.objects.values_list("status", flat=True)) == {Rec.PUBLISHED}


def test_merge_papers_moves_entries_of_other_issues(team: Team, other_contributor: Any) -> None:
    into, other = _pair(team, other_contributor)
    published = IssueFactory(publication=team.publication, published=True, number=1)
    entry = IssueEntryFactory(
        issue=published, recommendation=Recommendation.objects.get(paper=other)
    )
    Recommendation.objects.filter(paper=other).update(status=Rec.PUBLISHED)

    merge = merge_papers(into, other, by=team.editor)

    entry.refresh_from_db()
    assert (entry.paper, entry.recommendation.paper) == (into, into)
    assert merge.moved["issues"]["entries"] == [entry.pk]


def test_merge_papers_in_one_published_issue_needs_the_editors_word(
    team: Team, other_contributor: Any, publication: Publication
) -> None:
    into, other = _pair(team, other_contributor)
    published = IssueFactory(publication=team.publication, published=True, number=7)
    entries = [
        IssueEntryFactory(
            issue=published,
            recommendation=Recommendation.objects.get(paper=paper),
            shown_title=f"Shown {n}",
        )
        for n, paper in enumerate((into, other))
    ]
    Recommendation.objects.update(status=Rec.PUBLISHED)
    before = _counts()

    with pytest.raises(InvalidInput) as refused:
        merge_papers(into, other, by=UserFactory(is_superuser=True))

    assert refused.value.code == "same_published_issue"
    assert "#7" in str(refused.value)
    assert _counts() == before
    assert Paper.objects.get(pk=other.pk).aminer_id == AMINER_ID  # nothing moved

    merge = merge_papers(
        into, other, by=UserFactory(is_superuser=True), keep_published_entries=True
    )

    assert _counts() == {**before, "papers": before["papers"] - 1}
    assert list(IssueEntry.objects.order_by("pk").values_list("paper", "shown_title")) == [
        (into.pk, "Shown 0"),
        (None, "Shown 1"),
    ]
    assert merge.moved["issues"]["detached"] == [entries[1].pk]


def test_merge_papers_keeps_one_members_two_recommendations_and_credits_them_once(
    team: Team,
) -> None:
    # The same member recommended the paper under each of its rows: both recommendations stay
    # (nothing is lost), and the one entry the assembly makes names the member once.
    into, other = PaperFactory(), PaperFactory(arxiv_id=None, aminer_id=AMINER_ID)
    mine = [team.recommendation(Rec.ACCEPTED, paper=paper) for paper in (into, other)]

    merge_papers(into, other, by=team.editor)
    assemble_issue(team.issue, by=team.editor)

    assert set(Recommendation.objects.values_list("paper", "status")) == {(into.pk, Rec.SCHEDULED)}
    assert Recommendation.objects.count() == 2
    [entry] = IssueEntry.objects.all()
    assert entry.recommendation == mine[0]
    assert CoRecommendation.objects.get().recommendation == mine[1]
    [content] = issue_contents(team.issue)
    assert (content.contributors, team.issue.credits) == (
        [team.contributor],
        team.contributor.public_name,
    )
