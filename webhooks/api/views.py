"""API views of webhook endpoints: thin. A publication's list answers its editors (403 for the
others); one endpoint and its log answer those who may manage it (404 for the others, who need
not learn it exists). The services check the capability again and validate."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.serializers import validated
from publications import selectors as publication_selectors
from publications.permissions import require
from webhooks import selectors, services
from webhooks.api.serializers import (
    AttemptSerializer,
    EndpointCreatedSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    EndpointWriteSerializer,
)
from webhooks.models import Attempt, Endpoint

CAPABILITY = "webhooks.manage_webhooks"


def _endpoint(request: Request, pk: int) -> Endpoint:
    endpoint = selectors.endpoint_for(request.user, pk)
    if endpoint is None:
        raise Http404
    return endpoint


class PublicationWebhookListView(APIView):
    # Only a member can be an editor: an anonymous caller is asked to sign in (401), as for the
    # review queue.
    permission_classes = [permissions.IsAuthenticated]

    def _publication(self, request: Request, slug: str) -> Any:
        publication = get_object_or_404(publication_selectors.publications(), slug=slug)
        require(request.user, CAPABILITY, publication)
        return publication

    @extend_schema(
        responses=EndpointSerializer(many=True),
        summary="A publication's webhook endpoints (editors)",
    )
    def get(self, request: Request, slug: str) -> Response:
        publication = self._publication(request, slug)
        endpoints = selectors.endpoints_of(publication).select_related("publication")
        return Response(EndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        request=EndpointWriteSerializer,
        responses={201: EndpointCreatedSerializer},
        summary="Register a webhook endpoint (editors)",
        description=(
            "An https:// address on the public Internet. The answer holds the endpoint's "
            "signing secret, shown this once."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        publication = self._publication(request, slug)
        values = validated(EndpointWriteSerializer, request)
        endpoint = services.create_endpoint(publication, by=request.user, **values)
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    @extend_schema(responses=EndpointSerializer, summary="A webhook endpoint (editors)")
    def get(self, request: Request, pk: int) -> Response:
        return Response(EndpointSerializer(_endpoint(request, pk)).data)

    @extend_schema(
        request=EndpointUpdateSerializer,
        responses=EndpointSerializer,
        summary="Change a webhook endpoint, or switch it on or off (editors)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(request, pk)
        values = validated(EndpointUpdateSerializer, request)
        services.update_endpoint(endpoint, by=request.user, **values)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(responses={204: None}, summary="Remove a webhook endpoint (editors)")
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_endpoint(_endpoint(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListView(generics.ListAPIView):
    """The endpoint's delivery log: every call, newest first."""

    serializer_class = AttemptSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generator, with no request
            return Attempt.objects.none()
        return selectors.delivery_log(_endpoint(self.request, self.kwargs["pk"]))

    @extend_schema(summary="A webhook endpoint's delivery log (editors)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
