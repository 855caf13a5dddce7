"""URLs of the review pages (see ``issues/views_review.py``)."""

from django.urls import path  # noqa: F401

app_name = "review"

urlpatterns: list = []
