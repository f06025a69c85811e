"""The page cache: the dashboards' figures, charts and tables (and a parliament's home page)
are rendered once and kept until the data changes.

Every save or delete of a model the figures depend on (and every change to an action's
objectives or commitments) replaces the *data version*, a random token kept in the cache;
cached sections are keyed by it, so a change makes every one of them stale at once and the
next request computes fresh figures. The version is replaced when the change is made and
again when its transaction commits, so a page computed in between from uncommitted data is
never served afterwards. Writes that send no signals (QuerySet.update, bulk inserts: the
good-practice star, the reference-data loader, the scale-data generator) call `changed()`.

The cache must be shared by all processes serving the app: settings use Redis whenever
REDIS_URL is set (always in production), the per-process memory cache otherwise.
"""

import hashlib
import json
import logging
import uuid
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "dashboards:data-version"
# A cached section lives until the data changes, and at most a day.
TIMEOUT = 24 * 3600


def data_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY) or version
    return version


def data_changed():
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:  # runs on commit too: the write is already made, never fail it
        logger.warning("page cache: could not replace the data version", exc_info=True)


def changed():
    """Stale now, and again once the transaction commits. Model signals call it; so must
    any write that sends none (QuerySet.update, bulk_create, bulk_update)."""
    data_changed()
    transaction.on_commit(data_changed)


def on_data_change(sender, **kwargs):
    """Signal receiver for the watched models. It never raises: a cache that does not
    answer must not roll back the write that sent the signal."""
    try:
        changed()
    except Exception:
        logger.warning("page cache: could not mark the data changed", exc_info=True)


def section_key(request, name=""):
    """The key of a page's cached section: the data version, the path, every query
    parameter (filters, sort, page), the language and the day."""
    query = sorted((key, value) for key, values in request.GET.lists() for value in values)
    # The day, too: pages count days overdue and days waiting.
    today = timezone.localdate().isoformat()
    raw = json.dumps([name, request.path, query, get_language(), today])
    return f"{data_version()}-{hashlib.sha256(raw.encode()).hexdigest()[:32]}"


def lazy_parts(build, names):
    """{name: lazy value} for a template: `build()` returns every named value at once and
    runs on the first use of any of them, that is only when the cached section is missing."""
    computed = {}

    def value(name):
        if not computed:
            computed.update(build())
        return computed[name]

    return {name: SimpleLazyObject(partial(value, name)) for name in names}


def watched_models():
    """The models whose changes the dashboards show."""
    from commitments.models import Commitment, Cycle, Framework, Instrument, Objective
    from parliaments.models import (
        Action,
        Evidence,
        Parliament,
        PlanOfAction,
        ProgressUpdate,
        Submission,
        SubmissionComment,
    )

    return [
        Framework,
        Commitment,
        Objective,
        Instrument,
        Cycle,
        Parliament,
        PlanOfAction,
        Action,
        ProgressUpdate,
        Evidence,
        Submission,
        SubmissionComment,
    ]


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from parliaments.models import Action

    for model in watched_models():
        post_save.connect(on_data_change, sender=model, dispatch_uid=f"dashboards-save-{model}")
        post_delete.connect(on_data_change, sender=model, dispatch_uid=f"dashboards-delete-{model}")
    for through in (Action.objectives.through, Action.commitments.through):
        m2m_changed.connect(on_data_change, sender=through, dispatch_uid=f"dashboards-{through}")
