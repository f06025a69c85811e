"""The page cache: the dashboards' figures, charts and tables, a parliament's home page and
the API's lists are rendered once and kept until the data they show changes.

What empties a page is what it depends on. The data is split into *scopes*, each with a
version (a random token and the time it was set) kept in the cache:

  reference           objectives, commitments, cycles, instruments, parliaments
  published           published copies and accepted submissions: what the public sees
  drafts              every parliament's drafts (the secretariat's cross-parliament pages)
  drafts:<id>         one parliament's drafts (its workspace, its dashboard page)

A page declares the scopes it shows (`Section(request, name, scopes)`); its key combines
their versions, so a draft edit in Morocco (drafts, drafts:MA) leaves the public summary
(reference, published) and Mexico's workspace (reference, drafts:MX) as they were. Every
section depends on `reference`.

This module imports no app. Each app says, in its apps.py ready(), which of its models are
watched and which scopes a saved or deleted row changes: `watch(model, scopes_for)` and
`watch_m2m(through, scopes_for)`. Writes that send no signals (QuerySet.update, bulk
inserts: the good-practice star, the reference-data loader, the scale-data generator) call
`changed(*scopes)`. A version is replaced when the change is made and again when its
transaction commits, so a page computed in between from uncommitted data is never served
afterwards.

One recomputation per change. A section shown to many people (a public page, an API list,
the secretariat's dashboards across parliaments) keeps its last copy; after a change that
copy is served for at most STALE_SECONDS while one request recomputes it after its own
response has been sent (at most one such refresh per section every REFRESH_SECONDS, 3 s),
so no reader waits for a recomputation and a burst of edits costs one, not one per edit. Two
kinds of reader always see the fresh page: a parliament's staff on their own parliament's
pages (scope drafts:<id>), and anyone who made a write in the last STALE_SECONDS (the
middleware below marks them), so the secretariat sees its acceptance at once. When no copy
young enough exists (the first view, or after a quiet spell), the first request computes
it under a short lock and the others wait up to WAIT_SECONDS for it rather than compute it
too. With the cache down every request computes, as it did before caching.

The cache must be shared by all processes serving the app: settings use Redis whenever
REDIS_URL is set (always in production), the per-process memory cache otherwise.
"""

import hashlib
import json
import logging
import operator
import time
import uuid
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject, new_method_proxy
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# A cached section lives until the data it shows changes, and at most a day.
TIMEOUT = 24 * 3600

REFERENCE = "reference"
PUBLISHED = "published"
DRAFTS = "drafts"
# Everything: every section depends on the reference data.
ALL = (REFERENCE,)

# Single flight: how long a rebuild may hold its lock; how old a shared section's last copy
# may be and still be served while a fresh one is computed; how often, at most, a section
# is refreshed after a response; how long a reader waits for another request's rebuild.
LOCK_SECONDS = 10
STALE_SECONDS = getattr(settings, "PAGECACHE_STALE_SECONDS", 5.0)
# Below STALE_SECONDS, so that readers keep a copy young enough without ever waiting; the
# longer, the less a season of edits costs the machine (a secretariat dashboard is
# recomputed at most this often, however many parliaments write).
REFRESH_SECONDS = getattr(settings, "PAGECACHE_REFRESH_SECONDS", 3.0)
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.05


def drafts_of(parliament_id):
    """The scope of one parliament's drafts."""
    return f"{DRAFTS}:{parliament_id}"


def _version_key(scope):
    return f"pagecache:version:{scope}"


def _new_version():
    """(token, set at): a new version of a scope."""
    return (uuid.uuid4().hex, time.time())


def versions(scopes):
    """{scope: version} for the scopes and `reference`, in one cache round trip; a missing
    version is created (a new one: nothing cached under an older one is trusted)."""
    scopes = sorted(set(scopes) | {REFERENCE})
    found = cache.get_many([_version_key(scope) for scope in scopes])
    result = {}
    for scope in scopes:
        version = found.get(_version_key(scope))
        if version is None:
            version = _new_version()
            if not cache.add(_version_key(scope), version, None):
                version = cache.get(_version_key(scope)) or version
        result[scope] = version
    return result


def value(name, scopes, compute, timeout=TIMEOUT):
    """A small value (a count in the navigation) kept until one of `scopes` changes:
    `compute()` runs once per version of those scopes, whoever asks. Falls back to
    computing when the cache is down."""
    try:
        current = versions(scopes)
        token = ":".join(current[scope][0] for scope in sorted(current))
        key = f"pagecache:value:{name}:{hashlib.sha256(token.encode()).hexdigest()[:32]}"
        found = cache.get(key)
        if found is not None:
            return found[0]
    except Exception:
        logger.warning("page cache: could not read %s", name, exc_info=True)
        return compute()
    result = compute()
    try:
        cache.set(key, (result,), timeout)
    except Exception:
        logger.warning("page cache: could not keep %s", name, exc_info=True)
    return result


def bump(*scopes):
    """Replace the versions of `scopes` now (no scopes: everything)."""
    keys = [_version_key(scope) for scope in set(scopes or ALL)]
    try:
        cache.set_many({key: _new_version() for key in keys}, None)
    except Exception:  # runs on commit too: the write is already made, never fail it
        logger.warning("page cache: could not replace the versions", exc_info=True)


def changed(*scopes):
    """Stale now, and again once the transaction commits. The watched models' signals call
    it; so must any write that sends none (QuerySet.update, bulk_create, bulk_update).
    Without scopes, everything is stale."""
    scopes = tuple(scopes) or ALL
    bump(*scopes)
    transaction.on_commit(partial(bump, *scopes))


# --- What the apps declare --------------------------------------------------------------

_receivers = {}


def _receiver(scopes_for):
    def receive(sender, instance, **kwargs):
        """Never raises: a cache that does not answer must not roll back the write."""
        try:
            scopes = scopes_for(instance, **kwargs)
            if scopes:
                changed(*scopes)
        except Exception:
            logger.warning("page cache: could not mark the data changed", exc_info=True)

    return receive


def watch(model, scopes_for):
    """Empty the sections that depend on `scopes_for(instance)` (a set of scope names)
    whenever a row of `model` is saved or deleted. Called from an app's ready()."""
    receive = _receivers[model] = _receiver(scopes_for)
    uid = f"pagecache-{model._meta.label}"
    post_save.connect(receive, sender=model, dispatch_uid=f"{uid}-save", weak=False)
    post_delete.connect(receive, sender=model, dispatch_uid=f"{uid}-delete", weak=False)


def watch_m2m(through, scopes_for):
    """The same for a many-to-many table: `scopes_for(instance, action=..., reverse=...,
    pk_set=...)` gets m2m_changed's arguments; only the post_* actions count."""

    def scopes(instance, action, **kwargs):
        if not action.startswith("post_"):
            return set()
        return scopes_for(instance, action=action, **kwargs)

    receive = _receivers[through] = _receiver(scopes)
    uid = f"pagecache-m2m-{through._meta.label}"
    m2m_changed.connect(receive, sender=through, dispatch_uid=uid, weak=False)


def watched_models():
    """The models and many-to-many tables whose changes empty cached pages."""
    return list(_receivers)


# --- Sections -------------------------------------------------------------------------


def _writer_key(user_id):
    return f"pagecache:wrote:{user_id}"


def _http_request(request):
    """The Django request behind a REST framework request."""
    return getattr(request, "_request", request)


class Section:
    """A page's cached section: its name, the request's path, query, language and day,
    and the scopes it shows. `key` changes whenever one of those scopes changes."""

    def __init__(self, request, name="", scopes=()):
        self.request = _http_request(request)
        self.scopes = frozenset(scopes) | {REFERENCE}
        query = sorted((key, value) for key, values in request.GET.lists() for value in values)
        # The day, too: pages count days overdue and days waiting.
        today = timezone.localdate().isoformat()
        raw = json.dumps([name, request.path, query, get_language(), today])
        self.base = hashlib.sha256(raw.encode()).hexdigest()[:32]
        self.versions = versions(self.scopes)
        self.tokens = {scope: version[0] for scope, version in self.versions.items()}
        joined = "|".join(f"{scope}={self.tokens[scope]}" for scope in sorted(self.tokens))
        self.version = hashlib.sha256(joined.encode()).hexdigest()[:16]

    @property
    def key(self):
        return f"pagecache:section:{self.base}:{self.version}"

    @property
    def last_key(self):
        return f"pagecache:last:{self.base}"

    @property
    def shared(self):
        """Shown to many (public pages, API lists, the secretariat's pages across
        parliaments), not one parliament's drafts, which its staff read as they write."""
        return not any(scope.startswith(DRAFTS + ":") for scope in self.scopes)

    def _user_id(self):
        user = getattr(self.request, "user", None)
        return user.pk if user is not None and user.is_authenticated else None

    def get_or_build(self, build):
        """The section's cached value, or `build()`'s: see the module's docstring."""
        user_id = self._user_id()
        keys = [self.key, self.last_key] + ([_writer_key(user_id)] if user_id else [])
        found = cache.get_many(keys)
        value = found.get(self.key)
        if value is not None:
            return value
        last = found.get(self.last_key)
        if (
            self.shared
            and not found.get(_writer_key(user_id))
            and isinstance(last, tuple)
            and len(last) == 3
            and time.time() - last[1] <= STALE_SECONDS
        ):
            if cache.add(f"pagecache:refresh:{self.base}", 1, REFRESH_SECONDS):
                after_response(self.request, partial(self._refresh, build))
            return last[2]
        lock_key = f"{self.key}:lock"
        if cache.add(lock_key, 1, LOCK_SECONDS):
            try:
                return self._build_and_keep(build)
            finally:
                cache.delete(lock_key)
        # Another request is computing it, or the cache does not answer (then no lock is
        # seen below, and this request computes at once).
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and cache.get(lock_key):
            time.sleep(POLL_SECONDS)
            value = cache.get(self.key)
            if value is not None:
                return value
        value = cache.get(self.key)
        if value is not None:
            return value
        return self._build_and_keep(build)

    def _refresh(self, build):
        if cache.get(self.key) is None:
            self._build_and_keep(build)

    def _build_and_keep(self, build):
        started = time.time()
        value = build()
        cache.set_many({self.key: value, self.last_key: (self.tokens, started, value)}, TIMEOUT)
        return value


# --- After the response ---------------------------------------------------------------


def after_response(request, work):
    """Run `work()` once the response has been sent (PageCacheMiddleware), in the language
    and time zone of the request; without the middleware, not at all (the copy it would
    refresh expires instead)."""
    pending = getattr(request, "_pagecache_after", None)
    if pending is None:
        return
    pending.append(
        partial(_in_request_locale, get_language(), timezone.get_current_timezone(), work)
    )


def _in_request_locale(language, zone, work):
    with translation.override(language), timezone.override(zone):
        work()


def _run_after(pending):
    for work in pending:
        try:
            work()
        except Exception:  # the response is sent: log, never raise into the server
            logger.warning("page cache: a refresh after the response failed", exc_info=True)


class PageCacheMiddleware:
    """Runs the refreshes a request scheduled (after_response) when its response has been
    sent and closed, and marks anyone whose write succeeded as a recent writer, who then
    sees fresh pages for STALE_SECONDS. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._pagecache_after = []
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                try:
                    cache.set(_writer_key(user.pk), 1, int(STALE_SECONDS) + 1)
                except Exception:
                    logger.warning("page cache: could not mark a writer", exc_info=True)
        if request._pagecache_after:
            # Run by response.close(), which the server calls once the body is sent.
            response._resource_closers.append(partial(_run_after, request._pagecache_after))
        return response


SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class LazyValue(SimpleLazyObject):
    """A value computed on first use that also works as a count in `{% blocktranslate
    count %}`: plural rules such as Arabic's (`n % 100`) do arithmetic on it."""

    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(operator.index)
    __mod__ = new_method_proxy(operator.mod)
    __add__ = new_method_proxy(operator.add)
    __sub__ = new_method_proxy(operator.sub)


def lazy_parts(build, names):
    """{name: lazy value} for a template: `build()` returns every named value at once and
    runs on the first use of any of them, that is only when the cached section is missing."""
    computed = {}

    def value(name):
        if not computed:
            computed.update(build())
        return computed[name]

    return {name: LazyValue(partial(value, name)) for name in names}
