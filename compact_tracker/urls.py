from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from compact_tracker import api_schema  # noqa: F401 - registers the token scheme
from compact_tracker.api import json_error_view
from compact_tracker.views import ApiGuideView, FaviconView, healthz, livez

admin.site.site_header = _("Compact Tracker administration")
admin.site.site_title = _("Compact Tracker")
admin.site.index_title = _("Reference data and records")

urlpatterns = [
    path("", include("commitments.urls")),
    path("", include("parliaments.urls")),
    path("", include("reports.urls")),
    path("accounts/", include("parliaments.account_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    re_path(
        r"^api/(?P<version>v1)/",
        include(
            (
                # The apps' API routes, named in the one "api" namespace. By dotted
                # path: the ground floor imports no app.
                [
                    path("", include("commitments.api.urls")),
                    path("", include("parliaments.api.urls")),
                    path("", include("reports.api.urls")),
                ],
                "api",
            ),
            namespace="api",
        ),
    ),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", ApiGuideView.as_view(), name="api-guide"),
    path("api/<path:rest>", json_error_view(404, "not_found", "No such API endpoint.")),
]

handler404 = "compact_tracker.views.page_not_found"
