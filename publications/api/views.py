"""A publication's style and uploads, which its editors read and change; its topics, which
everyone reads and its editors manage."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.serializers import validated
from publications import selectors, services
from publications.api.filters import TopicFilter
from publications.api.serializers import (
    PublicationStyleSerializer,
    PublicationUploadRequestSerializer,
    PublicationUploadSerializer,
    TopicSerializer,
    TopicWriteSerializer,
)
from publications.models import Publication, Topic
from publications.permissions import require


def _publication(
    request: Request, slug: str, capability: str = "publications.edit_style"
) -> Publication:
    """The publication of the address, refused (before its input is read) to who does not
    hold ``capability`` on it."""
    publication = get_object_or_404(selectors.publications(), slug=slug)
    require(request.user, capability, publication)
    return publication


class PublicationStyleView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=PublicationStyleSerializer, summary="A publication's style (its editors)"
    )
    def get(self, request: Request, slug: str) -> Response:
        publication = _publication(request, slug)
        return Response(PublicationStyleSerializer(selectors.style_of(publication)).data)

    @extend_schema(
        request=PublicationStyleSerializer,
        responses=PublicationStyleSerializer,
        summary="Change a publication's style (its editors)",
        description="Any of its fields; an unknown placeholder, source or section is refused "
        "with the field named, and nothing is stored.",
    )
    def patch(self, request: Request, slug: str) -> Response:
        publication = _publication(request, slug)
        fields = validated(PublicationStyleSerializer, request, partial=True)
        row = services.set_publication_style(publication, by=request.user, **fields)
        return Response(PublicationStyleSerializer(row).data)


class PublicationUploadListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=PublicationUploadSerializer(many=True),
        summary="A publication's uploaded images (its editors)",
    )
    def get(self, request: Request, slug: str) -> Response:
        publication = _publication(request, slug)
        uploads = selectors.uploads_of(publication)
        return Response(PublicationUploadSerializer(uploads, many=True).data)

    @extend_schema(
        request=PublicationUploadRequestSerializer,
        responses={201: PublicationUploadSerializer},
        summary="Upload an image: PNG, JPEG or GIF, in base64 (its editors)",
        description="At most PUBLICATION_UPLOAD_MAX_BYTES (512 KB) and 4096 pixels a side; the "
        "type is read from the bytes. The answer's url is where the site serves it.",
    )
    def post(self, request: Request, slug: str) -> Response:
        publication = _publication(request, slug)
        given = validated(PublicationUploadRequestSerializer, request)
        upload = services.upload_publication_image(
            publication, by=request.user, data=given["data"], name=given.get("name", "")
        )
        return Response(PublicationUploadSerializer(upload).data, status=status.HTTP_201_CREATED)


class PublicationUploadDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={204: None},
        summary="Remove an uploaded image and its file (its editors)",
        description="Texts that show the image lose it; the removal is recorded.",
    )
    def delete(self, request: Request, slug: str, pk: int) -> Response:
        publication = _publication(request, slug)
        upload = get_object_or_404(selectors.uploads_of(publication), pk=pk)
        services.delete_publication_image(upload, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="The topics of every publication, or of one, in their order")
)
class TopicListView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = TopicSerializer
    filterset_class = TopicFilter

    def get_queryset(self):
        return selectors.topics()


class PublicationTopicCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=TopicWriteSerializer,
        responses={201: TopicSerializer},
        summary="Add a topic to a publication (its editors)",
        description="The slug is unique within the publication; without a position, the topic "
        "comes last.",
    )
    def post(self, request: Request, slug: str) -> Response:
        publication = _publication(request, slug, "publications.manage_topics")
        values = validated(TopicWriteSerializer, request)
        topic = services.create_topic(publication, by=request.user, **values)
        return Response(TopicSerializer(topic).data, status=status.HTTP_201_CREATED)


class TopicDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _topic(self, request: Request, pk: int) -> Topic:
        topic = get_object_or_404(selectors.topics(), pk=pk)
        require(request.user, "publications.manage_topics", topic.publication)
        return topic

    @extend_schema(
        request=TopicWriteSerializer(partial=True),
        responses=TopicSerializer,
        summary="Change a topic, or its position (its publication's editors)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        topic = self._topic(request, pk)
        values = validated(TopicWriteSerializer, request, partial=True)
        topic = services.update_topic(topic, by=request.user, **values)
        return Response(TopicSerializer(topic).data)

    @extend_schema(
        responses={204: None},
        summary="Delete a topic no recommendation uses (its publication's editors)",
        description="Refused (409) while recommendations are filed under it, with their number.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_topic(self._topic(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
