"""The publication's style and uploads in the API. Values are checked by the service, which
names the field and the reason, as the settings page does."""

from __future__ import annotations

import base64
import binascii

from rest_framework import serializers

from publications.models import PublicationStyle, PublicationUpload, Topic
from publications.services import STYLE_FIELDS
from publications.uploads import upload_url


class PublicationStyleSerializer(serializers.ModelSerializer):
    #: None until the editors first save a style (the defaults are shown).
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = PublicationStyle
        fields = (*STYLE_FIELDS, "updated_at")
        read_only_fields = ("updated_at",)
        extra_kwargs = {
            "authors_more": {"trim_whitespace": False},
            "last_joiner_zh": {"trim_whitespace": False},
        }


class PublicationUploadSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = PublicationUpload
        fields = ("id", "name", "content_type", "size", "width", "height", "url", "created_at")
        read_only_fields = fields

    def get_url(self, upload: PublicationUpload) -> str:
        return upload_url(upload)


class PublicationUploadRequestSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    data = serializers.CharField(help_text="The image's bytes in base64: PNG, JPEG or GIF.")

    def validate_data(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Give the image's bytes in base64.") from None


class TopicSerializer(serializers.ModelSerializer):
    publication = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Topic
        fields = ("id", "publication", "slug", "name_en", "name_zh", "description", "position")
        read_only_fields = ("id", "publication")


class TopicWriteSerializer(serializers.Serializer):
    """A topic's fields as its editors give them; the service checks them (the slug unique in the
    publication, the position in range) and names the field it refuses."""

    slug = serializers.CharField(max_length=80, help_text="Letters, digits, - and _.")
    name_en = serializers.CharField(max_length=100)
    name_zh = serializers.CharField(max_length=100, required=False, allow_blank=True)
    description = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, trim_whitespace=False
    )
    position = serializers.IntegerField(
        required=False,
        help_text="Topics are listed in this order, lowest first; a new topic without one comes "
        "last.",
    )
