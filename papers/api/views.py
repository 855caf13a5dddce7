"""API views of the paper catalogue: thin; each calls one selector or service. The paper list,
which filters by where papers were published, is the editorial app's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions

from papers import selectors
from papers.api.serializers import PaperSerializer


@extend_schema_view(get=extend_schema(summary="A paper"))
class PaperDetailView(generics.RetrieveAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = PaperSerializer

    def get_queryset(self):
        return selectors.papers_with_details()
