"""API views of publications and issues, and the paper list: thin. Each finds what the caller may
see (404 otherwise), calls one service, and answers with the serializer of the result. The
services check the capabilities and the states; their refusals become the API's errors in
``common.api``."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.limits import PaperPagination
from common.api.serializers import validated
from common.exceptions import InvalidInput
from issues import caching, services
from issues.api.filters import PaperFilter
from issues.api.serializers import (
    CorrectionSerializer,
    CorrectionWriteSerializer,
    EntryAddSerializer,
    EntryOrderSerializer,
    EntrySerializer,
    IssueSerializer,
    IssueSummarySerializer,
    IssueWriteSerializer,
    LeadItemsSerializer,
    PublicationSerializer,
    PublishSerializer,
)
from issues.models import Issue, IssueEntry
from issues.selectors import (
    issue_contents,
    issue_contributors,
    issues_for_editor,
    published_issue,
    visible_issue,
)
from papers import selectors as paper_selectors
from papers.api.serializers import UNLISTED_FIELDS, PaperSerializer
from papers.models import Paper
from publications import selectors as publication_selectors
from publications.models import Publication
from publications.permissions import require
from recommendations.selectors import visible_recommendations

# --- publications -------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(summary="The publications"))
class PublicationListView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = PublicationSerializer

    def get_queryset(self):
        return publication_selectors.publications()


@extend_schema_view(get=extend_schema(summary="A publication, with its feeds"))
class PublicationDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = PublicationSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return publication_selectors.publications()


# --- issues -------------------------------------------------------------------------------------


def _issue_response(request: Request, issue: Issue, code: int = status.HTTP_200_OK) -> Response:
    contents = issue_contents(issue)
    context = {
        "request": request,
        "contents": contents,
        "contributors": issue_contributors(contents),
    }
    return Response(IssueSerializer(issue, context=context).data, status=code)


def _issue(request: Request, pk: int) -> Issue:
    issue = visible_issue(request.user, pk)
    if issue is None:
        raise Http404
    return issue


class PublicationIssueListView(generics.ListAPIView):
    """The issues of a publication: the published ones, and for its editors the others too."""

    serializer_class = IssueSummarySerializer

    def get_publication(self) -> Publication:
        return get_object_or_404(publication_selectors.publications(), slug=self.kwargs["slug"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Issue.objects.none()
        issues = issues_for_editor(self.request.user, self.get_publication())
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
        values = validated(IssueWriteSerializer, request)
        issue = services.create_issue(self.get_publication(), by=request.user, **values)
        return _issue_response(request, issue, status.HTTP_201_CREATED)


class PublishedIssueView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=IssueSerializer, summary="A published issue, by its number")
    def get(self, request: Request, slug: str, number: int) -> HttpResponseBase:
        def render() -> HttpResponseBase:
            issue = published_issue(slug, number)
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
        values = validated(IssueWriteSerializer, request)
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
        publish_at = validated(PublishSerializer, request).get("publish_at")
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
    contents = issue_contents(issue)
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
        wanted = validated(EntryAddSerializer, request)["recommendation"]
        recommendation = visible_recommendations(request.user).filter(pk=wanted).first()
        if recommendation is None:
            require(request.user, "recommendations.schedule_recommendation", issue)
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
        order = validated(EntryOrderSerializer, request)["order"]
        services.reorder_issue_entries(issue, by=request.user, entry_ids=order)
        return _entries_response(request, issue)


class IssueLeadsView(APIView):
    @extend_schema(
        request=LeadItemsSerializer,
        responses=EntrySerializer(many=True),
        summary="Choose the lead items the headline names (editors)",
    )
    def put(self, request: Request, pk: int) -> Response:
        issue = _issue(request, pk)
        entries = validated(LeadItemsSerializer, request)["entries"]
        services.choose_lead_items(issue, by=request.user, entry_ids=entries)
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
        given = validated(CorrectionWriteSerializer, request)
        correction = services.correct_issue(
            issue,
            by=request.user,
            note=given["note"],
            fields=given.get("issue"),
            entries=given.get("entries"),
        )
        return Response(CorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)


# --- the catalogue, for editors and submitters -------------------------------------------------


@extend_schema_view(get=extend_schema(summary="Search and filter the paper catalogue"))
class PaperListView(generics.ListAPIView):
    # Here, not in the catalogue, since it filters by where papers were published. (No
    # docstring: it would be the operation's description in the schema.)
    permission_classes = [permissions.AllowAny]
    serializer_class = PaperSerializer
    filterset_class = PaperFilter
    pagination_class = PaperPagination

    def get_queryset(self):
        # Without the columns the list does not show (enrichment's bookkeeping, the row's own
        # times): fewer values read and converted, some 0.5 ms of a page of 50.
        return Paper.objects.defer(*UNLISTED_FIELDS).order_by("-created_at", "-id")

    def paginate_queryset(self, queryset):
        # The page's names in one query of names (papers.selectors.with_names).
        return paper_selectors.with_names(list(super().paginate_queryset(queryset)))
