"""URLs of a paper's page and of the search (see ``issues/views/reader.py``): namespace ``papers``.

This app builds those pages, since they show the papers as published; they keep the catalogue's
URL names (``papers:paper-detail``, ``papers:search``), which the catalogue's API names too.
"""

from django.urls import path

from issues.views import reader

app_name = "papers"

urlpatterns = [
    path("papers/<int:pk>/", reader.PaperDetailView.as_view(), name="paper-detail"),
    path("search/", reader.SearchView.as_view(), name="search"),
]
