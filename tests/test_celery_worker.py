"""The `ping` task runs through a real Celery worker against the Redis in REDIS_URL.

With REDIS_URL unset (the embedded default) there is no broker and tasks run in-process,
so only the in-process test applies. With REDIS_URL set, an unreachable Redis fails the
test: CI must not pass without its services.
"""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from compact_tracker.celery import ping

ROOT = Path(__file__).resolve().parent.parent


def test_ping_returns_pong_when_called_directly():
    assert ping() == "pong"


@pytest.mark.integration
def test_ping_completes_through_a_real_worker(broker_url):
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"REDIS_URL={settings.REDIS_URL} is set but Redis does not answer: {error}")

    queue = f"ct-test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "compact_tracker",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--pool=solo",
            "-Q",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = ping.apply_async(queue=queue)
        assert result.get(timeout=60) == "pong"
        assert result.successful()
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "compact_tracker.ping" in output
