"""URLs of the submissions pages (see ``issues/views_submissions.py``)."""

from django.urls import path  # noqa: F401

app_name = "submissions"

urlpatterns: list = []
