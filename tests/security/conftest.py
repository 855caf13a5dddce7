"""A small site with an object in every state the forms and the API act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from contributors.services import get_api_token
from inbox.models import Candidate, Watch
from issues.enums import IssueStatus
from issues.models import Issue, IssueEntry
from newsletter.models import Subscriber
from papers.enums import MetadataStatus
from papers.models import Paper
from publications.enums import TeamRole
from publications.models import Publication, PublicationUpload, Topic
from publications.services import upload_publication_image
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation
from tests.factories import (
    IssueEntryFactory,
    IssueFactory,
    MembershipFactory,
    PaperFactory,
    RecommendationFactory,
    SubscriberFactory,
    UserFactory,
)
from tests.factories.inbox import CandidateFactory, WatchFactory
from tests.factories.publications import png_bytes
from webhooks.models import Endpoint


@dataclass
class World:
    publication: Publication
    topic: Topic
    contributor: Any
    other: Any
    reviewer: Any
    editor: Any
    #: The contributor's own draft recommendations: a paper and a news item.
    draft_paper: Recommendation
    draft_news: Recommendation
    #: Another member's submission, waiting in the review queue.
    submitted: Recommendation
    #: Accepted, waiting for an issue.
    accepted: Recommendation
    #: A paper whose metadata could not be fetched, recommended by the contributor.
    failed_paper: Paper
    draft_issue: Issue
    draft_entry: IssueEntry
    published_issue: Issue
    published_entry: IssueEntry
    pending_subscriber: Subscriber
    confirmed_subscriber: Subscriber
    tokens: dict[str, str]
    #: The publication's webhook endpoint, managed by its editor.
    webhook: Endpoint
    #: An image the publication uploaded.
    upload: PublicationUpload
    #: The publication's inbox: a new candidate, one the contributor claimed, one the
    #: contributor dismissed, and a watch its editor keeps.
    candidate: Candidate
    claimed_candidate: Candidate
    dismissed_candidate: Candidate
    watch: Watch


@pytest.fixture
def world(db: None, publication: Publication, topic: Topic) -> World:
    contributor = UserFactory(username="contributor", display_name="Con Tributor")
    other = UserFactory(username="other-contributor")
    reviewer = UserFactory(username="reviewer")
    editor = UserFactory(username="editor")
    MembershipFactory(publication=publication, user=reviewer, role=TeamRole.REVIEWER)
    MembershipFactory(publication=publication, user=editor, role=TeamRole.EDITOR)

    draft_paper = RecommendationFactory(
        publication=publication,
        submitter=contributor,
        status=RecommendationStatus.DRAFT,
        submitted_at=None,
        topic=topic,
    )
    draft_news = RecommendationFactory(
        publication=publication,
        submitter=contributor,
        status=RecommendationStatus.DRAFT,
        submitted_at=None,
        news=True,
    )
    submitted = RecommendationFactory(publication=publication, submitter=other, topic=topic)
    accepted = RecommendationFactory(
        publication=publication,
        submitter=other,
        status=RecommendationStatus.ACCEPTED,
        decided_at=timezone.now(),
    )
    failed_paper = PaperFactory(
        metadata_status=MetadataStatus.FAILED, title="", metadata_error="arXiv is down."
    )
    RecommendationFactory(publication=publication, submitter=contributor, paper=failed_paper)

    draft_issue = IssueFactory(publication=publication, title="Next week")
    draft_entry = IssueEntryFactory(issue=draft_issue)
    published_issue = IssueFactory(publication=publication, published=True, number=1)
    published_entry = IssueEntryFactory(
        issue=published_issue,
        shown_title="A published paper",
        shown_summary="What it does.",
    )
    assert published_issue.status == IssueStatus.PUBLISHED

    return World(
        publication=publication,
        topic=topic,
        contributor=contributor,
        other=other,
        reviewer=reviewer,
        editor=editor,
        draft_paper=draft_paper,
        draft_news=draft_news,
        submitted=submitted,
        accepted=accepted,
        failed_paper=failed_paper,
        draft_issue=draft_issue,
        draft_entry=draft_entry,
        published_issue=published_issue,
        published_entry=published_entry,
        pending_subscriber=SubscriberFactory(publication=publication, pending=True),
        confirmed_subscriber=SubscriberFactory(publication=publication),
        tokens={name: get_api_token(u).key for name, u in (("editor", editor),)},
        webhook=Endpoint.objects.create(
            publication=publication,
            url="https://hooks.example.org/weekly",
            events=["issue.published"],
            created_by=editor,
        ),
        upload=upload_publication_image(publication, by=editor, data=png_bytes(), name="qr.png"),
        candidate=CandidateFactory(publication=publication),
        claimed_candidate=CandidateFactory(
            publication=publication, claimed=True, claimed_by=contributor
        ),
        dismissed_candidate=CandidateFactory(
            publication=publication, dismissed=True, dismissed_by=contributor
        ),
        watch=WatchFactory(publication=publication, name="Pretraining"),
    )
