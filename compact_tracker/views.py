"""Project-wide views: the health check and the API guide."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView, TemplateView
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down"; the reason is logged
        logger.warning("healthz: database unreachable: %s", error)
        return "unavailable"
    return "ok"


def _check_broker():
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or url.startswith("memory://"):
        return "not configured"
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            broker.default_channel.client.ping()
    except Exception as error:
        logger.warning("healthz: broker unreachable: %s", error)
        return "unavailable"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """JSON with the state of the database and, when configured, the Celery broker.
    200 when everything configured answers, 503 otherwise (for load balancers)."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(state in ("ok", "not configured") for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


@never_cache
@require_GET
def livez(request):
    """Liveness: the process answers, nothing else is checked (no database, no broker).
    Also the benchmark's floor: the cheapest JSON view through the whole middleware stack."""
    return JsonResponse({"status": "ok"})


class ApiGuideView(TemplateView):
    """“Using the API”: curl examples for the questions partners ask most."""

    template_name = "api_guide.html"

    def get_context_data(self, **kwargs):
        base = self.request.build_absolute_uri("/api/v1/").rstrip("/")
        return super().get_context_data(base=base, **kwargs)


def page_not_found(request, exception=None):
    """404: the API's JSON error shape under /api/, the site's page elsewhere."""
    from django.views.defaults import page_not_found as html_page_not_found

    from compact_tracker.api import error_body

    if request.path.startswith("/api/"):
        return JsonResponse(error_body(404, "not_found", "No such API endpoint."), status=404)
    return html_page_not_found(request, exception)


class FaviconView(RedirectView):
    """/favicon.ico, which browsers and crawlers ask for whatever the page says: the
    site's icon (an SVG, which every current browser shows)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        from django.templatetags.static import static

        return static("img/favicon.svg")
