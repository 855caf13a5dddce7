"""API views of recommendations, reviews and a recommended paper's metadata: thin. Each finds what
the caller may see (404 otherwise), calls one service, and answers with the serializer of the
result. The services check the capabilities and the states; their refusals become the API's
errors in ``common.api``."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.limits import SubmissionThrottle
from common.api.serializers import validated
from common.exceptions import NotAllowed
from papers import selectors as paper_selectors
from papers.api.serializers import PaperMetadataSerializer, PaperSerializer
from publications import selectors as publication_selectors
from publications.permissions import can, refusal
from recommendations import services
from recommendations.api.filters import RecommendationFilter
from recommendations.api.serializers import (
    EntryRevisionSerializer,
    NoteSerializer,
    PaperMergeRequestSerializer,
    PaperMergeSerializer,
    RecommendationCreateSerializer,
    RecommendationEditSerializer,
    RecommendationSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
)
from recommendations.models import Recommendation
from recommendations.places import with_places
from recommendations.selectors import review_queue, visible_recommendations, with_paper_details


def _paper(pk: int) -> Any:
    return get_object_or_404(paper_selectors.papers_with_details(), pk=pk)


class PaperRefetchView(APIView):
    @extend_schema(
        request=None,
        responses={202: PaperSerializer},
        summary="Have the paper's metadata fetched again (editors)",
        description=(
            "Editors of a publication where the paper is recommended. A hand entry is fetched "
            "again too; a kept hand entry, or a paper no source can be asked about, is refused "
            "with 409."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        paper = services.refetch_paper_metadata(_paper(pk), by=request.user)
        return Response(
            PaperSerializer(paper, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class PaperMetadataView(APIView):
    @extend_schema(
        request=PaperMetadataSerializer,
        responses=PaperSerializer,
        summary="Fill in a paper's metadata by hand",
        description=(
            "Once the paper's fetch ended failed or not_found, or when no source can be asked "
            "(409 before that, and over a source's metadata): a member whose recommendation of "
            "the paper stands, or an editor of a publication where it is recommended, who may "
            "also correct a hand entry and keep it over the source's. Never a paper that another "
            "publication has in an issue. A later fetch from the source replaces the entry "
            "unless it is kept."
        ),
    )
    def put(self, request: Request, pk: int) -> Response:
        paper = _paper(pk)
        values = validated(PaperMetadataSerializer, request)
        services.enter_paper_metadata(paper, by=request.user, **values)
        return Response(PaperSerializer(_paper(pk), context={"request": request}).data)


class PaperMergeView(APIView):
    @extend_schema(
        request=PaperMergeRequestSerializer,
        responses={201: PaperMergeSerializer},
        summary="Merge a duplicate row into this paper (editors)",
        description=(
            "Editors of a publication where both papers are recommended, and neither is in "
            "another publication's issue (403 otherwise). Every recommendation, issue entry, "
            "hand entry and earlier merge of the duplicate follows; the paper takes the "
            "identifiers and metadata it lacks; the duplicate is removed and the merge recorded "
            "with the removed row whole. 400 for a paper and itself (same_paper), and for two "
            "papers one published issue shows both (same_published_issue) unless "
            "keep_published_entries."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        paper = _paper(pk)
        values = validated(PaperMergeRequestSerializer, request)
        merge = services.merge_papers(paper, values.pop("other"), by=request.user, **values)
        return Response(
            PaperMergeSerializer(merge, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


# --- recommendations ----------------------------------------------------------------------------


def _recommendation(request: Request, pk: int) -> Recommendation:
    found = with_paper_details(visible_recommendations(request.user))
    recommendation = found.filter(pk=pk).first()
    if recommendation is None:
        raise Http404
    return recommendation


def _recommendation_response(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    recommendation = _recommendation(request, pk)
    return Response(
        RecommendationSerializer(recommendation, context={"request": request}).data, status=code
    )


class RecommendationListView(generics.ListAPIView):
    """Recommendations the caller may see: the published ones, one's own, and everything of
    the publications one reviews. ``?mine=true`` keeps one's own."""

    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilter
    throttle_classes = [*generics.ListAPIView.throttle_classes, SubmissionThrottle]

    def get_queryset(self):
        visible = visible_recommendations(self.request.user)
        return with_paper_details(visible).order_by("-created_at", "-id")

    def paginate_queryset(self, queryset: Any) -> Any:
        # Where each of the page is, and who is credited with it, read for the page at once.
        page = super().paginate_queryset(queryset)
        return with_places(page) if page is not None else page

    @extend_schema(summary="Recommendations you may see")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=RecommendationCreateSerializer,
        responses={201: RecommendationSerializer},
        summary="Recommend a paper or a news item",
        description=(
            "The paper is found or added to the catalogue, and its metadata is fetched by a "
            "worker (paper_metadata_status tells where that stands). Submitted for review "
            "unless draft is true."
        ),
    )
    def post(self, request: Request) -> Response:
        values = validated(RecommendationCreateSerializer, request)
        recommendation = services.create_recommendation(by=request.user, **values)
        return _recommendation_response(request, recommendation.pk, status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="The review queue (reviewers and editors)",
        parameters=[
            OpenApiParameter("publication", str, description="A publication's slug."),
        ],
    )
)
class ReviewQueueView(generics.ListAPIView):
    """Submitted recommendations waiting for the caller's review, oldest first."""

    serializer_class = RecommendationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Recommendation.objects.none()
        user = self.request.user
        publication = None
        slug = self.request.query_params.get("publication")
        if slug and "\x00" in slug:  # as the list filters say; PostgreSQL would refuse it
            raise exceptions.ValidationError({"publication": ["Null characters are not allowed."]})
        if slug:
            publication = get_object_or_404(publication_selectors.publications(), slug=slug[:80])
            if not can(user, "recommendations.view_review_queue", publication):
                raise NotAllowed(refusal("recommendations.view_review_queue"))
        elif publication_selectors.reviewed_publication_ids(user) == []:
            raise NotAllowed(refusal("recommendations.view_review_queue"))
        return with_paper_details(review_queue(user, publication=publication))

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        return with_places(page) if page is not None else page


class RecommendationDetailView(APIView):
    @extend_schema(responses=RecommendationSerializer, summary="A recommendation")
    def get(self, request: Request, pk: int) -> Response:
        return _recommendation_response(request, pk)

    @extend_schema(
        request=RecommendationEditSerializer,
        responses=RecommendationSerializer,
        summary="Edit your recommendation while it is not yet accepted",
    )
    def patch(self, request: Request, pk: int) -> Response:
        recommendation = _recommendation(request, pk)
        changes = validated(RecommendationEditSerializer, request, partial=True)
        services.edit_recommendation(recommendation, by=request.user, **changes)
        return _recommendation_response(request, pk)


class RecommendationEntryView(APIView):
    @extend_schema(
        request=EntryRevisionSerializer,
        responses=RecommendationSerializer,
        summary="Edit what the entry will show, before it is published (the publication's team)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        recommendation = _recommendation(request, pk)
        changes = validated(EntryRevisionSerializer, request, partial=True)
        services.revise_recommendation(recommendation, by=request.user, **changes)
        return _recommendation_response(request, pk)


def _action_view(action: str, summary: str) -> type[APIView]:
    service = getattr(services, f"{action}_recommendation")

    class ActionView(APIView):
        @extend_schema(
            request=NoteSerializer,
            responses=RecommendationSerializer,
            summary=summary,
            operation_id=f"recommendations_{action}",
        )
        def post(self, request: Request, pk: int) -> Response:
            recommendation = _recommendation(request, pk)
            note = validated(NoteSerializer, request)["note"]
            service(recommendation, by=request.user, note=note)
            return _recommendation_response(request, pk)

    ActionView.__name__ = ActionView.__qualname__ = f"Recommendation{action.title()}View"
    return ActionView


RecommendationSubmitView = _action_view("submit", "Submit your draft for review")
RecommendationWithdrawView = _action_view("withdraw", "Withdraw your recommendation")
RecommendationAcceptView = _action_view("accept", "Accept without waiting for reviews (editors)")


class RecommendationReviewListView(APIView):
    throttle_classes = [*APIView.throttle_classes, SubmissionThrottle]

    @extend_schema(
        responses=ReviewSerializer(many=True),
        summary="The reviews of a recommendation (its submitter and the team)",
    )
    def get(self, request: Request, pk: int) -> Response:
        recommendation = _recommendation(request, pk)
        if not can(request.user, "recommendations.view_reviews", recommendation):
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            raise NotAllowed(refusal("recommendations.view_reviews"))
        reviews = recommendation.reviews.select_related("reviewer")
        return Response(ReviewSerializer(reviews, many=True).data)

    @extend_schema(
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer},
        summary="Review a submitted recommendation (reviewers and editors)",
        description=(
            "approve accepts it once the publication's required approvals of the current "
            "review_round are in; request_changes sends it back to the submitter; reject "
            "rejects it. The last two need a comment. Pass the review_round you read: a review "
            "of a version edited since is refused (409)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        recommendation = _recommendation(request, pk)
        values = validated(ReviewCreateSerializer, request)
        review = services.review_recommendation(recommendation, by=request.user, **values)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
