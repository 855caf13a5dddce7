"""Root URLs: the apps' pages, the admin, the language switch."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("weekly.api.urls")),
    path("", include("issues.urls")),
    path("", include("papers.urls")),
]
