"""The API's permission matrix: every operation × every role → the exact status.

Each case builds fresh objects in the state its operation needs, calls the operation once with a
valid body as one role, and checks the exact status. A refusal must answer with the one error
shape and write nothing; a success must have done what it says. The expected statuses come from
the rules (``issues.permissions`` and the API's conventions), not from the code:

- an anonymous write is 401, whatever the object;
- an object the caller may not see (a draft issue of a publication they don't edit, a
  recommendation outside ``selectors.visible_recommendations``) is 404, for reads and writes;
- a visible object the caller may not act on is 403.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.response import Response

from inbox.enums import CandidateState
from inbox.models import Candidate, CandidateTransition, InboxSettings, Interest, Watch
from issues.enums import IssueStatus
from issues.models import Correction, Issue, IssueEntry
from papers.enums import MetadataSource, MetadataStatus
from papers.models import MetadataEntry, Paper, PaperMerge
from publications.enums import TeamRole
from publications.models import (
    Publication,
    PublicationChange,
    PublicationStyle,
    PublicationUpload,
    Topic,
)
from publications.services import upload_publication_image
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review, Transition
from tests.conftest import client_for
from tests.factories import (
    TEST_PASSWORD,
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    RecommendationFactory,
    ReviewFactory,
    TopicFactory,
    UserFactory,
)
from tests.factories.inbox import CandidateFactory, WatchFactory
from tests.factories.publications import png_bytes
from webhooks.models import Endpoint
from webhooks.services import create_endpoint

pytestmark = pytest.mark.django_db

# --- roles ----------------------------------------------------------------------------------------

ROLES = (
    "anonymous",
    "contributor",  # a plain member; the submitter of the recommendations under test
    "reviewer",  # of the publication under test
    "editor",  # of the publication under test
    "other_editor",  # editor of another publication only
    "admin",  # a superuser
)
ANYONE = frozenset(ROLES)
MEMBERS = ANYONE - {"anonymous"}
SUBMITTER = frozenset({"contributor"})
TEAM = frozenset({"reviewer", "editor", "admin"})
EDITORS = frozenset({"editor", "admin"})
ANY_EDITOR = frozenset({"editor", "other_editor", "admin"})
#: Who sees the draft issues of the publication under test: only its editors.
NOT_ITS_EDITORS = MEMBERS - EDITORS
#: Who sees an unpublished recommendation of the publication under test: its submitter and team.
OUTSIDERS = MEMBERS - SUBMITTER - TEAM

_FIXTURE_OF_ROLE = {
    "contributor": "contributor",
    "reviewer": "reviewer",
    "editor": "editor",
    "other_editor": "other_editor",
    "admin": "admin_user",
}


def _refused_by_state() -> dict[str, int]:
    """409 for every member: the object's state allows the operation to nobody."""
    return {role: 401 if role == "anonymous" else 409 for role in ROLES}


def _statuses(
    ok: int,
    allowed: frozenset[str],
    *,
    hidden: frozenset[str] = frozenset(),
    anonymous: int = 401,
) -> dict[str, int]:
    """``ok`` for the allowed roles; else ``anonymous`` for an anonymous caller, 404 for the
    roles that may not see the object, and 403 for the others."""
    statuses = {}
    for role in ROLES:
        if role in allowed:
            statuses[role] = ok
        elif role == "anonymous":
            statuses[role] = anonymous
        elif role in hidden:
            statuses[role] = 404
        else:
            statuses[role] = 403
    return statuses


# --- the operations -------------------------------------------------------------------------------


@dataclass
class World:
    """What one case runs in: the publications, the acting role and the objects arranged."""

    role: str
    actor: Any | None  # None when anonymous
    publication: Publication
    other_publication: Publication
    contributor: Any
    topic: Topic
    objects: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]

    def fresh(self, name: str) -> Any:
        obj = self.objects[name]
        obj.refresh_from_db()
        return obj


Arrange = Callable[[World], dict[str, Any]]
Body = Callable[[World], Any]
Check = Callable[[World, Response], None]


@dataclass(frozen=True)
class Operation:
    method: str
    route: str  # the path under /api/v1/, spelled as in the OpenAPI schema
    statuses: Mapping[str, int]
    #: Builds the objects; returns them by name, the route's parameters among them.
    arrange: Arrange
    body: Body | None = None
    #: What a success must have done.
    check: Check = lambda world, response: None
    #: Names a second state (or query) of an operation the matrix already has.
    variant: str = ""
    query: str = ""

    def __post_init__(self) -> None:
        assert set(self.statuses) == set(ROLES), self.id

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}" + (f" [{self.variant}]" if self.variant else "")


# --- arrangements ---------------------------------------------------------------------------------


def _publication(world: World) -> dict[str, Any]:
    return {"slug": world.publication.slug}


def _contributor_profile(world: World) -> dict[str, Any]:
    return {"username": world.contributor.username}


def _token(world: World) -> dict[str, Any]:
    if world.actor is not None:
        Token.objects.create(user=world.actor)
    return {}


def _draft_issue(world: World) -> dict[str, Any]:
    issue = IssueFactory(publication=world.publication)
    return {"id": issue.pk, "issue": issue}


def _draft_issue_with_entry(world: World) -> dict[str, Any]:
    entry = IssueEntryFactory(
        issue__publication=world.publication, recommendation__submitter=world.contributor
    )
    return {"id": entry.issue_id, "issue": entry.issue, "entry": entry, "entry_id": entry.pk}


def _draft_issue_with_two_entries(world: World) -> dict[str, Any]:
    issue = IssueFactory(publication=world.publication)
    first, second = (
        IssueEntryFactory(issue=issue, recommendation__submitter=world.contributor)
        for _ in range(2)
    )
    return {"id": issue.pk, "issue": issue, "first": first, "second": second}


def _draft_issue_and_accepted_recommendation(world: World) -> dict[str, Any]:
    issue = IssueFactory(publication=world.publication)
    recommendation = RecommendationFactory(
        publication=world.publication,
        submitter=world.contributor,
        status=RecommendationStatus.ACCEPTED,
        decided_at=timezone.now(),
    )
    return {"id": issue.pk, "issue": issue, "recommendation": recommendation}


def _scheduled_issue_with_entry(world: World) -> dict[str, Any]:
    entry = IssueEntryFactory(
        issue__publication=world.publication,
        issue__scheduled=True,
        recommendation__submitter=world.contributor,
    )
    return {"id": entry.issue_id, "issue": entry.issue}


def _published_issue(world: World) -> dict[str, Any]:
    entry = IssueEntryFactory(
        issue__publication=world.publication,
        issue__published=True,
        recommendation__submitter=world.contributor,
    )
    issue = entry.issue
    return {"id": issue.pk, "slug": world.publication.slug, "number": issue.number, "issue": issue}


def _check_statistics(world: World, response: Response) -> None:
    """The published issue counts, as its one paper and its contributor, for every caller."""
    assert response.data["totals"]["issues"] == 1
    assert response.data["totals"]["papers"] == 1
    assert [c["username"] for c in response.data["contributors"]] == [world.contributor.username]


def _published_issue_with_correction(world: World) -> dict[str, Any]:
    arranged = _published_issue(world)
    arranged["correction"] = Correction.objects.create(
        issue=arranged["issue"], note="The second entry's link was wrong.", changes=[]
    )
    return arranged


def _draft_and_published_issues(world: World) -> dict[str, Any]:
    return {
        "slug": world.publication.slug,
        "draft": IssueFactory(publication=world.publication),
        "published": IssueFactory(publication=world.publication, published=True),
    }


def _paper(metadata_status: str, *, source: str = MetadataSource.ARXIV) -> Arrange:
    """A paper the contributor recommended, its metadata in ``metadata_status``."""

    def arrange(world: World) -> dict[str, Any]:
        paper = PaperFactory(metadata_status=metadata_status, metadata_source=source)
        RecommendationFactory(
            publication=world.publication, submitter=world.contributor, paper=paper
        )
        return {"id": paper.pk, "paper": paper}

    return arrange


def _duplicate_papers(world: World) -> dict[str, Any]:
    """One paper under two rows, both recommended to the publication under test."""
    paper = PaperFactory()
    other = PaperFactory(arxiv_id=None, aminer_id="614407b25244ab9dcbd29c5c")
    for row in (paper, other):
        RecommendationFactory(publication=world.publication, submitter=world.contributor, paper=row)
    return {"id": paper.pk, "paper": paper, "other": other}


def _recommendation(status: str, *, by_actor: bool = False) -> Arrange:
    """A recommendation of the publication under test in ``status``, by the contributor (or by
    the acting member, to test that nobody acts on their own)."""

    def arrange(world: World) -> dict[str, Any]:
        submitter = world.actor if by_actor and world.actor is not None else world.contributor
        recommendation = RecommendationFactory(
            publication=world.publication,
            submitter=submitter,
            status=status,
            topic=world.topic,
            submitted_at=None if status == RecommendationStatus.DRAFT else timezone.now(),
        )
        return {
            "id": recommendation.pk,
            "slug": world.publication.slug,
            "recommendation": recommendation,
        }

    return arrange


def _reviewed_recommendation(status: str) -> Arrange:
    """A recommendation by the contributor in ``status``, with one review."""

    def arrange(world: World) -> dict[str, Any]:
        arranged = _recommendation(status)(world)
        arranged["review"] = ReviewFactory(
            recommendation=arranged["recommendation"],
            reviewer=UserFactory(username="first-reviewer"),
            verdict=Verdict.APPROVE,
        )
        return arranged

    return arrange


# --- checks of successes --------------------------------------------------------------------------


def _assert_equal(actual: Any, expected: Any) -> None:
    assert actual == expected


def _assert_includes(actual: list[Any], expected: list[Any]) -> None:
    assert set(expected) <= set(actual)


def _results(response: Response) -> list[dict[str, Any]]:
    """The items of a list answer, paginated or not."""
    data = response.data
    return data["results"] if isinstance(data, Mapping) else data


def _check_token_issued(world: World, response: Response) -> None:
    owner = world.actor or world.contributor
    assert response.data == {"token": Token.objects.get(user=owner).key}


def _check_token_revoked(world: World, response: Response) -> None:
    assert not Token.objects.filter(user=world.actor).exists()


def _check_profile_renamed(world: World, response: Response) -> None:
    world.actor.refresh_from_db()
    assert world.actor.display_name == "Renamed Member"
    assert response.data["display_name"] == "Renamed Member"


def _check_issue_listing(world: World, response: Response) -> None:
    listed = {item["id"] for item in _results(response)}
    expected = {world["published"].pk}
    if world.role in EDITORS:
        expected.add(world["draft"].pk)
    assert listed == expected


def _check_issue_created(world: World, response: Response) -> None:
    issue = Issue.objects.get(pk=response.data["id"])
    assert (issue.publication, issue.status, issue.title, issue.created_by) == (
        world.publication,
        IssueStatus.DRAFT,
        "Issue of the week",
        world.actor,
    )


def _check_assembled(world: World, response: Response) -> None:
    recommendation = world.fresh("recommendation")
    assert recommendation.status == RecommendationStatus.SCHEDULED
    assert recommendation.entry.issue == world["issue"]
    assert [entry["recommendation"] for entry in response.data["entries"]] == [recommendation.pk]


def _check_entry_added(world: World, response: Response) -> None:
    recommendation = world.fresh("recommendation")
    assert recommendation.status == RecommendationStatus.SCHEDULED
    assert [entry["recommendation"] for entry in response.data] == [recommendation.pk]


def _check_style_changed(world: World, response: Response) -> None:
    stored = PublicationStyle.objects.get(publication=world.publication)
    assert (stored.authors_shown, stored.authors_more, stored.institutions_shown) == (2, " 等", 4)
    assert (
        response.data["authors_shown"],
        response.data["authors_more"],
        response.data["institutions_shown"],
    ) == (2, " 等", 4)


def _unused_topic(world: World) -> dict[str, Any]:
    topic = TopicFactory(publication=world.publication, slug="unused", name_en="Unused")
    return {"id": topic.pk, "topic": topic}


def _check_topic_created(world: World, response: Response) -> None:
    topic = Topic.objects.get(publication=world.publication, slug="agents")
    assert (topic.name_en, topic.name_zh) == ("Agents", "智能体")
    assert (response.data["id"], response.data["publication"]) == (topic.pk, world.publication.slug)


def _check_topic_changed(world: World, response: Response) -> None:
    topic = world.fresh("topic")
    assert (topic.name_en, topic.position) == ("Renamed", 1)
    assert response.data["name_en"] == "Renamed"


def _check_topic_deleted(world: World, response: Response) -> None:
    assert not Topic.objects.filter(pk=world["id"]).exists()


def _publication_with_upload(world: World) -> dict[str, Any]:
    editor = UserFactory(username="uploader")
    MembershipFactory(publication=world.publication, user=editor, role=TeamRole.EDITOR)
    upload = upload_publication_image(world.publication, by=editor, data=png_bytes())
    return {"slug": world.publication.slug, "upload": upload, "id": upload.pk}


def _check_image_uploaded(world: World, response: Response) -> None:
    upload = PublicationUpload.objects.get(publication=world.publication)
    assert (upload.name, upload.content_type, upload.width) == ("qr.png", "image/png", 2)
    assert response.data["url"].endswith(f"/media/publications/{upload.token}.png")


def _check_entries_reordered(world: World, response: Response) -> None:
    assert [entry["id"] for entry in response.data] == [world["second"].pk, world["first"].pk]
    assert (world.fresh("second").position, world.fresh("first").position) == (1, 2)


def _check_leads_chosen(world: World, response: Response) -> None:
    assert (world.fresh("second").is_lead, world.fresh("first").is_lead) == (True, False)
    assert {entry["id"]: entry["is_lead"] for entry in response.data} == {
        world["first"].pk: False,
        world["second"].pk: True,
    }


def _check_entry_revised(world: World, response: Response) -> None:
    recommendation = world.fresh("recommendation")
    assert (recommendation.summary, recommendation.subject_zh) == ("The team's summary.", "检索")
    assert recommendation.status == RecommendationStatus.SUBMITTED
    assert response.data["subject_zh"] == "检索"


def _check_entry_removed(world: World, response: Response) -> None:
    assert not IssueEntry.objects.filter(pk=world["entry"].pk).exists()
    recommendation = world["entry"].recommendation
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.ACCEPTED


def _check_published(world: World, response: Response) -> None:
    issue = world.fresh("issue")
    assert (issue.status, issue.number) == (IssueStatus.PUBLISHED, 1)
    assert response.data["status"] == IssueStatus.PUBLISHED


def _check_unscheduled(world: World, response: Response) -> None:
    issue = world.fresh("issue")
    assert (issue.status, issue.publish_at) == (IssueStatus.DRAFT, None)


def _check_corrected(world: World, response: Response) -> None:
    issue = world.fresh("issue")
    assert issue.title == "Issue 12, corrected"
    correction = Correction.objects.get(issue=issue)
    assert (correction.author, correction.note) == (world.actor, "The title had a typo.")
    assert response.data["id"] == correction.pk


def _check_metadata_entered(world: World, response: Response) -> None:
    paper = world.fresh("paper")
    assert (paper.title, paper.metadata_source, paper.metadata_status) == (
        "Entered by Hand",
        MetadataSource.MANUAL,
        MetadataStatus.OK,
    )
    assert response.data["authors"] == ["Ada Lovelace"]
    entry = MetadataEntry.objects.get(paper=paper)
    assert (entry.entered_by, entry.values["title"]) == (world.actor, "Entered by Hand")
    assert entry.kept is paper.metadata_kept is response.data["metadata"]["kept"]


def _check_refetch_requested(world: World, response: Response) -> None:
    assert world.fresh("paper").metadata_status == MetadataStatus.PENDING
    assert response.data["metadata"]["status"] == MetadataStatus.PENDING


def _check_papers_merged(world: World, response: Response) -> None:
    other = world["other"]
    assert not Paper.objects.filter(pk=other.pk).exists()
    assert world.fresh("paper").aminer_id == other.aminer_id
    merge = PaperMerge.objects.get()
    assert (merge.removed_id, merge.merged_by) == (other.pk, world.actor)
    assert response.data["removed_identifiers"]["aminer_id"] == other.aminer_id


def _check_recommendation_listing(world: World, response: Response) -> None:
    listed = {item["id"] for item in _results(response)}
    assert (world["recommendation"].pk in listed) == (world.role in SUBMITTER | TEAM)


def _check_recommendation_created(world: World, response: Response) -> None:
    recommendation = Recommendation.objects.get(pk=response.data["id"])
    assert (recommendation.submitter, recommendation.status, recommendation.paper.arxiv_id) == (
        world.actor,
        RecommendationStatus.SUBMITTED,
        "2310.06825",
    )


def _check_recommendation_shown(world: World, response: Response) -> None:
    assert response.data["id"] == world["recommendation"].pk


def _check_recommendation_edited(world: World, response: Response) -> None:
    assert world.fresh("recommendation").summary == "A clearer summary of what the paper shows."
    assert response.data["summary"] == "A clearer summary of what the paper shows."


def _check_recommendation_status(status: str) -> Check:
    def check(world: World, response: Response) -> None:
        assert world.fresh("recommendation").status == status
        assert response.data["status"] == status

    return check


def _check_reviews_listed(world: World, response: Response) -> None:
    assert [review["id"] for review in response.data] == [world["review"].pk]


def _check_reviewed(world: World, response: Response) -> None:
    review = Review.objects.get(pk=response.data["id"])
    assert (review.reviewer, review.verdict) == (world.actor, Verdict.APPROVE)
    # The publication needs one approval: this one accepts the recommendation.
    assert world.fresh("recommendation").status == RecommendationStatus.ACCEPTED


def _check_queue(world: World, response: Response) -> None:
    queued = [item["id"] for item in _results(response)]
    assert queued == ([world["recommendation"].pk] if world.role in TEAM else [])


def _webhook_endpoint(world: World) -> dict[str, Any]:
    editor = MembershipFactory(publication=world.publication, role=TeamRole.EDITOR).user
    endpoint = create_endpoint(
        world.publication, by=editor, url="https://hooks.example.org/a", events=["issue.published"]
    )
    return {"id": endpoint.pk, "slug": world.publication.slug, "endpoint": endpoint}


def _check_endpoints_listed(world: World, response: Response) -> None:
    assert [endpoint["url"] for endpoint in response.data] == ["https://hooks.example.org/a"]
    assert all("secret" not in endpoint for endpoint in response.data)


def _check_endpoint_registered(world: World, response: Response) -> None:
    endpoint = Endpoint.objects.get(publication=world.publication)
    assert (endpoint.url, endpoint.events) == ("https://hooks.example.org/b", ["issue.published"])
    assert response.data["secret"] == endpoint.secret


def _check_endpoint_shown(world: World, response: Response) -> None:
    assert (response.data["id"], "secret" in response.data) == (world["id"], False)


def _check_endpoint_switched_off(world: World, response: Response) -> None:
    assert world.fresh("endpoint").is_active is False


def _check_endpoint_removed(world: World, response: Response) -> None:
    assert not Endpoint.objects.filter(pk=world["id"]).exists()


def _check_delivery_log(world: World, response: Response) -> None:
    assert _results(response) == []


# --- the candidate inbox --------------------------------------------------------------------------


def _candidate(state: str = CandidateState.NEW, *, interested: bool = False) -> Arrange:
    """A candidate of the publication under test; claimed or dismissed by the contributor."""

    def arrange(world: World) -> dict[str, Any]:
        by = world.contributor
        if state == CandidateState.CLAIMED:
            candidate = CandidateFactory(publication=world.publication, claimed=True, claimed_by=by)
        elif state == CandidateState.DISMISSED:
            candidate = CandidateFactory(
                publication=world.publication, dismissed=True, dismissed_by=by
            )
        else:
            candidate = CandidateFactory(publication=world.publication)
        if interested and world.actor is not None:
            Interest.objects.create(candidate=candidate, member=world.actor)
            Candidate.objects.filter(pk=candidate.pk).update(interest_count=1)
        return {"id": candidate.pk, "slug": world.publication.slug, "candidate": candidate}

    return arrange


def _check_candidates_listed(world: World, response: Response) -> None:
    assert [row["id"] for row in _results(response)] == [world["id"]]


def _check_candidate_shown(world: World, response: Response) -> None:
    assert (response.data["id"], response.data["state"]) == (world["id"], "new")


def _check_candidate_state(state: str, field: str = "") -> Check:
    def check(world: World, response: Response) -> None:
        candidate = world.fresh("candidate")
        assert candidate.state == state
        if field:
            assert getattr(candidate, field) == world.actor

    return check


def _check_interest(marked: bool) -> Check:
    def check(world: World, response: Response) -> None:
        assert Interest.objects.filter(candidate=world["candidate"]).exists() is marked
        assert response.data["interested"] is marked

    return check


def _check_written_up(world: World, response: Response) -> None:
    recommendation = Recommendation.objects.get(pk=response.data["recommendation"])
    assert (recommendation.paper, recommendation.submitter) == (
        world["candidate"].paper,
        world.actor,
    )
    assert world.fresh("candidate").recommendation == recommendation


def _watch(world: World) -> dict[str, Any]:
    watch = WatchFactory(publication=world.publication, name="Pretraining")
    return {"id": watch.pk, "slug": world.publication.slug, "watch": watch}


def _check_watches_listed(world: World, response: Response) -> None:
    assert [watch["name"] for watch in response.data] == ["Pretraining"]


def _check_watch_added(world: World, response: Response) -> None:
    watch = Watch.objects.get(publication=world.publication)
    assert (watch.name, watch.categories, watch.created_by) == ("RL", "cs.LG", world.actor)


def _check_watch_switched_off(world: World, response: Response) -> None:
    assert world.fresh("watch").is_active is False


def _check_watch_removed(world: World, response: Response) -> None:
    assert not Watch.objects.filter(pk=world["id"]).exists()


def _check_inbox_settings(world: World, response: Response) -> None:
    assert response.data["claim_days"] == 7


def _check_inbox_settings_changed(world: World, response: Response) -> None:
    assert InboxSettings.objects.get(publication=world.publication).claim_days == 3


# --- the matrix -----------------------------------------------------------------------------------

_R = RecommendationStatus

OPERATIONS: tuple[Operation, ...] = (
    # --- accounts --------------------------------------------------------------------------------
    Operation(
        "POST",
        "auth/token/",
        # Anyone may exchange a name and password (the anonymous caller, the contributor's).
        _statuses(200, ANYONE),
        arrange=lambda world: {},
        body=lambda world: {
            "username": (world.actor or world.contributor).username,
            "password": TEST_PASSWORD,
        },
        check=_check_token_issued,
    ),
    Operation(
        "DELETE",
        "auth/token/",
        _statuses(204, MEMBERS),
        arrange=_token,
        check=_check_token_revoked,
    ),
    Operation(
        "GET",
        "me/",
        _statuses(200, MEMBERS),
        arrange=lambda world: {},
        check=lambda world, response: _assert_equal(
            response.data["username"], world.actor.username
        ),
    ),
    Operation(
        "PATCH",
        "me/",
        _statuses(200, MEMBERS),
        arrange=lambda world: {},
        body=lambda world: {"display_name": "Renamed Member"},
        check=_check_profile_renamed,
    ),
    Operation(
        "GET",
        "contributors/{username}/",
        _statuses(200, ANYONE),
        arrange=_contributor_profile,
        check=lambda world, response: _assert_equal(
            response.data["username"], world.contributor.username
        ),
    ),
    # --- publications and their issues -----------------------------------------------------------
    Operation(
        "GET",
        "publications/",
        _statuses(200, ANYONE),
        arrange=lambda world: {},
        check=lambda world, response: _assert_includes(
            [item["slug"] for item in _results(response)],
            [world.publication.slug, world.other_publication.slug],
        ),
    ),
    Operation(
        "GET",
        "publications/{slug}/",
        _statuses(200, ANYONE),
        arrange=_publication,
        check=lambda world, response: _assert_equal(response.data["slug"], world.publication.slug),
    ),
    Operation(
        "GET",
        "publications/{slug}/issues/",
        # Everybody lists; only its editors see the drafts (the check).
        _statuses(200, ANYONE),
        arrange=_draft_and_published_issues,
        check=_check_issue_listing,
    ),
    Operation(
        "POST",
        "publications/{slug}/issues/",
        _statuses(201, EDITORS),
        arrange=_publication,
        body=lambda world: {"title": "Issue of the week"},
        check=_check_issue_created,
    ),
    Operation(
        "GET",
        "publications/{slug}/issues/{number}/",
        _statuses(200, ANYONE),
        arrange=_published_issue,
        check=lambda world, response: _assert_equal(
            (response.data["id"], response.data["number"]),
            (world["issue"].pk, world["issue"].number),
        ),
    ),
    # --- statistics: published data, for anyone -----------------------------------------------
    Operation(
        "GET",
        "publications/{slug}/statistics/",
        _statuses(200, ANYONE),
        arrange=_published_issue,
        check=_check_statistics,
    ),
    Operation(
        "GET",
        "statistics/",
        _statuses(200, ANYONE),
        arrange=_published_issue,
        check=_check_statistics,
    ),
    # --- a publication's style and uploads: its editors only -------------------------------------
    Operation(
        "GET",
        "publications/{slug}/style/",
        _statuses(200, EDITORS),
        arrange=_publication,
        check=lambda world, response: _assert_equal(response.data["authors_shown"], 3),
    ),
    Operation(
        "PATCH",
        "publications/{slug}/style/",
        _statuses(200, EDITORS),
        arrange=_publication,
        body=lambda world: {"authors_shown": 2, "authors_more": " 等", "institutions_shown": 4},
        check=_check_style_changed,
    ),
    Operation(
        "GET",
        "publications/{slug}/uploads/",
        _statuses(200, EDITORS),
        arrange=_publication_with_upload,
        check=lambda world, response: _assert_equal(
            [item["id"] for item in response.data], [world["upload"].pk]
        ),
    ),
    Operation(
        "POST",
        "publications/{slug}/uploads/",
        _statuses(201, EDITORS),
        arrange=_publication,
        body=lambda world: {"name": "qr.png", "data": base64.b64encode(png_bytes()).decode()},
        check=_check_image_uploaded,
    ),
    Operation(
        "DELETE",
        "publications/{slug}/uploads/{id}/",
        _statuses(204, EDITORS),
        arrange=_publication_with_upload,
        check=lambda world, response: _assert_equal(
            PublicationUpload.objects.filter(pk=world["id"]).exists(), False
        ),
    ),
    # --- a publication's topics: everyone reads them, its editors manage them ---------------------
    Operation(
        "POST",
        "publications/{slug}/topics/",
        _statuses(201, EDITORS),
        arrange=_publication,
        body=lambda world: {"slug": "agents", "name_en": "Agents", "name_zh": "智能体"},
        check=_check_topic_created,
    ),
    Operation(
        "PATCH",
        "topics/{id}/",
        _statuses(200, EDITORS),
        arrange=_unused_topic,
        body=lambda world: {"name_en": "Renamed", "position": 1},
        check=_check_topic_changed,
    ),
    Operation(
        "DELETE",
        "topics/{id}/",
        _statuses(204, EDITORS),
        arrange=_unused_topic,
        check=_check_topic_deleted,
    ),
    # --- issues by id: drafts are their publication's editors' only -------------------------------
    Operation(
        "GET",
        "issues/{id}/",
        _statuses(200, EDITORS, hidden=NOT_ITS_EDITORS, anonymous=404),
        arrange=_draft_issue_with_entry,
        check=lambda world, response: _assert_equal(
            (response.data["id"], response.data["status"], len(response.data["entries"])),
            (world["issue"].pk, IssueStatus.DRAFT, 1),
        ),
    ),
    Operation(
        "GET",
        "issues/{id}/",
        _statuses(200, ANYONE),
        arrange=_published_issue,
        check=lambda world, response: _assert_equal(response.data["id"], world["issue"].pk),
        variant="published",
    ),
    Operation(
        "PATCH",
        "issues/{id}/",
        _statuses(200, EDITORS, hidden=NOT_ITS_EDITORS),
        arrange=_draft_issue,
        body=lambda world: {"title": "A better title"},
        check=lambda world, response: _assert_equal(world.fresh("issue").title, "A better title"),
    ),
    Operation(
        "POST",
        "issues/{id}/assemble/",
        _statuses(200, EDITORS, hidden=NOT_ITS_EDITORS),
        arrange=_draft_issue_and_accepted_recommendation,
        check=_check_assembled,
    ),
    Operation(
        "POST",
        "issues/{id}/publish/",
        _statuses(200, EDITORS, hidden=NOT_ITS_EDITORS),
        arrange=_draft_issue_with_entry,
        body=lambda world: {},
        check=_check_published,
    ),
    Operation(
        "POST",
        "issues/{id}/unschedule/",
        _statuses(200, EDITORS, hidden=NOT_ITS_EDITORS),
        arrange=_scheduled_issue_with_entry,
        check=_check_unscheduled,
    ),
    Operation(
        "GET",
        "issues/{id}/entries/",
        _statuses(200, EDITORS, hidden=NOT_ITS_EDITORS, anonymous=404),
        arrange=_draft_issue_with_entry,
        check=lambda world, response: _assert_equal(
            [entry["id"] for entry in response.data], [world["entry"].pk]
        ),
    ),
    Operation(
        "POST",
        "issues/{id}/entries/",
        _statuses(201, EDITORS, hidden=NOT_ITS_EDITORS),
        arrange=_draft_issue_and_accepted_recommendation,
        body=lambda world: {"recommendation": world["recommendation"].pk},
        check=_check_entry_added,
    ),
    Operation(
        "PUT",
        "issues/{id}/entries/",
        _statuses(200, EDITORS, hidden=NOT_ITS_EDITORS),
        arrange=_draft_issue_with_two_entries,
        body=lambda world: {"order": [world["second"].pk, world["first"].pk]},
        check=_check_entries_reordered,
    ),
    Operation(
        "PUT",
        "issues/{id}/leads/",
        _statuses(200, EDITORS, hidden=NOT_ITS_EDITORS),
        arrange=_draft_issue_with_two_entries,
        body=lambda world: {"entries": [world["second"].pk]},
        check=_check_leads_chosen,
    ),
    Operation(
        "DELETE",
        "issues/{id}/entries/{entry_id}/",
        _statuses(204, EDITORS, hidden=NOT_ITS_EDITORS),
        arrange=_draft_issue_with_entry,
        check=_check_entry_removed,
    ),
    # --- corrections of published issues ---------------------------------------------------------
    Operation(
        "GET",
        "issues/{id}/corrections/",
        _statuses(200, ANYONE),
        arrange=_published_issue_with_correction,
        check=lambda world, response: _assert_equal(
            [correction["id"] for correction in response.data], [world["correction"].pk]
        ),
    ),
    Operation(
        "POST",
        "issues/{id}/corrections/",
        # Everybody sees a published issue; only its editors correct it.
        _statuses(201, EDITORS),
        arrange=_published_issue,
        body=lambda world: {
            "note": "The title had a typo.",
            "issue": {"title": "Issue 12, corrected"},
        },
        check=_check_corrected,
    ),
    # --- the paper catalogue ---------------------------------------------------------------------
    Operation(
        "GET",
        "papers/",
        _statuses(200, ANYONE),
        arrange=_paper(MetadataStatus.OK),
        check=lambda world, response: _assert_equal(
            [item["id"] for item in _results(response)], [world["paper"].pk]
        ),
    ),
    Operation(
        "GET",
        "papers/{id}/",
        _statuses(200, ANYONE),
        arrange=_paper(MetadataStatus.OK),
        check=lambda world, response: _assert_equal(response.data["id"], world["paper"].pk),
    ),
    Operation(
        "POST",
        "papers/{id}/refetch/",
        # The editors of a publication where the paper is recommended.
        _statuses(202, EDITORS),
        arrange=_paper(MetadataStatus.FAILED),
        check=_check_refetch_requested,
    ),
    Operation(
        "POST",
        "papers/{id}/merge/",
        # The editors of a publication where both papers are recommended.
        _statuses(201, EDITORS),
        arrange=_duplicate_papers,
        body=lambda world: {"other": str(world["other"].pk)},
        check=_check_papers_merged,
    ),
    Operation(
        "PUT",
        "papers/{id}/metadata/",
        # Once its fetch failed: the member who recommended it, and the editors where it is.
        _statuses(200, EDITORS | SUBMITTER),
        arrange=_paper(MetadataStatus.FAILED),
        body=lambda world: {"title": "Entered by Hand", "authors": ["Ada Lovelace"]},
        check=_check_metadata_entered,
    ),
    Operation(
        "PUT",
        "papers/{id}/metadata/",
        # Never over a source's metadata, nor while it is being fetched: nobody may.
        _refused_by_state(),
        arrange=_paper(MetadataStatus.OK),
        body=lambda world: {"title": "Entered by Hand", "authors": ["Ada Lovelace"]},
        variant="metadata fetched",
    ),
    Operation(
        "PUT",
        "papers/{id}/metadata/",
        _refused_by_state(),
        arrange=_paper(MetadataStatus.PENDING),
        body=lambda world: {"title": "Entered by Hand", "authors": ["Ada Lovelace"]},
        variant="metadata pending",
    ),
    Operation(
        "PUT",
        "papers/{id}/metadata/",
        # A hand entry is corrected, and kept over the source's, by those editors only.
        _statuses(200, EDITORS),
        arrange=_paper(MetadataStatus.OK, source=MetadataSource.MANUAL),
        body=lambda world: {"title": "Entered by Hand", "authors": ["Ada Lovelace"], "keep": True},
        check=_check_metadata_entered,
        variant="entered by hand, kept",
    ),
    Operation(
        "GET",
        "topics/",
        _statuses(200, ANYONE),
        arrange=lambda world: {},
        check=lambda world, response: _assert_includes(
            [item["slug"] for item in _results(response)], [world.topic.slug]
        ),
    ),
    # --- recommendations: a submitted one by the contributor unless said otherwise ----------------
    Operation(
        "GET",
        "recommendations/",
        # Everybody lists; the submitter and the team see the unpublished one (the check).
        _statuses(200, ANYONE),
        arrange=_recommendation(_R.SUBMITTED),
        check=_check_recommendation_listing,
    ),
    Operation(
        "POST",
        "recommendations/",
        _statuses(201, MEMBERS),
        arrange=_publication,
        body=lambda world: {
            "identifier": "2310.06825",
            "summary": "A 7B model that outperforms larger ones with grouped-query attention.",
            "publication": world.publication.slug,
        },
        check=_check_recommendation_created,
    ),
    Operation(
        "GET",
        "recommendations/queue/",
        # Reviewers and editors of any publication have a queue; this one's only in its team's.
        _statuses(200, TEAM | {"other_editor"}),
        arrange=_recommendation(_R.SUBMITTED),
        check=_check_queue,
    ),
    Operation(
        "GET",
        "recommendations/queue/",
        _statuses(200, TEAM),
        arrange=_recommendation(_R.SUBMITTED),
        check=_check_queue,
        variant="of this publication",
        query="?publication={slug}",
    ),
    Operation(
        "GET",
        "recommendations/{id}/",
        _statuses(200, SUBMITTER | TEAM, hidden=OUTSIDERS, anonymous=404),
        arrange=_recommendation(_R.SUBMITTED),
        check=_check_recommendation_shown,
    ),
    Operation(
        "PATCH",
        "recommendations/{id}/",
        _statuses(200, SUBMITTER, hidden=OUTSIDERS),
        arrange=_recommendation(_R.SUBMITTED),
        body=lambda world: {"summary": "A clearer summary of what the paper shows."},
        check=_check_recommendation_edited,
    ),
    Operation(
        "PATCH",
        "recommendations/{id}/entry/",
        _statuses(200, TEAM, hidden=OUTSIDERS),
        arrange=_recommendation(_R.SUBMITTED),
        body=lambda world: {"summary": "The team's summary.", "subject_zh": "检索"},
        check=_check_entry_revised,
    ),
    Operation(
        "POST",
        "recommendations/{id}/submit/",
        _statuses(200, SUBMITTER, hidden=OUTSIDERS),
        arrange=_recommendation(_R.DRAFT),
        body=lambda world: {"note": "Ready for review."},
        check=_check_recommendation_status(_R.SUBMITTED),
    ),
    Operation(
        "POST",
        "recommendations/{id}/withdraw/",
        _statuses(200, SUBMITTER, hidden=OUTSIDERS),
        arrange=_recommendation(_R.SUBMITTED),
        body=lambda world: {"note": "A better paper came out."},
        check=_check_recommendation_status(_R.WITHDRAWN),
    ),
    Operation(
        "POST",
        "recommendations/{id}/accept/",
        _statuses(200, EDITORS, hidden=OUTSIDERS),
        arrange=_recommendation(_R.SUBMITTED),
        body=lambda world: {"note": "Clearly in scope."},
        check=_check_recommendation_status(_R.ACCEPTED),
    ),
    Operation(
        "POST",
        "recommendations/{id}/accept/",
        # Nobody accepts their own recommendation, not even an editor or an administrator.
        _statuses(200, frozenset()),
        arrange=_recommendation(_R.SUBMITTED, by_actor=True),
        body=lambda world: {"note": "Clearly in scope."},
        variant="own",
    ),
    Operation(
        "GET",
        "recommendations/{id}/reviews/",
        _statuses(200, SUBMITTER | TEAM, hidden=OUTSIDERS, anonymous=404),
        arrange=_reviewed_recommendation(_R.SUBMITTED),
        check=_check_reviews_listed,
    ),
    Operation(
        "GET",
        "recommendations/{id}/reviews/",
        # Everybody sees a published recommendation, but its reviews stay the submitter's and the
        # team's. An anonymous caller is refused for want of an identity: 401, as everywhere.
        _statuses(200, SUBMITTER | TEAM),
        arrange=_reviewed_recommendation(_R.PUBLISHED),
        check=_check_reviews_listed,
        variant="published",
    ),
    Operation(
        "POST",
        "recommendations/{id}/reviews/",
        _statuses(201, TEAM, hidden=OUTSIDERS),
        arrange=_recommendation(_R.SUBMITTED),
        body=lambda world: {"verdict": Verdict.APPROVE},
        check=_check_reviewed,
    ),
    Operation(
        "POST",
        "recommendations/{id}/reviews/",
        # Nobody reviews their own recommendation, not even an editor or an administrator.
        _statuses(201, frozenset()),
        arrange=_recommendation(_R.SUBMITTED, by_actor=True),
        body=lambda world: {"verdict": Verdict.APPROVE},
        variant="own",
    ),
    # --- webhooks ---------------------------------------------------------------------------------
    Operation(
        "GET",
        "publications/{slug}/webhooks/",
        _statuses(200, EDITORS),
        arrange=_webhook_endpoint,
        check=_check_endpoints_listed,
    ),
    Operation(
        "POST",
        "publications/{slug}/webhooks/",
        _statuses(201, EDITORS),
        arrange=_publication,
        body=lambda world: {"url": "https://hooks.example.org/b", "events": ["issue.published"]},
        check=_check_endpoint_registered,
    ),
    Operation(
        "GET",
        "webhooks/{id}/",
        # Nobody else learns that an endpoint exists.
        _statuses(200, EDITORS, hidden=MEMBERS - EDITORS, anonymous=404),
        arrange=_webhook_endpoint,
        check=_check_endpoint_shown,
    ),
    Operation(
        "PATCH",
        "webhooks/{id}/",
        _statuses(200, EDITORS, hidden=MEMBERS - EDITORS),
        arrange=_webhook_endpoint,
        body=lambda world: {"active": False},
        check=_check_endpoint_switched_off,
    ),
    Operation(
        "DELETE",
        "webhooks/{id}/",
        _statuses(204, EDITORS, hidden=MEMBERS - EDITORS),
        arrange=_webhook_endpoint,
        check=_check_endpoint_removed,
    ),
    Operation(
        "GET",
        "webhooks/{id}/deliveries/",
        _statuses(200, EDITORS, hidden=MEMBERS - EDITORS, anonymous=404),
        arrange=_webhook_endpoint,
        check=_check_delivery_log,
    ),
    # --- the candidate inbox ----------------------------------------------------------------------
    Operation(
        "GET",
        "publications/{slug}/candidates/",
        _statuses(200, MEMBERS),
        arrange=_candidate(),
        check=_check_candidates_listed,
    ),
    Operation(
        "GET",
        "candidates/{id}/",
        _statuses(200, MEMBERS),
        arrange=_candidate(),
        check=_check_candidate_shown,
    ),
    Operation(
        "POST",
        "candidates/{id}/claim/",
        _statuses(200, MEMBERS),
        arrange=_candidate(),
        check=_check_candidate_state(CandidateState.CLAIMED, "claimed_by"),
    ),
    Operation(
        "POST",
        "candidates/{id}/release/",
        # The contributor's claim: theirs to let go, or an editor's.
        _statuses(200, SUBMITTER | EDITORS),
        arrange=_candidate(CandidateState.CLAIMED),
        body=lambda world: {"note": "No time."},
        check=_check_candidate_state(CandidateState.NEW),
    ),
    Operation(
        "POST",
        "candidates/{id}/dismiss/",
        _statuses(200, MEMBERS),
        arrange=_candidate(),
        body=lambda world: {"reason": "A survey."},
        check=_check_candidate_state(CandidateState.DISMISSED, "dismissed_by"),
    ),
    Operation(
        "POST",
        "candidates/{id}/restore/",
        # Dismissed by the contributor: theirs to bring back, or an editor's.
        _statuses(200, SUBMITTER | EDITORS),
        arrange=_candidate(CandidateState.DISMISSED),
        check=_check_candidate_state(CandidateState.NEW),
    ),
    Operation(
        "POST",
        "candidates/{id}/interest/",
        _statuses(200, MEMBERS),
        arrange=_candidate(),
        check=_check_interest(True),
    ),
    Operation(
        "DELETE",
        "candidates/{id}/interest/",
        _statuses(200, MEMBERS),
        arrange=_candidate(interested=True),
        check=_check_interest(False),
    ),
    Operation(
        "POST",
        "candidates/{id}/write-up/",
        _statuses(201, MEMBERS),
        arrange=_candidate(),
        body=lambda world: {"summary": "Why it matters."},
        check=_check_written_up,
    ),
    Operation(
        "GET",
        "publications/{slug}/watches/",
        _statuses(200, EDITORS),
        arrange=_watch,
        check=_check_watches_listed,
    ),
    Operation(
        "POST",
        "publications/{slug}/watches/",
        _statuses(201, EDITORS),
        arrange=_publication,
        body=lambda world: {"name": "RL", "categories": "cs.LG"},
        check=_check_watch_added,
    ),
    Operation(
        "GET",
        "watches/{id}/",
        # Nobody else learns that a watch exists.
        _statuses(200, EDITORS, hidden=MEMBERS - EDITORS),
        arrange=_watch,
        check=lambda world, response: None,
    ),
    Operation(
        "PATCH",
        "watches/{id}/",
        _statuses(200, EDITORS, hidden=MEMBERS - EDITORS),
        arrange=_watch,
        body=lambda world: {"active": False},
        check=_check_watch_switched_off,
    ),
    Operation(
        "DELETE",
        "watches/{id}/",
        _statuses(204, EDITORS, hidden=MEMBERS - EDITORS),
        arrange=_watch,
        check=_check_watch_removed,
    ),
    Operation(
        "GET",
        "publications/{slug}/inbox-settings/",
        _statuses(200, EDITORS),
        arrange=_publication,
        check=_check_inbox_settings,
    ),
    Operation(
        "PATCH",
        "publications/{slug}/inbox-settings/",
        _statuses(200, EDITORS),
        arrange=_publication,
        body=lambda world: {"claim_days": 3},
        check=_check_inbox_settings_changed,
    ),
)


# --- the tests ------------------------------------------------------------------------------------

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
ERROR_CODES = {
    401: "not_authenticated",
    403: "not_allowed",
    404: "not_found",
    409: "invalid_transition",
}


@pytest.fixture
def other_editor(other_publication: Publication) -> Any:
    """An editor of ``other_publication`` only."""
    user = UserFactory(username="other-editor")
    MembershipFactory(publication=other_publication, user=user, role=TeamRole.EDITOR)
    return user


def _footprint() -> dict[str, int]:
    """How many rows of each kind a request could write: a refusal changes none."""
    models = (
        Issue,
        IssueEntry,
        Correction,
        Recommendation,
        Review,
        Transition,
        Paper,
        MetadataEntry,
        Token,
        Endpoint,
        Candidate,
        CandidateTransition,
        Interest,
        Watch,
        InboxSettings,
        PublicationStyle,
        PublicationUpload,
        PublicationChange,
    )
    return {model.__name__: model.objects.count() for model in models}


def _cases() -> list[Any]:
    return [
        pytest.param(operation, role, id=f"{operation.id}-{role}")
        for operation in OPERATIONS
        for role in ROLES
    ]


def test_matrix_covers_every_operation_of_the_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    in_schema = {
        (method.upper(), path.removeprefix("/api/v1/"))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }
    assert {(operation.method, operation.route) for operation in OPERATIONS} == in_schema
    assert len(in_schema) == 71


@pytest.mark.parametrize(("operation", "role"), _cases())
def test_api_operation_as_role(
    request: pytest.FixtureRequest,
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    topic: Topic,
    operation: Operation,
    role: str,
) -> None:
    actor = None if role == "anonymous" else request.getfixturevalue(_FIXTURE_OF_ROLE[role])
    world = World(
        role=role,
        actor=actor,
        publication=publication,
        other_publication=other_publication,
        contributor=contributor,
        topic=topic,
    )
    world.objects = operation.arrange(world)
    path = "/api/v1/" + (operation.route + operation.query).format(**world.objects)
    body = operation.body(world) if operation.body is not None else None
    before = _footprint()

    response = getattr(client_for(actor), operation.method.lower())(path, body, format="json")

    expected = operation.statuses[role]
    assert response.status_code == expected, response.content.decode()[:500]
    if expected < 400:
        operation.check(world, response)
        return
    error = response.json()["error"]
    assert set(response.json()) == {"error"}
    assert (error["code"], error["fields"]) == (ERROR_CODES[expected], {})
    assert isinstance(error["message"], str)
    assert error["message"]
    if expected == 401:
        assert response["WWW-Authenticate"] == "Token"
    assert _footprint() == before
