"""Pagination and throttles of the API."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import UserRateThrottle


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class SubmissionThrottle(UserRateThrottle):
    """Recommendations and reviews, per member: only writes count."""

    scope = "submissions"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
