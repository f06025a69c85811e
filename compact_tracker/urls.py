from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from compact_tracker.views import healthz

admin.site.site_header = _("Compact Tracker administration")
admin.site.site_title = _("Compact Tracker")
admin.site.index_title = _("Reference data and records")

urlpatterns = [
    path("", include("commitments.urls")),
    path("", include("parliaments.urls")),
    path("accounts/", include("parliaments.account_urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
]
