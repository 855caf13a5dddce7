"""API input and output of the candidate inbox: validation only; the services decide and write.

Types and lengths are checked here; the rules (who may claim, which move the candidate's state
allows, what a watch's categories and query may be) are the services', so the site and the API
refuse the same input with the same message.

A candidate's output reads only what ``inbox.api.views`` selected and annotated for the page
(its paper and their names, watch, claimant, dismisser, and whether the caller is interested):
a page costs the same number of queries whatever its length.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from common.api.fields import absolute
from contributors.api.serializers import ContributorRefSerializer
from inbox.enums import CandidateState, InboxSort, InboxView
from inbox.models import Candidate, InboxSettings, Watch
from inbox.selectors import ACTIONS, candidate_actions
from inbox.services import DISMISS_REASON_MAX_LENGTH
from papers import selectors as paper_selectors
from papers.models import Paper


def _interested(candidate: Candidate) -> bool:
    return bool(getattr(candidate, "interested", False))


# --- queries ------------------------------------------------------------------------------------


class CandidateQuerySerializer(serializers.Serializer):
    """The list's query parameters."""

    view = serializers.ChoiceField(
        choices=InboxView.choices,
        default=InboxView.NEW,
        help_text="The tab: new, claimed, mine (claimed by you) or dismissed.",
    )
    sort = serializers.ChoiceField(
        choices=InboxSort.choices,
        default=InboxSort.RANK,
        help_text="rank (best score first) or date (found most recently first).",
    )


# --- candidates ---------------------------------------------------------------------------------


class CandidatePaperSerializer(serializers.Serializer):
    """The candidate's paper: enough to judge it; the whole record is ``api:paper-detail``."""

    id = serializers.IntegerField()
    arxiv_id = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    abstract = serializers.CharField()
    web_url = serializers.CharField(help_text="The paper's page on this site.")

    def to_representation(self, paper: Paper) -> dict[str, Any]:
        return {
            "id": paper.pk,
            "arxiv_id": paper.arxiv_id,
            "title": paper.title,
            "authors": paper_selectors.author_names(paper),
            "abstract": paper.abstract,
            "web_url": absolute(self.context, reverse("papers:paper-detail", args=[paper.pk])),
        }


class ClaimSerializer(serializers.Serializer):
    by = ContributorRefSerializer(help_text="Who is writing it up.")
    since = serializers.DateTimeField()


class DismissalSerializer(serializers.Serializer):
    by = ContributorRefSerializer(allow_null=True, help_text="null when the member has left.")
    at = serializers.DateTimeField()
    reason = serializers.CharField()


class CandidateSerializer(serializers.Serializer):
    """A candidate as a member of the platform sees it in the inbox."""

    id = serializers.IntegerField()
    publication = serializers.SlugField(help_text="The publication's slug.")
    state = serializers.ChoiceField(choices=CandidateState.choices)
    score = serializers.FloatField(help_text="Likeness to what the publication featured, 0 to 1.")
    found_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="The paper's first version on arXiv."
    )
    paper = CandidatePaperSerializer()
    watch = serializers.CharField(allow_null=True, help_text="The name of the watch that found it.")
    interest_count = serializers.IntegerField()
    interested = serializers.BooleanField(help_text="Whether you marked your interest.")
    claim = ClaimSerializer(allow_null=True, help_text="null unless it is claimed.")
    dismissal = DismissalSerializer(allow_null=True, help_text="null unless it is dismissed.")
    recommendation = serializers.IntegerField(
        allow_null=True, help_text="The id of the recommendation it became."
    )
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=ACTIONS),
        help_text="What you may do to it now: each an endpoint under the candidate (write_up: "
        "write-up/; interest and withdraw_interest: POST and DELETE interest/).",
    )

    def to_representation(self, candidate: Candidate) -> dict[str, Any]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        claim = None
        if candidate.state == CandidateState.CLAIMED and candidate.claimed_by is not None:
            claim = {"by": _member(candidate.claimed_by), "since": _when(candidate.claimed_at)}
        dismissal = None
        if candidate.state == CandidateState.DISMISSED:
            dismissal = {
                "by": _member(candidate.dismissed_by) if candidate.dismissed_by_id else None,
                "at": _when(candidate.dismissed_at),
                "reason": candidate.dismiss_reason,
            }
        return {
            "id": candidate.pk,
            "publication": candidate.publication.slug,
            "state": candidate.state,
            "score": candidate.score,
            "found_at": _when(candidate.found_at),
            "submitted_at": _when(candidate.submitted_at),
            "paper": CandidatePaperSerializer(candidate.paper, context=self.context).data,
            "watch": candidate.watch.name if candidate.watch_id else None,
            "interest_count": candidate.interest_count,
            "interested": _interested(candidate),
            "claim": claim,
            "dismissal": dismissal,
            "recommendation": candidate.recommendation_id,
            "actions": (
                candidate_actions(user, candidate, interested=_interested(candidate))
                if user is not None
                else []
            ),
        }


_DATETIME = serializers.DateTimeField()


def _when(moment: Any) -> str | None:
    return _DATETIME.to_representation(moment) if moment is not None else None


def _member(user: Any) -> dict[str, str]:
    return {"username": user.username, "name": user.public_name}


class ReleaseSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=DISMISS_REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the claim is let go (optional).",
    )


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=DISMISS_REASON_MAX_LENGTH,
        allow_blank=True,
        help_text="Why the candidate is not for the publication (required).",
    )


class WriteUpSerializer(serializers.Serializer):
    summary = serializers.CharField(
        max_length=20_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Markdown: the draft's summary. Needed unless the publication has a language "
        "model draft it.",
    )


class WrittenUpSerializer(serializers.Serializer):
    """The draft recommendation a candidate became."""

    recommendation = serializers.IntegerField(help_text="The recommendation's id.")
    url = serializers.CharField(help_text="The recommendation in this API.")
    candidate = CandidateSerializer()


# --- watches and settings -----------------------------------------------------------------------


class WatchSerializer(serializers.ModelSerializer):
    publication = serializers.SlugField(source="publication.slug", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Watch
        fields = (
            "id",
            "publication",
            "name",
            "categories",
            "query",
            "active",
            "last_polled_at",
            "newest_submitted_at",
            "last_found",
            "last_kept",
            "last_error",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class WatchWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    categories = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="arXiv categories separated by spaces, e.g. cs.CL cs.LG.",
    )
    query = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="arXiv's search syntax, e.g. abs:pretrain* AND ti:language.",
    )
    active = serializers.BooleanField(required=False, default=True)


class WatchUpdateSerializer(WatchWriteSerializer):
    """Only the fields given change."""

    name = serializers.CharField(max_length=100, required=False)
    categories = serializers.CharField(max_length=200, required=False, allow_blank=True)
    query = serializers.CharField(max_length=500, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class InboxSettingsSerializer(serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="null while the defaults stand."
    )

    class Meta:
        model = InboxSettings
        fields = ("claim_days", "expire_days", "keep_per_poll", "updated_at")
        read_only_fields = fields


class InboxSettingsWriteSerializer(serializers.Serializer):
    claim_days = serializers.IntegerField(
        required=False, help_text="Days a claim lasts without a recommendation (1 to 365)."
    )
    expire_days = serializers.IntegerField(
        required=False, help_text="Days an unclaimed candidate waits (1 to 365)."
    )
    keep_per_poll = serializers.IntegerField(
        required=False, help_text="Candidates a poll keeps, the best ranked (1 to 1000)."
    )
