"""API input and output of webhook endpoints and their delivery log: validation only."""

from __future__ import annotations

from rest_framework import serializers

from webhooks.enums import EventType
from webhooks.models import Attempt, Endpoint


class EndpointSerializer(serializers.ModelSerializer):
    publication = serializers.SlugField(source="publication.slug", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)
    secret_hint = serializers.CharField(
        read_only=True, help_text="The secret's first characters; the secret itself is shown once."
    )

    class Meta:
        model = Endpoint
        fields = (
            "id",
            "publication",
            "url",
            "description",
            "events",
            "active",
            "consecutive_failures",
            "disabled_at",
            "secret_hint",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class EndpointCreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (Weekly-Signature): in this answer only, never again.",
    )

    class Meta(EndpointSerializer.Meta):
        fields = (*EndpointSerializer.Meta.fields, "secret")
        read_only_fields = fields


class EndpointWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), allow_empty=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class EndpointUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), allow_empty=False, required=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(
        required=False, help_text="true switches a disabled endpoint on again."
    )


class AttemptSerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="delivery.event_id", read_only=True)
    event_type = serializers.CharField(source="delivery.event.type", read_only=True)
    delivery_status = serializers.CharField(source="delivery.status", read_only=True)

    class Meta:
        model = Attempt
        fields = (
            "id",
            "event_id",
            "event_type",
            "delivery_status",
            "number",
            "started_at",
            "status_code",
            "duration_ms",
            "error",
            "response_body",
            "retry_in",
        )
        read_only_fields = fields
