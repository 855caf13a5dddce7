"""API views of the editorial work: thin. Each finds what the caller may see (404 otherwise),
calls one service, and answers with the serializer of the result. The services check the
capabilities and the states; their refusals become the API's errors in ``common.api``."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.limits import PaperPagination, SubmissionThrottle
from common.exceptions import InvalidInput, NotAllowed
from issues import caching, selectors, services
from issues.api.filters import PaperFilter, RecommendationFilter
from issues.api.serializers import (
    CorrectionSerializer,
    CorrectionWriteSerializer,
    EntryAddSerializer,
    EntryOrderSerializer,
    EntrySerializer,
    IssueSerializer,
    IssueSummarySerializer,
    IssueWriteSerializer,
    NoteSerializer,
    PublicationSerializer,
    PublishSerializer,
    RecommendationCreateSerializer,
    RecommendationEditSerializer,
    RecommendationSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
)
from issues.models import Issue, IssueEntry, Publication, Recommendation
from issues.permissions import can, refusal, require
from papers import selectors as paper_selectors
from papers.api.serializers import PaperMetadataSerializer, PaperSerializer
from papers.models import Paper


def _valid(serializer_class: type, request: Request, **kwargs: Any) -> dict[str, Any]:
    given = serializer_class(data=request.data, **kwargs)
    given.is_valid(raise_exception=True)
    return given.validated_data


# --- publications -------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(summary="The publications"))
class PublicationListView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = PublicationSerializer

    def get_queryset(self):
        return selectors.publications()


@extend_schema_view(get=extend_schema(summary="A publication, with its feeds"))
class PublicationDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = PublicationSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.publications()


# --- issues -------------------------------------------------------------------------------------


def _issue_response(request: Request, issue: Issue, code: int = status.HTTP_200_OK) -> Response:
    contents = selectors.issue_contents(issue)
    context = {
        "request": request,
        "contents": contents,
        "contributors": selectors.issue_contributors(contents),
    }
    return Response(IssueSerializer(issue, context=context).data, status=code)


def _issue(request: Request, pk: int) -> Issue:
    issue = selectors.visible_issue(request.user, pk)
    if issue is None:
        raise Http404
    return issue


class PublicationIssueListView(generics.ListAPIView):
    """The issues of a publication: the published ones, and for its editors the others too."""

    serializer_class = IssueSummarySerializer

    def get_publication(self) -> Publication:
        return get_object_or_404(selectors.publications(), slug=self.kwargs["slug"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Issue.objects.none()
        issues = selectors.issues_for_editor(self.request.user, self.get_publication())
        return issues.order_by("-published_at", "-created_at", "-id")

    @extend_schema(summary="A publication's issues (drafts too, for its editors)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=IssueWriteSerializer,
        responses={201: IssueSerializer},
        summary="Start a draft issue (editors)",
    )
    def post(self, request: Request, slug: str) -> Response:
        values = _valid(IssueWriteSerializer, request)
        issue = services.create_issue(self.get_publication(), by=request.user, **values)
        return _issue_response(request, issue, status.HTTP_201_CREATED)


class PublishedIssueView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=IssueSerializer, summary="A published issue, by its number")
    def get(self, request: Request, slug: str, number: int) -> HttpResponseBase:
        def render() -> HttpResponseBase:
            issue = selectors.published_issue(slug, number)
            if issue is None:
                raise Http404
            return _issue_response(request, issue)

        if request.accepted_renderer.format != "json":
            # The browsable API's page names the member and holds a CSRF token: never cached.
            return render()

        def rendered() -> HttpResponseBase:
            return self.finalize_response(request, render()).render()

        # Throttles and authentication have run (``initial``); the JSON is the same for all.
        return caching.cached_document(request, rendered)


class IssueDetailView(APIView):
    @extend_schema(responses=IssueSerializer, summary="An issue, by its id")
    def get(self, request: Request, pk: int) -> Response:
        return _issue_response(request, _issue(request, pk))

    @extend_schema(
        request=IssueWriteSerializer,
        responses=IssueSerializer,
        summary="Change an unpublished issue's title, intros or credit line (editors)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        issue = _issue(request, pk)
        values = _valid(IssueWriteSerializer, request)
        return _issue_response(request, services.update_issue(issue, by=request.user, **values))


class IssueAssembleView(APIView):
    @extend_schema(
        request=None,
        responses=IssueSerializer,
        summary="Fill the issue with the accepted recommendations (editors)",
        description=(
            "Adds every accepted recommendation not yet in an issue, grouped by topic, news "
            "last, and drafts the title, intros and credit line where they are empty."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        issue = _issue(request, pk)
        services.assemble_issue(issue, by=request.user)
        return _issue_response(request, issue)


class IssuePublishView(APIView):
    @extend_schema(
        request=PublishSerializer,
        responses=IssueSerializer,
        summary="Publish the issue now, or at publish_at (editors)",
    )
    def post(self, request: Request, pk: int) -> Response:
        issue = _issue(request, pk)
        publish_at = _valid(PublishSerializer, request).get("publish_at")
        if publish_at is None:
            issue = services.publish_issue(issue, by=request.user)
        else:
            issue = services.schedule_issue(issue, by=request.user, publish_at=publish_at)
        return _issue_response(request, issue)


class IssueUnscheduleView(APIView):
    @extend_schema(
        request=None, responses=IssueSerializer, summary="Turn a scheduled issue back into a draft"
    )
    def post(self, request: Request, pk: int) -> Response:
        issue = services.unschedule_issue(_issue(request, pk), by=request.user)
        return _issue_response(request, issue)


def _entries_response(request: Request, issue: Issue, code: int = status.HTTP_200_OK) -> Response:
    contents = selectors.issue_contents(issue)
    return Response(
        EntrySerializer(contents, many=True, context={"request": request}).data, status=code
    )


class IssueEntryListView(APIView):
    @extend_schema(responses=EntrySerializer(many=True), summary="The issue's entries, in order")
    def get(self, request: Request, pk: int) -> Response:
        return _entries_response(request, _issue(request, pk))

    @extend_schema(
        request=EntryAddSerializer,
        responses={201: EntrySerializer(many=True)},
        summary="Add an accepted recommendation to the issue (editors)",
    )
    def post(self, request: Request, pk: int) -> Response:
        issue = _issue(request, pk)
        wanted = _valid(EntryAddSerializer, request)["recommendation"]
        recommendation = selectors.visible_recommendations(request.user).filter(pk=wanted).first()
        if recommendation is None:
            require(request.user, "issues.schedule_recommendation", issue)
            raise InvalidInput("No recommendation you may see has this id.", field="recommendation")
        services.schedule_recommendation(recommendation, issue=issue, by=request.user)
        return _entries_response(request, issue, status.HTTP_201_CREATED)

    @extend_schema(
        request=EntryOrderSerializer,
        responses=EntrySerializer(many=True),
        summary="Reorder the issue's entries (editors)",
    )
    def put(self, request: Request, pk: int) -> Response:
        issue = _issue(request, pk)
        order = _valid(EntryOrderSerializer, request)["order"]
        services.reorder_issue_entries(issue, by=request.user, entry_ids=order)
        return _entries_response(request, issue)


class IssueEntryDetailView(APIView):
    @extend_schema(
        request=None,
        responses={204: None},
        summary="Take an entry out of an unpublished issue (editors)",
        description="Its recommendation is accepted again and waits for a later issue.",
    )
    def delete(self, request: Request, pk: int, entry_id: int) -> Response:
        issue = _issue(request, pk)
        entry = IssueEntry.objects.filter(issue=issue, pk=entry_id).select_related(
            "issue", "recommendation"
        )
        found = entry.first()
        if found is None:
            raise Http404
        services.unschedule_recommendation(found, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IssueCorrectionListView(APIView):
    @extend_schema(
        responses=CorrectionSerializer(many=True), summary="The errata of a published issue"
    )
    def get(self, request: Request, pk: int) -> Response:
        issue = _issue(request, pk)
        return Response(CorrectionSerializer(issue.corrections.all(), many=True).data)

    @extend_schema(
        request=CorrectionWriteSerializer,
        responses={201: CorrectionSerializer},
        summary="Correct a published issue, with an erratum for readers (editors)",
    )
    def post(self, request: Request, pk: int) -> Response:
        issue = _issue(request, pk)
        given = _valid(CorrectionWriteSerializer, request)
        correction = services.correct_issue(
            issue,
            by=request.user,
            note=given["note"],
            fields=given.get("issue"),
            entries=given.get("entries"),
        )
        return Response(CorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)


# --- the catalogue, for editors and submitters -------------------------------------------------


def _paper(pk: int) -> Any:
    return get_object_or_404(paper_selectors.papers_with_details(), pk=pk)


@extend_schema_view(get=extend_schema(summary="Search and filter the paper catalogue"))
class PaperListView(generics.ListAPIView):
    # Here, not in the catalogue, since it filters by where papers were published. (No
    # docstring: it would be the operation's description in the schema.)
    permission_classes = [permissions.AllowAny]
    serializer_class = PaperSerializer
    filterset_class = PaperFilter
    pagination_class = PaperPagination

    def get_queryset(self):
        return Paper.objects.order_by("-created_at", "-id")

    def paginate_queryset(self, queryset):
        # The page's names in two queries of names (papers.selectors.with_names).
        return paper_selectors.with_names(list(super().paginate_queryset(queryset)))


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
        values = _valid(PaperMetadataSerializer, request)
        services.enter_paper_metadata(paper, by=request.user, **values)
        return Response(PaperSerializer(_paper(pk), context={"request": request}).data)


# --- recommendations ----------------------------------------------------------------------------


def _recommendation(request: Request, pk: int) -> Recommendation:
    found = selectors.with_paper_details(selectors.visible_recommendations(request.user))
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
        visible = selectors.visible_recommendations(self.request.user)
        return selectors.with_paper_details(visible).order_by("-created_at", "-id")

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
        values = _valid(RecommendationCreateSerializer, request)
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
            publication = get_object_or_404(selectors.publications(), slug=slug[:80])
            if not can(user, "issues.view_review_queue", publication):
                raise NotAllowed(refusal("issues.view_review_queue"))
        elif selectors.reviewed_publication_ids(user) == []:
            raise NotAllowed(refusal("issues.view_review_queue"))
        return selectors.with_paper_details(selectors.review_queue(user, publication=publication))


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
        changes = _valid(RecommendationEditSerializer, request, partial=True)
        services.edit_recommendation(recommendation, by=request.user, **changes)
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
            note = _valid(NoteSerializer, request)["note"]
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
        if not can(request.user, "issues.view_reviews", recommendation):
            if not request.user.is_authenticated:
                raise exceptions.NotAuthenticated()
            raise NotAllowed(refusal("issues.view_reviews"))
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
        values = _valid(ReviewCreateSerializer, request)
        review = services.review_recommendation(recommendation, by=request.user, **values)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
