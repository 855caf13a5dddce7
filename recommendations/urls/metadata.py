"""URLs of a recommended paper's metadata (see ``recommendations/views/metadata.py``): namespace
``metadata``."""

from django.urls import path

from recommendations.views import metadata

app_name = "metadata"

urlpatterns = [
    path("papers/<int:pk>/refetch/", metadata.PaperRefetchView.as_view(), name="paper-refetch"),
    path(
        "papers/<int:pk>/metadata/",
        metadata.PaperMetadataEnterView.as_view(),
        name="paper-enter-metadata",
    ),
    path("papers/<int:pk>/merge/", metadata.PaperMergeView.as_view(), name="paper-merge"),
]
