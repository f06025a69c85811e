"""Compact Tracker settings: everything comes from environment variables.

The defaults give the embedded set-up a newcomer gets from `make run`: SQLite under
`var/`, Celery tasks run in-process, email printed to the console. Production and CI set
DATABASE_URL (PostgreSQL) and REDIS_URL (Celery broker, results and cache). The README
lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from compact_tracker.env import (
    env_bool,
    env_email,
    env_int,
    env_list,
    env_rate,
    env_secret,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_secret(
    "SECRET_KEY", debug=DEBUG, dev_default="dev-only-insecure-key-never-use-in-production"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "translated_fields",
    "axes",
    "csp",
    "corsheaders",
    "commitments",
    "parliaments",
    "reports",
]

MIDDLEWARE = [
    "compact_tracker.middleware.RejectJunkMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cross-origin reads of the API, before anything can answer (compact_tracker/cors.py).
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refreshes cached sections after the response; marks who just wrote (pagecache.py).
    "compact_tracker.pagecache.PageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "compact_tracker.security.PrivateCacheMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Cross-origin requests (compact_tracker/cors.py): the API only, read-only, no credentials.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOWED_ORIGINS = []  # every origin reads through compact_tracker.cors.read_only_api
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "authorization", "if-none-match")
CORS_EXPOSE_HEADERS = ("Content-Language", "Content-Disposition", "ETag")
CORS_PREFLIGHT_MAX_AGE = 86400

ROOT_URLCONF = "compact_tracker.urls"
WSGI_APPLICATION = "compact_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parliaments.context_processors.roles",
            ],
            # The ground floor is not an app: its template tags are named here.
            "libraries": {
                "pagecache": "compact_tracker.templatetags.pagecache",
                "typography": "compact_tracker.templatetags.typography",
            },
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'compact_tracker.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0)
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A kept connection (CONN_MAX_AGE) that the server closed, restarted or lost is replaced at
# the start of the next request rather than failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, results and cache ------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss"))

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # The cache fails soft (compact_tracker/cache.py): with Redis down, pages are served
    # uncached and writes commit; a call costs at most the connect timeout, and after a
    # failure Redis is left alone for CACHE_BREAKER_SECONDS.
    CACHES = {
        "default": {
            "BACKEND": "compact_tracker.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ct",
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_TIMEOUT_MS", 250, minimum=1) / 1000,
                "socket_timeout": env_int("REDIS_TIMEOUT_MS", 250, minimum=1) / 1000 * 2,
                "BREAKER_SECONDS": env_int("CACHE_BREAKER_SECONDS", 5, minimum=0),
            },
        }
    }
else:
    # The embedded default: no broker, tasks run in the calling process.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60, minimum=1)
# Redelivery of a task whose worker died: the visibility timeout must outlast the longest
# task, and kombu should look for unacknowledged messages every few seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int(
        "CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 300, minimum=1
    ),
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task must fail fast when the broker is down: the request stays queued and the
# sweeper sends it again later.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY = False
# compact_tracker.dispatch.send_now: one connection attempt of at most this many seconds,
# then the work stays in the outbox for the sweep.
CELERY_DISPATCH_TIMEOUT = 1
# Emails and task dispatches wait in the outbox (parliaments.OutboxMessage) until Redis
# and the mail server take them; each row is tried this many times, with backoff.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 12, minimum=1)
# Pause between report stages, in milliseconds: 0 in production; the crash test slows a
# build down with it so that it can kill the worker in the middle.
REPORTS_STAGE_DELAY_MS = env_int("REPORTS_STAGE_DELAY_MS", 0, minimum=0)
# A running report whose builder gave no sign of life for this long has lost its worker:
# the sweeper (every minute) restarts it.
REPORTS_STALL_AFTER_SECONDS = env_int("REPORTS_STALL_AFTER_SECONDS", 180, minimum=30)
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "parliaments.tasks.sweep_outbox", "schedule": 30.0},
    "sweep-queued-reports": {"task": "reports.tasks.sweep_queued_reports", "schedule": 60.0},
    "repair-figures": {"task": "reports.tasks.repair_figures", "schedule": 60.0},
    "send-reminders": {
        "task": "reports.tasks.send_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    "build-cycle-reports": {
        "task": "reports.tasks.build_cycle_reports",
        "schedule": crontab(hour=2, minute=30),
    },
    # Webhooks (parliaments/webhooks): new published changes, then due deliveries.
    "fan-out-webhooks": {"task": "parliaments.tasks.fan_out_webhooks", "schedule": 10.0},
    "sweep-webhooks": {"task": "parliaments.tasks.sweep_webhooks", "schedule": 30.0},
    # Following (parliaments/following): notifications, then the email digests.
    "notify-followers": {"task": "parliaments.tasks.notify_followers", "schedule": 30.0},
    "send-daily-digests": {
        "task": "parliaments.tasks.send_digests",
        "schedule": crontab(hour=6, minute=30),
        "args": ("daily",),
    },
    "send-weekly-digests": {
        "task": "parliaments.tasks.send_digests",
        "schedule": crontab(hour=6, minute=30, day_of_week="mon"),
        "args": ("weekly",),
    },
    # The whole published dataset as a data package (reports/datapackage.py).
    "publish-datapackage": {
        "task": "reports.tasks.publish_datapackage",
        "schedule": crontab(hour=3, minute=15),
    },
}
CELERY_TIMEZONE = "UTC"

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "en"
# One date format per language (compact_tracker/formats): "20 Nov 2019", "20 nov. 2019".
FORMAT_MODULE_PATH = ["compact_tracker.formats"]
# The interface's languages; Arabic is written right to left (base.html sets `dir` and loads
# Bootstrap's RTL stylesheet).
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ---------------------------------------------------------------------------------
globals().update(env_email("EMAIL_URL", "console://"))
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))
# Webhooks (parliaments/webhooks/transport.py): https only, except in development; networks
# a receiver may be in although private (an operator's own partner network), as CIDRs.
WEBHOOK_ALLOW_HTTP = DEBUG
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])
WEBHOOK_BACKOFF_SECONDS = 30
# The licence the published dataset is released under, as the data package states it
# (reports/datapackage.py): Creative Commons Attribution 4.0 unless the IPU decides otherwise.
DATA_PACKAGE_LICENSE = {
    "name": env_str("DATA_PACKAGE_LICENSE_NAME", "CC-BY-4.0"),
    "path": env_str("DATA_PACKAGE_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"),
    "title": env_str("DATA_PACKAGE_LICENSE_TITLE", "Creative Commons Attribution 4.0"),
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Compact Tracker <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# How many proxies in front append to X-Forwarded-For: the client's address is that many
# entries from the right (compact_tracker.security.client_ip). 0 ignores the header.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0, minimum=0)

# HTTPS only in production: HSTS for a year, and plain HTTP redirected (behind a proxy,
# Django sees the scheme from X-Forwarded-Proto). A proxy that redirects by itself may set
# SECURE_SSL_REDIRECT=0. Health probes come over plain HTTP from inside the network.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]

# Content Security Policy (django-csp): only our own files run; no inline script or style,
# nothing evaluated from strings (charts use Vega's expression interpreter). A template
# that must inline something uses {{ request.csp_nonce }}; the nonce is only sent when used.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Brute force (django-axes): AXES_FAILURE_LIMIT wrong passwords for one account, or from one
# address, lock sign-in for that account or address for AXES_COOLOFF_MINUTES; each new try
# while locked starts the wait again. The secretariat unlocks by deleting the access
# attempts in the admin. Attempts are kept in the database, so a cache outage does not
# lift the lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "compact_tracker.security.client_ip"
AXES_LOCKOUT_CALLABLE = "compact_tracker.security.lockout_response"
# Password reset requests and wrong API tokens, counted in the cache (fail open, logged).
PASSWORD_RESET_RATE_PER_EMAIL = env_rate("PASSWORD_RESET_RATE_PER_EMAIL", "3/hour")
PASSWORD_RESET_RATE_PER_IP = env_rate("PASSWORD_RESET_RATE_PER_IP", "10/hour")
# The model of personal API tokens (compact_tracker.api.TokenAuthentication), like
# AUTH_USER_MODEL: the ground floor names it and imports no app.
API_TOKEN_MODEL = "parliaments.ApiToken"  # noqa: S105 - a model name, not a secret
API_BAD_TOKEN_RATE = env_rate("API_BAD_TOKEN_RATE", "20/hour")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"one_line_refusals": {"()": "compact_tracker.log_filters.OneLineForRefusals"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_refusals"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if not REDIS_URL:
    # The embedded default's in-memory broker has no host: kombu says so at every task.
    LOGGING["loggers"] = {"kombu.connection": {"level": "ERROR"}}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # each role lands where it works (parliaments.views.people)
LOGOUT_REDIRECT_URL = "commitments:home"
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600  # invitation links stay valid for a week

# An empty filter choice reads "Any", not "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("Any")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-hover align-middle"}

# Evidence and plan documents: what may be uploaded (checked from the content).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "compact_tracker.api.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "compact_tracker.api.Pagination",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "compact_tracker.api.CSVRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "compact_tracker.api.AnonThrottle",
        "compact_tracker.api.UserThrottle",
    ],
    # The client's address for throttling, as for the lockout (see TRUSTED_PROXY_COUNT).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "120/minute"),
        "user": env_str("API_USER_RATE", "1200/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "compact_tracker.api.exception_handler",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "URL_FORMAT_OVERRIDE": "format",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Compact Tracker API",
    "DESCRIPTION": (
        "What parliaments do about the commitments they made in Rabat in December 2018 to help "
        "implement the Global Compact for Safe, Orderly and Regular Migration. Anonymous "
        "callers and partners read published data; a parliament's staff also read and write "
        "their own drafts; the IPU secretariat reads everything. Errors share one shape: "
        '`{"error": {"status", "code", "message", "fields"}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "compact_tracker.api.add_error_responses",
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "CompletionEnum": "parliaments.models.Completion",
        "ActionTypeEnum": "parliaments.models.ActionType",
        "RegionEnum": "parliaments.models.Region",
        "TranslationStatusEnum": "commitments.models.TranslationStatus",
    },
}
