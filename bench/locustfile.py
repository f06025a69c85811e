"""Mixed read traffic for `make bench`: parliament staff in their workspace, the secretariat
on its dashboards, partners on the API, and the public. Sessions and the token come from
bench/inproc.py prepare, through the environment."""

import os
import random

from locust import HttpUser, between, task

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
