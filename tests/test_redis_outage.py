"""A Redis outage: the database is the only thing a write depends on.

A private redis-server (ports 6400-6419) is the cache and the Celery broker of the pages
served here, of a real worker and of a real beat. The test stops it, writes through the
pages and the API, reads pages and lists, checks /healthz says 503, requests a report,
then starts Redis again and waits for the outbox and the report to be delivered.

Run with `-s` to see the figures (write latency during the outage, report request latency,
time from Redis back to the report built and the email received)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import Client

from commitments.models import Cycle
from parliaments.models import Action, Submission
from reports.models import Report
from tests.factories import PlanFactory, make_user
from tests.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(6400, 6420)


class PrivateRedis:
    """A redis-server of our own on a free port in 6400-6419, stopped and started at will."""

    def __init__(self):
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.port = next(port for port in PORTS if self._free(port))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    @staticmethod
    def _free(port):
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) != 0

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail(f"redis-server on {self.port} did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(broker_url):
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pointed_at(private_redis, settings):
    """The pages served by this test process use the private Redis: cache and broker."""
    from compact_tracker.celery import app

    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": private_redis.url},
    }
    settings.REDIS_URL = settings.CELERY_BROKER_URL = private_redis.url
    before = (app.conf.broker_url, app.conf.result_backend)

    def point(url, backend):
        app.conf.broker_url, app.conf.result_backend = url, backend
        app._pool = None
        app.amqp._producer_pool = None
        app._local.__dict__.pop("backend", None)

    point(private_redis.url, private_redis.url)
    yield private_redis
    point(*before)


def _celery(kind, env, folder):
    extra = (
        ["worker", "--concurrency=1", "--pool=solo", "--without-gossip", "--without-mingle"]
        if kind == "worker"
        else ["beat", "-s", str(Path(folder) / "beat-schedule"), "--pidfile="]
    )
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "celery", "-A", "compact_tracker", *extra, "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=open(Path(folder) / f"{kind}.log", "w"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"not within {timeout} s: {what}")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_writes_commit_and_pages_answer_while_redis_is_down_and_work_resumes_after(
    reference_data, shared_test_database, pointed_at
):
    from django.db import connection

    from tests.workers import test_database_url

    redis_server = pointed_at
    editor = make_user("editor.ma", "editor", "MA")
    focal = make_user("focal.ma", "focal_point", "MA")
    reviewer = make_user("secretariat.reviewer", "secretariat")
    plan = PlanFactory()
    clients = {}
    for name, user in (("editor", editor), ("focal", focal), ("reviewer", reviewer)):
        clients[name] = Client()
        clients[name].force_login(user)
    anonymous = Client()

    sink = SmtpSink().start()
    folder = tempfile.mkdtemp(prefix="ct-outage-")
    env = {
        **os.environ,
        "REDIS_URL": redis_server.url,
        "DATABASE_URL": test_database_url(connection),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
    }
    worker, beat = _celery("worker", env, folder), _celery("beat", env, folder)
    figures = {}
    try:
        # Up: everything answers, /healthz included.
        assert clients["editor"].get("/workspace/").status_code == 200
        assert anonymous.get("/api/v1/actions/").status_code == 200
        assert anonymous.get("/healthz").status_code == 200

        redis_server.stop()

        response, figures["submit (web page)"] = _timed(
            lambda: clients["focal"].post(
                "/workspace/submissions/2021-progress/", {"note": "Hi", "confirm": "1"}
            )
        )
        assert response.status_code == 302
        submission = Submission.objects.get(parliament=plan.parliament, cycle__code="2021-progress")
        assert submission.status == "submitted"

        body = {
            "plan": str(plan.uid),
            "title": "Hearing during the outage",
            "action_type": "oversight",
            "commitments": ["R8.4"],
            "objectives": [20],
            "completion": "not_started",
        }
        response, figures["API action create"] = _timed(
            lambda: clients["editor"].post(
                "/api/v1/actions/", body, content_type="application/json"
            )
        )
        assert response.status_code == 201, response.content
        assert Action.objects.filter(title="Hearing during the outage").exists()

        response, figures["/workspace/"] = _timed(lambda: clients["editor"].get("/workspace/"))
        assert response.status_code == 200
        for _ in range(3):
            response, figures["anonymous API list"] = _timed(
                lambda: anonymous.get("/api/v1/actions/")
            )
            assert response.status_code == 200
        assert clients["reviewer"].get("/dashboard/").status_code == 200
        assert anonymous.get("/healthz").status_code == 503

        response, figures["report request"] = _timed(
            lambda: clients["reviewer"].post(
                "/reports/",
                {
                    "cycle": "2021-progress",
                    "scope": "global",
                    "language": "en",
                    "formats": ["json"],
                },
            )
        )
        assert response.status_code == 302
        report = Report.objects.get()
        assert report.status == "queued"
        assert sink.messages == []
        for what, seconds in figures.items():
            assert seconds < 2, (what, seconds)

        redis_server.start()
        back = time.monotonic()
        _wait(
            lambda: Report.objects.get(pk=report.pk).status == "succeeded",
            90,
            "the report requested during the outage is built",
        )
        figures["Redis back -> report built"] = time.monotonic() - back
        _wait(
            lambda: sink.to(reviewer.email),
            90,
            "the secretariat receives the submission email",
        )
        figures["Redis back -> submission email received"] = time.monotonic() - back
        assert clients["editor"].get("/workspace/").status_code == 200
        assert anonymous.get("/healthz").status_code == 200
    finally:
        print()
        for what, seconds in figures.items():
            print(f"  {what}: {seconds:.3f} s")
        _stop(beat)
        _stop(worker)
        sink.stop()
        for name in ("worker", "beat"):
            log = (Path(folder) / f"{name}.log").read_text()
            print(f"--- {name} log (tail) ---\n" + "\n".join(log.splitlines()[-15:]))
        shutil.rmtree(folder, ignore_errors=True)
    assert figures["Redis back -> report built"] < 60
    assert len(sink.to(reviewer.email)) == 1  # once, not once per retry
    assert Cycle.objects.filter(code="2021-progress").exists()
