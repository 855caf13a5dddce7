"""API views of the candidate inbox: thin. Every one answers signed-in members only (401 for an
anonymous caller: nothing of the inbox shows to anonymous readers). A candidate is found by its
id (404 otherwise); the services check the capability and the candidate's state, and their
refusals become the API's errors (``common.api.errors``): 403 for a capability, 409 for a state
that does not allow the move (a claim naming the claimant and since when).

The watches and the inbox's settings answer the publication's editors: 403 on the publication's
lists for other members, 404 for one watch (who does not manage it need not learn it exists).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.fields import absolute
from common.api.limits import SubmissionThrottle
from common.api.serializers import validated
from inbox import selectors, services
from inbox.api.serializers import (
    CandidateQuerySerializer,
    CandidateSerializer,
    DismissSerializer,
    InboxSettingsSerializer,
    InboxSettingsWriteSerializer,
    ReleaseSerializer,
    WatchSerializer,
    WatchUpdateSerializer,
    WatchWriteSerializer,
    WriteUpSerializer,
    WrittenUpSerializer,
)
from inbox.models import Candidate, InboxSettings, Interest, Watch
from papers.selectors import with_names
from publications import selectors as publication_selectors
from publications.models import Publication
from publications.permissions import can, require

#: The rows a candidate's answer reads, in the query of the candidate itself.
RELATED = ("publication", "paper", "watch", "claimed_by", "dismissed_by")


def _publication(slug: str) -> Publication:
    return get_object_or_404(publication_selectors.publications(), slug=slug)


def _with_interest(candidates: QuerySet[Candidate], user: Any) -> QuerySet[Candidate]:
    """Each candidate with ``interested``: whether ``user`` marked their interest (a subquery
    of the candidates' own query)."""
    mine = Interest.objects.filter(candidate=OuterRef("pk"), member=user)
    return candidates.annotate(interested=Exists(mine))


def _candidate(request: Request, pk: int) -> Candidate:
    """The candidate, read with what its answer shows; 404 when there is none."""
    found = _with_interest(Candidate.objects.select_related(*RELATED), request.user)
    candidate = found.filter(pk=pk).first()
    if candidate is None:
        raise Http404
    require(request.user, "inbox.view_inbox", candidate.publication)
    with_names([candidate.paper])
    return candidate


def _candidate_response(request: Request, pk: int) -> Response:
    candidate = _candidate(request, pk)
    return Response(CandidateSerializer(candidate, context={"request": request}).data)


class PublicationCandidateListView(generics.ListAPIView):
    """One tab of a publication's inbox, a page at a time."""

    serializer_class = CandidateSerializer
    permission_classes = [permissions.IsAuthenticated]
    # The view and order are this view's parameters, not the filter backend's.
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Candidate]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator, with no request
            return Candidate.objects.none()
        user = self.request.user
        publication = _publication(self.kwargs["slug"])
        require(user, "inbox.view_inbox", publication)
        query = CandidateQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        candidates = selectors.inbox_candidates(
            publication,
            member=user,
            view=query.validated_data["view"],
            sort=query.validated_data["sort"],
        )
        return _with_interest(candidates.select_related(*RELATED), user)

    def paginate_queryset(self, queryset: Any) -> Any:
        # The page's authors, read for the page at once.
        page = super().paginate_queryset(queryset)
        if page is not None:
            with_names([candidate.paper for candidate in page])
        return page

    @extend_schema(
        parameters=[CandidateQuerySerializer],
        summary="A publication's inbox of candidates (members)",
        description=(
            "One tab: new (the default), claimed, mine (claimed by you) or dismissed; by rank "
            "(the default: best score first) or date found. A candidate whose paper was "
            "featured in or recommended to the publication since it was found is left out."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CandidateDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=CandidateSerializer, summary="A candidate of an inbox (members)")
    def get(self, request: Request, pk: int) -> Response:
        return _candidate_response(request, pk)


def _action_view(
    name: str, summary: str, description: str, body: type | None = None
) -> type[APIView]:
    service = {
        "claim": services.claim_candidate,
        "release": services.release_claim,
        "dismiss": services.dismiss_candidate,
        "restore": services.restore_candidate,
    }[name]

    class ActionView(APIView):
        permission_classes = [permissions.IsAuthenticated]

        @extend_schema(
            request=body,
            responses=CandidateSerializer,
            summary=summary,
            description=description,
            operation_id=f"candidates_{name}",
        )
        def post(self, request: Request, pk: int) -> Response:
            candidate = _candidate(request, pk)
            values = validated(body, request) if body is not None else {}
            service(candidate, by=request.user, **values)
            return _candidate_response(request, pk)

    ActionView.__name__ = ActionView.__qualname__ = f"Candidate{name.title()}View"
    return ActionView


CandidateClaimView = _action_view(
    "claim",
    "Claim a candidate to write it up (members)",
    "One claimant at a time: a candidate claimed already (409) names who claimed it and since "
    "when; a dismissed, expired or written-up one says so.",
)
CandidateReleaseView = _action_view(
    "release",
    "Release a claim (the claimant, or an editor)",
    "The candidate is new again, for anyone to claim. The note says why (optional).",
    ReleaseSerializer,
)
CandidateDismissView = _action_view(
    "dismiss",
    "Dismiss a new candidate, saying why (members)",
    "The reason is required, at most 300 characters. A claimed candidate is released first.",
    DismissSerializer,
)
CandidateRestoreView = _action_view(
    "restore",
    "Bring a dismissed candidate back (who dismissed it, or an editor)",
    "The candidate is new again; the dismissal stays in its history.",
)


class CandidateInterestView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses=CandidateSerializer,
        summary="Mark your interest in a candidate (members)",
        description="Once per member: marking it again changes nothing. A new or claimed "
        "candidate only (409 otherwise).",
    )
    def post(self, request: Request, pk: int) -> Response:
        services.mark_interest(_candidate(request, pk), by=request.user)
        return _candidate_response(request, pk)

    @extend_schema(
        request=None,
        # A DELETE is documented as 204 unless told: this one answers the candidate.
        responses={200: CandidateSerializer},
        summary="Withdraw your interest in a candidate (members)",
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.withdraw_interest(_candidate(request, pk), by=request.user)
        return _candidate_response(request, pk)


class CandidateWriteUpView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [*APIView.throttle_classes, SubmissionThrottle]

    @extend_schema(
        request=WriteUpSerializer,
        responses={201: WrittenUpSerializer},
        summary="Write a candidate up as your draft recommendation (members)",
        description=(
            "Claims the candidate if it is new (someone else's claim is refused with 409, "
            "naming them), then makes your draft recommendation of its paper to the "
            "publication. The summary is needed unless the publication has a language model "
            "draft it (then the drafts are asked for at once). A refusal of the recommendation "
            "(you recommended the paper already, the weekly quota) leaves the candidate as it "
            "was."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        candidate = _candidate(request, pk)
        summary = validated(WriteUpSerializer, request)["summary"]
        recommendation = services.write_up(candidate, by=request.user, summary=summary)
        path = reverse("api:recommendation-detail", args=[recommendation.pk])
        context = {"request": request}
        body = {
            "recommendation": recommendation.pk,
            "url": absolute(context, path),
            "candidate": CandidateSerializer(_candidate(request, pk), context=context).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- watches and settings -----------------------------------------------------------------------


def _managed_publication(request: Request, slug: str) -> Publication:
    publication = _publication(slug)
    require(request.user, "inbox.manage_watches", publication)
    return publication


class PublicationWatchListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=WatchSerializer(many=True), summary="A publication's watches (editors)"
    )
    def get(self, request: Request, slug: str) -> Response:
        publication = _managed_publication(request, slug)
        watches = publication.watches.select_related("publication").order_by("name", "id")
        return Response(WatchSerializer(watches, many=True).data)

    @extend_schema(
        request=WatchWriteSerializer,
        responses={201: WatchSerializer},
        summary="Add a watch (editors)",
        description="arXiv categories, a query in arXiv's search syntax, or both; a worker "
        "polls it daily.",
    )
    def post(self, request: Request, slug: str) -> Response:
        publication = _managed_publication(request, slug)
        values = validated(WatchWriteSerializer, request)
        watch = services.save_watch(
            publication,
            by=request.user,
            name=values["name"],
            categories=values["categories"],
            query=values["query"],
            is_active=values["active"],
        )
        return Response(WatchSerializer(watch).data, status=status.HTTP_201_CREATED)


def _watch(request: Request, pk: int) -> Watch:
    watch = Watch.objects.select_related("publication").filter(pk=pk).first()
    if watch is None or not can(request.user, "inbox.manage_watches", watch):
        raise Http404
    return watch


class WatchDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=WatchSerializer, summary="A watch and its last poll (editors)")
    def get(self, request: Request, pk: int) -> Response:
        return Response(WatchSerializer(_watch(request, pk)).data)

    @extend_schema(
        request=WatchUpdateSerializer,
        responses=WatchSerializer,
        summary="Change a watch, or switch it on or off (editors)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        watch = _watch(request, pk)
        values = validated(WatchUpdateSerializer, request)
        services.save_watch(
            watch.publication,
            by=request.user,
            watch=watch,
            name=values.get("name", watch.name),
            categories=values.get("categories", watch.categories),
            query=values.get("query", watch.query),
            is_active=values.get("active", watch.is_active),
        )
        return Response(WatchSerializer(watch).data)

    @extend_schema(
        responses={204: OpenApiResponse(description="Removed.")},
        summary="Remove a watch; its candidates stay (editors)",
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_watch(_watch(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PublicationInboxSettingsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=InboxSettingsSerializer, summary="A publication's inbox settings (editors)"
    )
    def get(self, request: Request, slug: str) -> Response:
        publication = _managed_publication(request, slug)
        # Read without writing: the defaults, unsaved, until an editor changes them.
        found = InboxSettings.objects.filter(publication=publication).first()
        return Response(
            InboxSettingsSerializer(found or InboxSettings(publication=publication)).data
        )

    @extend_schema(
        request=InboxSettingsWriteSerializer,
        responses=InboxSettingsSerializer,
        summary="Change a publication's inbox settings (editors)",
        description="Only the fields given change.",
    )
    def patch(self, request: Request, slug: str) -> Response:
        publication = _managed_publication(request, slug)
        values = validated(InboxSettingsWriteSerializer, request)
        found = services.update_inbox_settings(publication, by=request.user, **values)
        return Response(InboxSettingsSerializer(found).data)
