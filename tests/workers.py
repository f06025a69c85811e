"""A real Celery worker for the integration tests: a subprocess on its own queue, against
the test database (PostgreSQL) and the test's media folder."""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def test_database_url(connection):
    """The URL of the database this test runs on, for another process to open."""
    settings_dict = connection.settings_dict
    user, host, port = settings_dict["USER"], settings_dict["HOST"], settings_dict["PORT"]
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


def worker(queue, *, pool="solo", **env):
    """Start a worker that consumes `queue` only; `env` adds environment variables. Its own
    session, so a test can kill it (and its children) without touching pytest."""
    from django.db import connection

    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "compact_tracker",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            f"--pool={pool}",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"{queue}-{uuid.uuid4().hex[:4]}@%h",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": test_database_url(connection),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_ready(process, timeout=60):
    """Read the worker's log until it says it is ready (its output keeps draining in a
    thread so the pipe never fills). Returns the list the log keeps growing into."""
    lines, ready = [], threading.Event()

    def read():
        for line in process.stdout:
            lines.append(line)
            if "ready." in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout):
        pytest.fail("the worker did not start:\n" + "".join(lines[-30:]))
    time.sleep(0.5)
    return lines
