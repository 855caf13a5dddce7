"""Root URLs: the apps' pages, the admin, the language switch, the sitemap and robots.txt.

Every page for readers and members is under its language (``/zh/…``, ``/en/…``,
``common.i18n``): whatever pattern an app's URLconf below adds gets the prefix. The API, the
admin, the probes, the sitemap, robots.txt, static files and media stay where they are."""

from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from common.csrf import same_origin_form
from common.i18n import language_patterns, set_language
from common.metrics import metrics_view
from issues.sitemaps import SITEMAPS
from newsletter.urls import hooks as newsletter_hooks
from publications.urls import files as publication_files
from weekly.views import FaviconView, RobotsTxtView

# A 400 or 413 page that says what was wrong: the size limits in ``common.limits``, everything
# else in ``common.views.bad_request``. The error pages are in the reader's language and the
# site's layout; under /api/ each answers in the API's error shape (common.views).
handler400 = "common.limits.bad_request"
handler403 = "common.views.permission_denied"
handler404 = "common.views.page_not_found"
handler500 = "common.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Operators only (common.metrics): a scrape's bearer token is answered by a middleware, a
    # staff member signed in here.
    path("metrics", metrics_view, name="metrics"),
    path("robots.txt", RobotsTxtView.as_view(), name="robots-txt"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API docs).
    path(
        "favicon.ico",
        FaviconView.as_view(),
        name="favicon",
    ),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    # The language switch is a form of every page, those a shared cache keeps too: it carries no
    # CSRF token, the browser's word that it comes from this site stands for one.
    path("i18n/setlang/", same_origin_form(set_language), name="set_language"),
    path("api/v1/", include("weekly.api.urls")),
    path("", include(publication_files)),
    path("", include(newsletter_hooks)),
]

urlpatterns += language_patterns(
    path("", include("issues.urls.reader")),
    path("", include("recommendations.urls.recommendations")),
    path("", include("recommendations.urls.review")),
    path("", include("recommendations.urls.metadata")),
    path("", include("issues.urls.editor")),
    path("", include("publications.urls")),
    path("", include("drafting.urls")),
    path("", include("newsletter.urls")),
    path("", include("webhooks.urls")),
    path("", include("inbox.urls")),
    path("", include("contributors.urls")),
    path("", include("issues.urls.papers")),
)
