"""API input and output of members: validation only; the services decide and write."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import serializers

from common.api.fields import FIELD_MAPPING, absolute
from contributors.services import PROFILE_FIELDS

User = get_user_model()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send it as the header "Authorization: Token <token>".')


class ContributorSerializer(serializers.ModelSerializer):
    """A member's public profile."""

    serializer_field_mapping = FIELD_MAPPING

    name = serializers.CharField(source="public_name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = (
            "username",
            "name",
            "display_name",
            "affiliation",
            "bio",
            "homepage_url",
            "github_username",
            "orcid",
            "date_joined",
            "url",
        )
        read_only_fields = fields

    def get_url(self, user: User) -> str:
        path = reverse("api:contributor-detail", kwargs={"username": user.username})
        return absolute(self.context, path)


class ContributorRefSerializer(serializers.Serializer):
    """Who contributed something: enough to name and link them."""

    username = serializers.CharField()
    name = serializers.CharField(source="public_name")


class ProfileSerializer(serializers.ModelSerializer):
    """The signed-in member's own profile, editable."""

    serializer_field_mapping = FIELD_MAPPING
    # A string, not ``format: email``: Django accepts international domain names in addresses
    # (a@例子.测试), which the OpenAPI email format refuses.
    email = serializers.CharField(read_only=True, label="Email address")

    class Meta:
        model = User
        fields = ("username", "email", *PROFILE_FIELDS)
        read_only_fields = ("username", "email")
