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

One recomputation per change (single flight): when a section is missing, the first request
takes a short lock and computes it. A page that shows published data only is served to the
others from its previous version (kept as "last good") for at most STALE_SECONDS after the
change; a page that shows drafts is read by the people who write them, so the others wait
up to WAIT_SECONDS for the fresh one rather than see their change missing. Whoever finds
neither computes it. With the cache down every request computes, as it did before caching.

The cache must be shared by all processes serving the app: settings use Redis whenever
REDIS_URL is set (always in production), the per-process memory cache otherwise.
"""

import hashlib
import json
import logging
import time
import uuid
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# A cached section lives until the data it shows changes, and at most a day.
TIMEOUT = 24 * 3600

REFERENCE = "reference"
PUBLISHED = "published"
DRAFTS = "drafts"
# Everything: every section depends on the reference data.
ALL = (REFERENCE,)

# Single flight: how long a rebuild may hold its lock, how long after a change the previous
# version of a published-only section may still be served, and how long a reader of a
# drafts section waits for another request's rebuild before computing it itself.
LOCK_SECONDS = 10
STALE_SECONDS = 5.0
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.05


def drafts_of(parliament_id):
    """The scope of one parliament's drafts."""
    return f"{DRAFTS}:{parliament_id}"


def _version_key(scope):
    return f"pagecache:version:{scope}"


def _new_version(previous=None, now=None):
    """(token, set at, burst start, base token). A burst is a run of changes less than
    STALE_SECONDS apart (a save, then its commit); `base` is the token from before the
    burst, the one a section's last good copy was computed under."""
    now = time.time() if now is None else now
    token = uuid.uuid4().hex
    if previous is None:  # a first version, not a change: no burst
        return (token, 0.0, 0.0, None)
    old_token, set_at, burst_start, base = previous
    if now - set_at <= STALE_SECONDS:
        return (token, now, burst_start, base)
    return (token, now, now, old_token)


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


def bump(*scopes):
    """Replace the versions of `scopes` now (no scopes: everything)."""
    keys = [_version_key(scope) for scope in set(scopes or ALL)]
    try:
        old = cache.get_many(keys)
        cache.set_many({key: _new_version(old.get(key)) for key in keys}, None)
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


class Section:
    """A page's cached section: its name, the request's path, query, language and day,
    and the scopes it shows. `key` changes whenever one of those scopes changes."""

    def __init__(self, request, name="", scopes=()):
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
    def stale_ok(self):
        """Published-only sections may be served a few seconds late; a drafts section is
        read by the people who write the drafts, who must see their change."""
        return not any(scope == DRAFTS or scope.startswith(DRAFTS + ":") for scope in self.scopes)

    def may_serve(self, tokens, now=None):
        """Whether a copy computed under `tokens` may stand in while this version is
        computed: published-only, and behind only by changes made in the last
        STALE_SECONDS (computed under the tokens from just before them)."""
        if not self.stale_ok or not tokens:
            return False
        now = time.time() if now is None else now
        for scope, (token, _set_at, burst_start, base) in self.versions.items():
            if tokens.get(scope) == token:
                continue
            if tokens.get(scope) != base or now - burst_start > STALE_SECONDS:
                return False
        return True

    def get_or_build(self, build):
        """The section's cached value, or `build()`'s, computed by one request at a time."""
        value = cache.get(self.key)
        if value is not None:
            return value
        lock_key, last_key = f"{self.key}:lock", f"pagecache:last:{self.base}"
        if cache.add(lock_key, 1, LOCK_SECONDS):
            try:
                return self._build_and_keep(build, last_key)
            finally:
                cache.delete(lock_key)
        # Another request is computing it, or the cache does not answer (then no lock is
        # seen below, and this request computes at once).
        if self.stale_ok:
            last = cache.get(last_key)
            if last is not None and self.may_serve(last[0]):
                return last[1]
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and cache.get(lock_key):
            time.sleep(POLL_SECONDS)
            value = cache.get(self.key)
            if value is not None:
                return value
        value = cache.get(self.key)
        if value is not None:
            return value
        return self._build_and_keep(build, last_key)

    def _build_and_keep(self, build, last_key):
        value = build()
        cache.set_many({self.key: value, last_key: (self.tokens, value)}, TIMEOUT)
        return value


def lazy_parts(build, names):
    """{name: lazy value} for a template: `build()` returns every named value at once and
    runs on the first use of any of them, that is only when the cached section is missing."""
    computed = {}

    def value(name):
        if not computed:
            computed.update(build())
        return computed[name]

    return {name: SimpleLazyObject(partial(value, name)) for name in names}
