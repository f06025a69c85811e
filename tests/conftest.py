"""Shared fixtures. Reference data is loaded once into the test database; tests that
flush the database (transactional and browser tests) reload it with `reference_data`."""

import io
import os

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def load_reference_data():
    call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


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
