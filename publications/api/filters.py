"""Filters of the topic list: validation of the query string only."""

from __future__ import annotations

from django_filters import rest_framework as filters

from publications.models import Topic


class TopicFilter(filters.FilterSet):
    publication = filters.CharFilter(
        field_name="publication__slug", max_length=80, help_text="A publication's slug."
    )

    class Meta:
        model = Topic
        fields = ("publication",)
