"""URLs of the editor pages (see ``issues/views_editor.py``)."""

from django.urls import path  # noqa: F401

app_name = "editor"

urlpatterns: list = []
