"""Tests for the capabilities registered with publications.permissions: one matrix of role ×
capability × object state → allowed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from common.exceptions import NotAllowed
from drafting.models import Draft
from inbox.enums import CandidateState
from issues.enums import IssueStatus
from papers.enums import MetadataSource
from publications.enums import TeamRole
from publications.models import Publication
from publications.permissions import CAPABILITIES, REFUSALS, can, require
from recommendations.enums import RecommendationStatus
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    RecommendationFactory,
    UserFactory,
)
from tests.factories.inbox import CandidateFactory, WatchFactory
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "contributor",  # the submitter of the recommendation under test
    "other_contributor",
    "reviewer",  # of the publication the object belongs to
    "other_reviewer",  # of another publication
    "editor",
    "other_editor",
    "superuser",
)
ANYONE = frozenset(ROLES)
MEMBERS = ANYONE - {"anonymous"}
TEAM = frozenset({"reviewer", "editor", "superuser"})
EDITORS = frozenset({"editor", "superuser"})
SUBMITTER = frozenset({"contributor"})

_R = RecommendationStatus
_I = IssueStatus

#: capability -> {object (kind:state) -> the roles that hold it}
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "recommendations.submit_recommendation": {"publication": MEMBERS},
    "recommendations.edit_recommendation": {
        f"recommendation:{s}": SUBMITTER for s in (_R.DRAFT, _R.SUBMITTED, _R.PUBLISHED)
    },
    "recommendations.revise_recommendation": {
        f"recommendation:{s}": TEAM for s in (_R.SUBMITTED, _R.PUBLISHED)
    },
    "recommendations.withdraw_recommendation": {
        f"recommendation:{s}": SUBMITTER for s in (_R.DRAFT, _R.SUBMITTED, _R.PUBLISHED)
    },
    "recommendations.view_recommendation": {
        f"recommendation:{_R.DRAFT}": SUBMITTER | TEAM,
        f"recommendation:{_R.SUBMITTED}": SUBMITTER | TEAM,
        f"recommendation:{_R.REJECTED}": SUBMITTER | TEAM,
        f"recommendation:{_R.PUBLISHED}": ANYONE,
    },
    "recommendations.view_reviews": {
        f"recommendation:{s}": SUBMITTER | TEAM for s in (_R.SUBMITTED, _R.PUBLISHED)
    },
    "recommendations.view_review_queue": {"publication": TEAM},
    "recommendations.review_recommendation": {
        f"recommendation:{s}": TEAM for s in (_R.SUBMITTED, _R.PUBLISHED)
    },
    "recommendations.accept_recommendation": {
        f"recommendation:{s}": EDITORS for s in (_R.SUBMITTED, _R.CHANGES_REQUESTED)
    },
    "recommendations.schedule_recommendation": {
        f"issue:{s}": EDITORS for s in (_I.DRAFT, _I.PUBLISHED)
    },
    "issues.view_issue": {
        f"issue:{_I.DRAFT}": EDITORS,
        f"issue:{_I.SCHEDULED}": EDITORS,
        f"issue:{_I.PUBLISHED}": ANYONE,
    },
    "issues.create_issue": {"publication": EDITORS},
    "issues.edit_issue": {"publication": EDITORS, f"issue:{_I.DRAFT}": EDITORS},
    "issues.schedule_issue": {f"issue:{s}": EDITORS for s in (_I.DRAFT, _I.SCHEDULED)},
    "issues.publish_issue": {f"issue:{s}": EDITORS for s in (_I.DRAFT, _I.SCHEDULED)},
    "issues.correct_issue": {f"issue:{_I.PUBLISHED}": EDITORS},
    "issues.import_issue": {"publication": EDITORS},
    "issues.confirm_credited_name": {"publication": EDITORS},
    # The glossary is the site's: an editor of any publication keeps it.
    "issues.edit_glossary": {"none": EDITORS | {"other_editor"}},
    "publications.manage_topics": {"publication": EDITORS},
    "publications.edit_style": {"publication": EDITORS},
    "drafting.edit_voice": {"publication": EDITORS},
    "drafting.request_draft": {"publication": MEMBERS},
    # A draft of a paper's entry: written when the contributor's recommendation of the paper
    # stands, asked for by the contributor from the recommend form, or neither (the site's,
    # of somebody else's recommendation, or saved but not yet asked for).
    "drafting.view_draft": {
        "draft:written": SUBMITTER | TEAM,
        "draft:withdrawn": TEAM,
        "draft:asked": SUBMITTER | TEAM,
        "draft:unsaved": TEAM,
        "draft:other": TEAM,
    },
    # The paper is recommended by the contributor to the publication under test, unless said.
    "recommendations.refetch_paper_metadata": {
        "paper:ok": EDITORS,
        "paper:failed": EDITORS,
        "paper:manual": EDITORS,
        # No recommendation of it stands: no publication's editor holds it.
        "paper:failed+withdrawn": frozenset({"superuser"}),
    },
    "recommendations.enter_paper_metadata": {
        # Never over a source's metadata, never while it is being fetched.
        "paper:ok": frozenset(),
        "paper:pending": frozenset(),
        "paper:fetching": frozenset(),
        # Missing for good: the recommending member, and the editors where it is recommended.
        "paper:failed": EDITORS | SUBMITTER,
        "paper:not_found": EDITORS | SUBMITTER,
        "paper:pending+aminer_without_token": EDITORS | SUBMITTER,
        # A hand entry is corrected by those editors only.
        "paper:manual": EDITORS,
        "paper:failed+withdrawn": frozenset({"superuser"}),
        "paper:failed+rejected": frozenset({"superuser"}),
        # Another publication has it in an issue: its business, and its editors'.
        "paper:failed+drafted_elsewhere": frozenset({"other_editor", "superuser"}),
        "paper:manual+published_elsewhere": frozenset({"other_editor", "superuser"}),
    },
    "recommendations.keep_paper_metadata": {
        "paper:manual": EDITORS,
        "paper:failed+withdrawn": frozenset({"superuser"}),
        "paper:manual+published_elsewhere": frozenset({"other_editor", "superuser"}),
    },
    # The same rule as keeping a hand entry: checked on both rows of a merge.
    "recommendations.merge_papers": {
        "paper:manual": EDITORS,
        "paper:failed+withdrawn": frozenset({"superuser"}),
        "paper:manual+published_elsewhere": frozenset({"other_editor", "superuser"}),
    },
    "publications.manage_team": {"none": frozenset({"superuser"})},
    "recommendations.exceed_submission_quota": {"publication": EDITORS},
    # Checked on the publication when an endpoint is added, on the endpoint afterwards.
    "webhooks.manage_webhooks": {"publication": EDITORS, "webhook": EDITORS},
    # The inbox is the members' working space; a claim is the contributor's, as is a dismissal.
    "inbox.view_inbox": {"publication": MEMBERS},
    "inbox.claim_candidate": {"candidate:new": MEMBERS},
    "inbox.dismiss_candidate": {"candidate:new": MEMBERS},
    "inbox.mark_interest": {"candidate:new": MEMBERS, "candidate:claimed": MEMBERS},
    "inbox.release_claim": {
        "candidate:claimed": SUBMITTER | EDITORS,
        "candidate:new": EDITORS,
    },
    "inbox.restore_candidate": {
        "candidate:dismissed": SUBMITTER | EDITORS,
        "candidate:expired": EDITORS,
    },
    "inbox.manage_watches": {"publication": EDITORS, "watch": EDITORS},
}


def _cases() -> list[Any]:
    return [
        pytest.param(role, capability, subject, role in roles, id=f"{capability}-{subject}-{role}")
        for capability, subjects in MATRIX.items()
        for subject, roles in subjects.items()
        for role in ROLES
    ]


def _user(role: str, publication: Publication, other: Publication, contributor: Any) -> Any:
    if role == "anonymous":
        return AnonymousUser()
    if role == "contributor":
        return contributor
    if role == "superuser":
        return UserFactory(superuser=True)
    user = UserFactory()
    team_role = TeamRole.EDITOR if role.endswith("editor") else TeamRole.REVIEWER
    if role != "other_contributor":
        MembershipFactory(
            user=user,
            publication=other if role.startswith("other_") else publication,
            role=team_role,
        )
    return user


def _paper(state: str, publication: Publication, other: Publication, contributor: Any) -> Any:
    """A paper in ``state`` (``status+circumstance``) that the contributor recommended."""
    status, _sep, circumstance = state.partition("+")
    if status == "manual":
        paper = PaperFactory(metadata_source=MetadataSource.MANUAL)
    elif circumstance == "aminer_without_token":
        paper = PaperFactory(
            arxiv_id=None, aminer_id="614407b25244ab9dcbd29c5c", metadata_status=status
        )
    else:
        paper = PaperFactory(metadata_status=status)
    recommendation_status = {
        "withdrawn": RecommendationStatus.WITHDRAWN,
        "rejected": RecommendationStatus.REJECTED,
    }.get(circumstance, RecommendationStatus.SUBMITTED)
    RecommendationFactory(
        publication=publication, submitter=contributor, paper=paper, status=recommendation_status
    )
    if circumstance in ("drafted_elsewhere", "published_elsewhere"):
        IssueEntryFactory(
            issue__publication=other,
            issue__published=circumstance == "published_elsewhere",
            recommendation__paper=paper,
        )
    return paper


def _draft(state: str, publication: Publication, contributor: Any) -> Draft:
    paper = PaperFactory()
    if state in ("written", "withdrawn"):
        status = RecommendationStatus.SUBMITTED if state == "written" else state
        RecommendationFactory(
            publication=publication, submitter=contributor, paper=paper, status=status
        )
    elif state == "other":
        RecommendationFactory(publication=publication, paper=paper)
    draft = Draft(publication=publication, paper=paper)
    if state == "asked":
        draft.requested_by = contributor
    if state != "unsaved":
        draft.save()
    return draft


def _subject(subject: str, publication: Publication, other: Publication, contributor: Any) -> Any:
    kind, _sep, state = subject.partition(":")
    if kind == "publication":
        return publication
    if kind == "recommendation":
        return RecommendationFactory(publication=publication, submitter=contributor, status=state)
    if kind == "issue":
        return IssueFactory(
            publication=publication,
            scheduled=state == IssueStatus.SCHEDULED,
            published=state == IssueStatus.PUBLISHED,
        )
    if kind == "paper":
        return _paper(state, publication, other, contributor)
    if kind == "draft":
        return _draft(state, publication, contributor)
    if kind == "candidate":
        by_contributor = {
            CandidateState.CLAIMED: {"claimed": True, "claimed_by": contributor},
            CandidateState.DISMISSED: {"dismissed": True, "dismissed_by": contributor},
        }.get(state, {"state": state})
        return CandidateFactory(publication=publication, **by_contributor)
    if kind == "watch":
        return WatchFactory(publication=publication)
    if kind == "webhook":
        return Endpoint.objects.create(
            publication=publication,
            url="https://hooks.example.org/weekly",
            events=["issue.published"],
        )
    return None


def test_matrix_covers_every_capability() -> None:
    assert set(MATRIX) == set(CAPABILITIES)
    assert set(REFUSALS) == set(CAPABILITIES)


@pytest.mark.parametrize(("role", "capability", "subject", "allowed"), _cases())
def test_can_role_capability_state(
    settings: Any,
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    role: str,
    capability: str,
    subject: str,
    allowed: bool,
) -> None:
    settings.AMINER_API_TOKEN = ""  # AMiner cannot be asked: its papers wait for a hand entry
    user = _user(role, publication, other_publication, contributor)
    obj = _subject(subject, publication, other_publication, contributor)
    assert can(user, capability, obj) is allowed


@pytest.mark.parametrize(
    ("capability", "allowed"),
    [
        ("recommendations.review_recommendation", False),
        ("recommendations.accept_recommendation", False),
        ("recommendations.edit_recommendation", True),
        ("recommendations.view_reviews", True),
        ("recommendations.schedule_recommendation", True),
    ],
)
def test_can_superuser_own_submission_is_not_reviewable_by_them(
    publication: Publication, admin_user: Any, capability: str, allowed: bool
) -> None:
    recommendation = RecommendationFactory(publication=publication, submitter=admin_user)
    target = IssueFactory(publication=publication) if "schedule" in capability else recommendation
    assert can(admin_user, capability, target) is allowed


def test_require_superuser_reviewing_own_submission_raises_not_allowed(
    publication: Publication, admin_user: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication, submitter=admin_user)
    with pytest.raises(NotAllowed) as refused:
        require(admin_user, "recommendations.review_recommendation", recommendation)
    assert refused.value.capability == "recommendations.review_recommendation"
    assert refused.value.message == REFUSALS["recommendations.review_recommendation"]


@pytest.mark.parametrize("state", [IssueStatus.DRAFT, IssueStatus.PUBLISHED])
@pytest.mark.parametrize("role", ROLES)
def test_has_perm_publish_issue_agrees_with_can(
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    role: str,
    state: str,
) -> None:
    user = _user(role, publication, other_publication, contributor)
    issue = _subject(f"issue:{state}", publication, other_publication, contributor)
    expected = role in EDITORS
    assert can(user, "issues.publish_issue", issue) is expected
    assert user.has_perm("issues.publish_issue", issue) is expected


def test_can_inactive_editor_holds_nothing(publication: Publication) -> None:
    user = UserFactory(is_active=False)
    MembershipFactory(user=user, publication=publication, role=TeamRole.EDITOR)
    issue = IssueFactory(publication=publication)
    assert [c for c in CAPABILITIES if can(user, c, issue)] == []


def test_can_unknown_capability_raises_key_error(contributor: Any) -> None:
    with pytest.raises(KeyError, match=r"issues\.fly"):
        can(contributor, "issues.fly")
