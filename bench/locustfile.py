"""Mixed traffic for `make bench`: parliament staff in their workspace, the secretariat on
its dashboards, partners on the API, and the public read; editors save drafts and
progress, a focal point submits and the secretariat accepts. Sessions and the token come from
bench/inproc.py prepare, through the environment."""

import datetime
import itertools
import json
import os
import random
import threading
from pathlib import Path

from locust import HttpUser, between, events, task

OBJECTIVES = range(1, 24)
REGIONS = ["africa", "americas", "asia", "europe", "oceania"]


class Staff(HttpUser):
    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.cookies.set("sessionid", os.environ["BENCH_SESSION_EDITOR"])

    @task(3)
    def home(self):
        self.client.get("/workspace/", name="staff: /workspace/")

    @task(2)
    def actions(self):
        self.client.get("/workspace/actions/", name="staff: /workspace/actions/")

    @task(1)
    def parliament(self):
        self.client.get("/parliaments/MA/", name="staff: /parliaments/MA/")


class Secretariat(HttpUser):
    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.cookies.set("sessionid", os.environ["BENCH_SESSION_SECRETARIAT"])

    @task(3)
    def overview(self):
        self.client.get("/dashboard/", name="secretariat: /dashboard/")

    @task(2)
    def coverage(self):
        self.client.get("/dashboard/coverage/", name="secretariat: /dashboard/coverage/")

    @task(2)
    def objective(self):
        number = random.choice(OBJECTIVES)  # noqa: S311
        self.client.get(f"/dashboard/objectives/{number}/", name="secretariat: objective")

    @task(1)
    def review(self):
        self.client.get("/review/", name="secretariat: /review/")


class Partner(HttpUser):
    weight = 3
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {os.environ['BENCH_TOKEN']}"

    @task(3)
    def actions(self):
        page = random.randint(1, 20)  # noqa: S311
        self.client.get(f"/api/v1/actions/?page_size=100&page={page}", name="api: actions")

    @task(2)
    def actions_by_objective(self):
        number = random.choice(OBJECTIVES)  # noqa: S311
        self.client.get(
            f"/api/v1/actions/?page_size=100&objective={number}", name="api: actions by objective"
        )

    @task(2)
    def actions_by_region(self):
        region = random.choice(REGIONS)  # noqa: S311
        self.client.get(
            f"/api/v1/actions/?page_size=100&region={region}", name="api: actions by region"
        )

    @task(1)
    def parliaments(self):
        self.client.get("/api/v1/parliaments/", name="api: parliaments")


class Public(HttpUser):
    weight = 2
    wait_time = between(0.5, 2.0)

    @task(2)
    def summary(self):
        self.client.get("/progress/", name="public: /progress/")

    @task(1)
    def actions(self):
        self.client.get("/actions/", name="public: /actions/")


# --- Writers --------------------------------------------------------------------------------
# Every write carries BENCH_RUN in its text; writes that answered 2xx are counted by kind and
# written to BENCH_WRITES_FILE when the test stops, so bench/run.py can check that each of
# them is in the database (bench/inproc.py count_writes).

RUN = os.environ.get("BENCH_RUN", "bench")
WRITERS = json.loads(os.environ.get("BENCH_WRITERS", "[]"))
ANSWERED = {"action_edit": 0, "progress_update": 0, "submit": 0, "accept": 0}
_lock = threading.Lock()
_serial = itertools.count()


def _answered(kind, response):
    if 200 <= response.status_code < 300:
        with _lock:
            ANSWERED[kind] += 1
        response.success()
    else:
        response.failure(f"{kind}: {response.status_code} {response.text[:200]}")


@events.test_stop.add_listener
def _save_counts(environment, **kwargs):
    if path := os.environ.get("BENCH_WRITES_FILE"):
        Path(path).write_text(json.dumps(ANSWERED))


class StaffWriter(HttpUser):
    """An editor saving drafts: an action's description, a progress update with a link."""

    weight = 2
    wait_time = between(1.0, 3.0)

    def on_start(self):
        self.writer = WRITERS[next(_serial) % len(WRITERS)]
        self.client.headers["Authorization"] = f"Token {self.writer['token']}"

    def _action(self):
        action = random.choice(self.writer["actions"])  # noqa: S311
        response = self.client.get(f"/api/v1/actions/{action['uid']}/", name="write: read action")
        return action["uid"], response.json()["version"]

    @task(2)
    def save_draft(self):
        uid, version = self._action()
        with self.client.patch(
            f"/api/v1/actions/{uid}/",
            json={"version": version, "description": f"{RUN} draft {next(_serial)}"},
            name="write: action draft",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.success()  # another writer saved it first: the API said so, nothing lost
                return
            _answered("action_edit", response)

    @task(1)
    def progress(self):
        uid, _version = self._action()
        with self.client.post(
            "/api/v1/progress-updates/",
            json={
                "action": uid,
                "date": datetime.date.today().isoformat(),
                "cycle": "2021-progress",
                "completion": "substantial",
                "narrative": f"{RUN} progress {next(_serial)}",
                "links": [{"title": "Record", "url": "https://example.org/record"}],
            },
            name="write: progress update",
            catch_response=True,
        ) as response:
            _answered("progress_update", response)


class FocalPoint(HttpUser):
    """The focal point submitting the parliament's 2021 report whenever it is not waiting."""

    fixed_count = 1
    wait_time = between(3.0, 6.0)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {os.environ['BENCH_FOCAL_TOKEN']}"
        opened = self.client.post(
            "/api/v1/submissions/", json={"cycle": "2021-progress"}, name="write: open report"
        )
        self.submission = opened.json()["id"]

    @task
    def submit(self):
        status = self.client.get(
            f"/api/v1/submissions/{self.submission}/", name="write: read report"
        ).json()["status"]
        if status == "submitted":
            return
        with self.client.post(
            f"/api/v1/submissions/{self.submission}/submit/",
            json={"note": f"{RUN} submit {next(_serial)}"},
            name="write: submit",
            catch_response=True,
        ) as response:
            _answered("submit", response)


class Accepting(HttpUser):
    """The secretariat accepting every report waiting."""

    fixed_count = 1
    wait_time = between(2.0, 4.0)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {os.environ['BENCH_SECRETARIAT_TOKEN']}"

    @task
    def accept(self):
        waiting = self.client.get(
            "/api/v1/submissions/?status=submitted&cycle=2021-progress", name="write: queue"
        ).json()["results"]
        for submission in waiting:
            with self.client.post(
                f"/api/v1/submissions/{submission['id']}/accept/",
                json={"comment": f"{RUN} accept {next(_serial)}"},
                name="write: accept",
                catch_response=True,
            ) as response:
                _answered("accept", response)
