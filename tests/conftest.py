"""Shared fixtures. Reference data is loaded once into the test database; tests that
flush the database (transactional and browser tests) reload it with `reference_data`."""

import io
import os

import pytest
from django.core.management import call_command

from tests.receiver import receiver  # noqa: F401 - the webhook tests' HTTP receiver

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def load_reference_data():
    call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


def _ci_needs(what, reason):
    """Skip locally when `what` is missing; fail under CI=true, where it must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {what}: {reason}")
    pytest.skip(reason)


@pytest.fixture
def broker_url(settings):
    """The Redis a real Celery worker uses: REDIS_URL (PostgreSQL and Redis in CI)."""
    if not settings.REDIS_URL:
        _ci_needs("REDIS_URL", "REDIS_URL unset: no broker for a worker")
    return settings.REDIS_URL


@pytest.fixture
def shared_test_database(settings):
    """A worker process needs a test database it can open too: not in-memory SQLite."""
    from django.db import connection

    if "sqlite" in connection.settings_dict["ENGINE"]:
        _ci_needs("DATABASE_URL on PostgreSQL", "a worker cannot share an in-memory SQLite DB")


@pytest.fixture
def reference_data(transactional_db):
    """Reference data for tests whose database is flushed between tests."""
    load_reference_data()


@pytest.fixture
def secretariat_user(django_user_model):
    return django_user_model.objects.create_superuser(
        username="secretariat", email="secretariat@ipu.example", password="correct horse battery"
    )


@pytest.fixture
def secretariat_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def anonymous_client(client):
    return client


# --- Personas: Morocco's editor and focal point, Mexico's editor, the secretariat, a partner.


@pytest.fixture
def editor_ma(db):
    from tests.factories import make_user

    return make_user("editor.ma", "editor", "MA")


@pytest.fixture
def focal_ma(db):
    from tests.factories import make_user

    return make_user("focal.ma", "focal_point", "MA")


@pytest.fixture
def editor_mx(db):
    from tests.factories import make_user

    return make_user("editor.mx", "editor", "MX")


@pytest.fixture
def secretariat(db):
    from tests.factories import make_user

    return make_user("secretariat.reviewer", "secretariat")


@pytest.fixture
def partner(db):
    from tests.factories import make_user

    return make_user("partner.iom", "partner")


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor_ma):
    return _client_for(editor_ma)


@pytest.fixture
def focal_client(focal_ma):
    return _client_for(focal_ma)


@pytest.fixture
def other_parliament_client(editor_mx):
    return _client_for(editor_mx)


@pytest.fixture
def reviewer_client(secretariat):
    return _client_for(secretariat)


@pytest.fixture
def partner_client(partner):
    return _client_for(partner)


@pytest.fixture(autouse=True)
def _run_celery_tasks_in_process(request, settings):
    """Unit tests run tasks in the test process (on commit, as in production). The
    `integration` tests use a real worker instead."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    from compact_tracker.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_page_cache(monkeypatch):
    """Each test's data is rolled back without signals: start every test with a new data
    version so no page cached by an earlier test is served (compact_tracker.pagecache).
    Tests see every change at once: no shared section is served from its previous copy
    (tests/test_pagecache.py turns that back on where it tests it)."""
    from compact_tracker import pagecache

    monkeypatch.setattr(pagecache, "STALE_SECONDS", 0)
    pagecache.bump()
    # Nor are the webhook events another test serialized (ids are reused after a rollback).
    from parliaments.webhooks import services as webhooks

    webhooks._EVENTS_MEMO.clear()


@pytest.fixture(autouse=True)
def _english_by_default():
    """LocaleMiddleware leaves the last request's language active in the thread; start
    every test in English so one test's French page does not leak into the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing passwords at full strength makes each persona cost ~0.2 s; tests do not
    need the strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings, monkeypatch):
    """Throttles count in the cache, which outlives a test (Redis in CI): each test counts
    under its own keys, so the requests of earlier tests (the page fuzzer makes thousands
    as the same anonymous address) and earlier runs do not throttle it. The security
    throttles by their key prefix, DRF's API throttles by their cache key format."""
    import uuid

    from rest_framework.throttling import SimpleRateThrottle

    run = uuid.uuid4().hex
    settings.RATE_LIMIT_KEY_PREFIX = f"rl-test-{run}"
    monkeypatch.setattr(SimpleRateThrottle, "cache_format", f"throttle-{run}-%(scope)s-%(ident)s")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded evidence goes to a throwaway folder, not the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
