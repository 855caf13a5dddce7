"""API views of the paper catalogue: thin; each calls one selector or service."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions

from common.api.limits import PaperPagination
from papers import selectors
from papers.api.filters import PaperFilter
from papers.api.serializers import PaperSerializer, TopicSerializer
from papers.models import Paper


@extend_schema_view(get=extend_schema(summary="Search and filter the paper catalogue"))
class PaperListView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = PaperSerializer
    filterset_class = PaperFilter
    pagination_class = PaperPagination

    def get_queryset(self):
        return Paper.objects.order_by("-created_at", "-id")

    def paginate_queryset(self, queryset):
        # The page's names in two queries of names (selectors.with_names).
        return selectors.with_names(list(super().paginate_queryset(queryset)))


@extend_schema_view(get=extend_schema(summary="A paper"))
class PaperDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = PaperSerializer

    def get_queryset(self):
        return selectors.papers_with_details()


@extend_schema_view(get=extend_schema(summary="The topics, in their order"))
class TopicListView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = TopicSerializer
    queryset = selectors.topics()
