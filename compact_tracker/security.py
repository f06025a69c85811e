"""Defences that do not belong to one app: the client's address behind a proxy, a small
rate limiter for security throttles, the sign-in lockout page and private caching of
signed-in pages."""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def client_ip(request):
    """The address of whoever sent the request.

    Behind `TRUSTED_PROXY_COUNT` proxies, each appends the address it saw to
    X-Forwarded-For, so the client is that many entries from the right; entries further
    left were written by the client and can be forged. Without a trusted proxy the header
    is ignored."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if count:
        entries = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if len(entries) >= count:
            return entries[-count]
    return remote


def parse_rate(rate):
    """'3/hour' -> (3, 3600)."""
    number, _, period = rate.partition("/")
    try:
        return int(number), PERIODS[period.strip().lower()]
    except (KeyError, ValueError):
        raise ValueError(f"{rate!r} is not a rate like 3/hour") from None


def _key(scope, ident, window):
    prefix = getattr(settings, "RATE_LIMIT_KEY_PREFIX", "rl")
    return f"{prefix}:{scope}:{ident}:{window}"


def _window(seconds):
    return math.floor(time.time() / seconds)


def rate_limit_key(scope, ident, rate):
    """The cache key counting `ident`'s hits in the current window of `rate` (to read it
    together with other keys)."""
    _limit, seconds = parse_rate(rate)
    return _key(scope, ident, _window(seconds))


def rate_limit_count(scope, ident, rate):
    """How many hits `ident` has made in the current window of `rate`; 0 when the cache
    does not answer (security throttles fail open, and say so in the log)."""
    _limit, seconds = parse_rate(rate)
    try:
        return cache.get(_key(scope, ident, _window(seconds)), 0)
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("Rate limit %s not checked: the cache does not answer", scope, exc_info=True)
        return 0


def rate_limit_exceeded(scope, ident, rate):
    limit, _seconds = parse_rate(rate)
    return rate_limit_count(scope, ident, rate) >= limit


def rate_limit_hit(scope, ident, rate):
    """Count one hit for `ident` in fixed windows of the rate's period; True while the
    count is within the limit. When the cache does not answer, the hit is allowed and
    logged."""
    limit, seconds = parse_rate(rate)
    key = _key(scope, ident, _window(seconds))
    try:
        cache.add(key, 0, timeout=seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            count = 1
            cache.set(key, count, timeout=seconds)
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("Rate limit %s not applied: the cache does not answer", scope, exc_info=True)
        return True
    if count > limit:
        logger.warning("Rate limit %s reached for %s", scope, ident)
    return count <= limit


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers once an account or address is locked: a page that says
    why, for how long, and what to do instead (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


# Pages that show secrets (a new API token, password forms): never stored, even privately.
NO_STORE_PREFIXES = ("/accounts/", "/admin/")


class PrivateCacheMiddleware:
    """Responses to a signed-in person (session or API token) are theirs alone: shared
    caches must not keep them (`Cache-Control: private`, which also drops `public`).
    Account and admin pages are not stored at all. ETags still work: a private cache
    revalidates and gets a 304."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.path.startswith(NO_STORE_PREFIXES):
                patch_cache_control(response, private=True, no_store=True)
            else:
                patch_cache_control(response, private=True)
        return response
