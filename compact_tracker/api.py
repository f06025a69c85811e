"""Project-wide API glue: pagination, the one error shape, token authentication and the
throttles. Endpoints live in each app's `api/` package."""

import contextlib
import hashlib
import logging
import secrets
import time
from datetime import timedelta

from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework_csv.renderers import PaginatedCSVRenderer

from compact_tracker.safe_export import neutralise_row
from compact_tracker.security import (
    client_ip,
    parse_rate,
    rate_limit_hit,
    rate_limit_key,
)

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    page_size_query_description = "Results per page, at most 500 (default 100)."
    max_page_size = 500


# --- One error shape ------------------------------------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The record changed since the version you sent."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


def error_body(status_code, code, message, fields=None, **extra):
    """{"error": {"status", "code", "message", "fields"?, ...}}: every API error."""
    body = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return {"error": body}


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def exception_handler(exc, context):
    """Turn every error into the one JSON shape, with the right status."""
    # Imported here: this module is loaded by DRF's settings while rest_framework.views loads.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(detail if isinstance(detail, dict) else {"non_field_errors": detail})
        response.data = error_body(
            response.status_code, "invalid", "The request has invalid fields.", fields
        )
    else:
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        extra = getattr(exc, "extra", {})
        response.data = error_body(response.status_code, code, str(detail), **extra)
    return response


def json_error_view(status_code, code, message):
    """A plain view answering the API's error shape (e.g. 404 for unknown API paths)."""

    @csrf_exempt  # it changes nothing; any method gets the same JSON answer
    def view(request, *args, **kwargs):
        return JsonResponse(error_body(status_code, code, message), status=status_code)

    return view


# --- Tokens --------------------------------------------------------------------------------


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def new_token_key():
    return secrets.token_urlsafe(32)


# A token's holder is read from the database once a minute at most, not on every request:
# the cache keeps (user, token id, last used) per key hash. Revoking a token, or saving its
# holder's account or profile, forgets the holder's entries at once (forget_tokens_of,
# called by the token service and the app's signals); the minute bounds anything else.
TOKEN_CACHE_SECONDS = 60
_token_user_loaded = []


def on_token_user_loaded(prepare):
    """`prepare(user)` runs on a token's holder before it is cached, e.g. to load what
    every API request reads of it (the app's profile), so that is cached along."""
    _token_user_loaded.append(prepare)


def _token_cache_key(key_hash):
    return f"api:token:{key_hash}"


def forget_token(key_hash):
    try:
        cache.delete(_token_cache_key(key_hash))
    except Exception:
        logger.warning("API: could not forget a cached token")


def forget_tokens_of(user_id):
    """Drop the cached holders of `user_id`'s tokens (revoked, deactivated, role changed)."""
    ApiToken = django_apps.get_model(settings.API_TOKEN_MODEL)  # noqa: N806
    hashes = ApiToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True)
    try:
        cache.delete_many([_token_cache_key(key_hash) for key_hash in hashes])
    except Exception:
        logger.warning("API: could not forget the cached tokens of user %s", user_id)


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` with a personal token that has not been revoked.

    Keys are random, not passwords, but guessing is throttled anyway: an address that sent
    `API_BAD_TOKEN_RATE` wrong tokens gets 429 for every token, right or wrong, until the
    window ends (authentication runs before DRF's throttles, so they would not see it).
    The guess count and the cached holder are read in one cache round trip."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        address = client_ip(request)
        key_hash = None
        if len(parts) == 2:
            with contextlib.suppress(UnicodeError):
                key_hash = hash_key(parts[1].decode())
        guesses_key = rate_limit_key("bad-token", address, settings.API_BAD_TOKEN_RATE)
        keys = [guesses_key] + ([_token_cache_key(key_hash)] if key_hash else [])
        try:
            found = cache.get_many(keys)
        except Exception:  # fail open for the count, as rate_limit_count does
            found = {}
        limit, _seconds = parse_rate(settings.API_BAD_TOKEN_RATE)
        if found.get(guesses_key, 0) >= limit:
            raise exceptions.Throttled(detail="Too many invalid tokens from your address.")
        try:
            if len(parts) != 2:
                message = "Send the header as: Authorization: Token <key>."
                raise exceptions.AuthenticationFailed(message)
            if key_hash is None:
                raise exceptions.AuthenticationFailed("Invalid token.")
            return self._authenticate(key_hash, found.get(_token_cache_key(key_hash)))
        except exceptions.AuthenticationFailed:
            rate_limit_hit("bad-token", address, settings.API_BAD_TOKEN_RATE)
            raise

    def _authenticate(self, key_hash, cached):
        # The token model belongs to an app; the ground floor knows it by name only.
        ApiToken = django_apps.get_model(settings.API_TOKEN_MODEL)  # noqa: N806

        now = timezone.now()
        if cached is not None:
            user, token_id, last_used_at = cached
        else:
            token = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=key_hash, revoked_at__isnull=True)
                .first()
            )
            if token is None or not token.user.is_active:
                raise exceptions.AuthenticationFailed("Invalid or revoked token.")
            user, token_id, last_used_at = token.user, token.pk, token.last_used_at
            for prepare in _token_user_loaded:
                prepare(user)
        if last_used_at is None or now - last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
            last_used_at = now
            cached = None
        if cached is None:
            try:
                entry = (user, token_id, last_used_at)
                cache.set(_token_cache_key(key_hash), entry, TOKEN_CACHE_SECONDS)
            except Exception:
                logger.warning("API: could not cache a token's holder")
        return user, ApiToken(pk=token_id, user=user, key_hash=key_hash, last_used_at=last_used_at)

    def authenticate_header(self, request):
        return self.keyword


class FailOpenThrottleMixin:
    """A throttle whose cache does not answer lets the request through: the API stays up
    during a Redis outage, unthrottled. A warning is logged at most once a minute."""

    warn_every = 60.0
    _warned_at = None

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as error:
            now = time.monotonic()
            cls = type(self)
            if cls._warned_at is None or now - cls._warned_at > self.warn_every:
                cls._warned_at = now
                logger.warning("API throttling off, the cache does not answer: %s", error)
            return True


class AnonThrottle(FailOpenThrottleMixin, AnonRateThrottle):
    scope = "anon"


class UserThrottle(FailOpenThrottleMixin, UserRateThrottle):
    scope = "user"


class CSVRenderer(PaginatedCSVRenderer):
    """CSV of a list page. Lists of codes become one cell ("R7a.1, R8.1"), not a column
    per item; nested records still flatten to dotted columns. Text a spreadsheet would
    run as a formula is prefixed with a quote (compact_tracker.safe_export)."""

    def tablize(self, data, header=None, labels=None):
        # Every cell, header included, goes out neutralised: no live formulas in a CSV.
        for row in super().tablize(data, header=header, labels=labels):
            yield neutralise_row(row)

    def flatten_list(self, items):
        if all(not isinstance(item, (dict, list)) for item in items):
            return {"": ", ".join("" if item is None else str(item) for item in items)}
        return super().flatten_list(items)

    def render(self, data, media_type=None, renderer_context=None, *args, **kwargs):
        renderer_context = renderer_context or {}
        if isinstance(data, dict) and "error" in data:
            data = [data["error"]]  # an error stays readable as CSV
        elif isinstance(data, dict) and self.results_field not in data:
            data = [data]  # one record: a one-row table
        rendered = super().render(data, media_type, renderer_context, *args, **kwargs)
        if not rendered:
            # No rows: still a CSV, with the header line, rather than an empty body.
            view = renderer_context.get("view")
            serializer = view.get_serializer() if hasattr(view, "get_serializer") else None
            names = list(getattr(serializer, "fields", {}) or ["results"])
            rendered = (",".join(names) + "\r\n").encode()
        return rendered


class JSONWritesMixin:
    """Writes always answer JSON: `?format=csv` is for reading lists and records."""

    def get_renderers(self):
        from rest_framework.permissions import SAFE_METHODS
        from rest_framework.renderers import JSONRenderer

        if self.request is not None and self.request.method not in SAFE_METHODS:
            return [JSONRenderer()]
        return super().get_renderers()


ERROR_STATUSES = {
    "400": "Invalid input: `fields` holds the errors per field.",
    "401": "Missing or invalid token.",
    "403": "Not allowed for this account.",
    "404": "Not found, or not visible to this account.",
    "409": "Conflict: a stale version, or a step that no longer applies.",
    "413": "Request body too large.",
    "429": "Too many requests: retry after the `Retry-After` header's seconds.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the one error shape on every
    operation, for every status the API can answer with."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "code", "message"],
                "properties": {
                    "status": {"type": "integer", "example": 400},
                    "code": {"type": "string", "example": "invalid"},
                    "message": {"type": "string", "example": "The request has invalid fields."},
                    "fields": {"type": "object", "additionalProperties": True},
                },
                "additionalProperties": True,
            }
        },
    }
    error = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status_code, description in ERROR_STATUSES.items():
                responses.setdefault(
                    status_code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": error},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                )
    return result
