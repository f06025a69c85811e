"""make bench: measure Compact Tracker at two scales on PostgreSQL, as served in production
(gunicorn, 2 workers, DEBUG off, Redis cache and a real Celery worker), compare with the
budgets in bench/budgets.toml, write bench/results.json and bench/RESULTS.md, and exit 1
when a budget is missed (2 when PostgreSQL or Redis is not there).

    python bench/run.py [--scales S1,S10] [--requests 100] [--load-seconds 60]
                        [--write-rates 1,5]

The writes phase: while the same reads are timed again, editors of several parliaments
save drafts, progress updates and evidence links through the API at each rate (writes per
second, per scale); p95 under writes is compared with p95 without.

Environment: BENCH_DATABASE_URL (a PostgreSQL server; default
postgres://postgres@127.0.0.1:5432/postgres; databases compact_tracker_bench_s1 and _s10
are dropped and recreated next to it; BENCH_DATABASE_PREFIX renames them), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/14: the cache and the Celery broker of the benchmark's servers and
worker; S10 uses the next database, 15).
"""

import argparse
import csv
import datetime
import http.client
import json
import multiprocessing
import os
import platform
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
PY = sys.executable

SCALES = {
    "S1": {"parliaments": 180, "actions_per_plan": 40, "updates_per_action": 6},
    "S10": {"parliaments": 1800, "actions_per_plan": 40, "updates_per_action": 6},
}
# (name, label, path, persona, kind)
TARGETS = [
    ("floor", "Floor view (/livez)", "/livez", "anonymous", "floor"),
    ("overview", "Overview dashboard", "/dashboard/", "secretariat", "page"),
    ("coverage", "Coverage matrix", "/dashboard/coverage/", "secretariat", "page"),
    ("objective", "Objective 7 dashboard", "/dashboard/objectives/7/", "secretariat", "page"),
    ("staff_home", "Staff home (My parliament)", "/workspace/", "editor", "page"),
    ("public_summary", "Public summary", "/progress/", "anonymous", "page"),
    (
        "api_actions",
        "API actions, 100 per page",
        "/api/v1/actions/?page_size=100",
        "partner",
        "api",
    ),
    (
        "api_actions_objective",
        "API actions, objective 7",
        "/api/v1/actions/?page_size=100&objective=7",
        "partner",
        "api",
    ),
    (
        "api_actions_region",
        "API actions, region Africa",
        "/api/v1/actions/?page_size=100&region=africa",
        "partner",
        "api",
    ),
    # Rabat §7(a): the public matrix and its API (issue 17).
    ("ratifications", "Ratification matrix", "/ratifications/", "anonymous", "page"),
    (
        "api_ratifications",
        "API ratifications, 100 per page",
        "/api/v1/ratifications/?page_size=100",
        "partner",
        "api",
    ),
]
SEED = 2018
# As the Dockerfile and docker-compose.yml serve it.
GUNICORN_WORKERS = 3


def log(message):
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def fail_setup(message):
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(2)


def reachable(url, default_port):
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Scale:
    """One scale: its database, its server and worker, and what was measured."""

    def __init__(self, name, args, workdir):
        self.name = name
        self.args = args
        self.size = SCALES[name]
        prefix = os.environ.get("BENCH_DATABASE_PREFIX", "compact_tracker_bench")
        self.db = f"{prefix}_{name.lower()}"
        server = args.database_url.rsplit("/", 1)[0]
        # Each scale has its own Redis database (cache and broker): the servers of both
        # scales run at once and must not share cached pages.
        redis = urlsplit(args.redis_url)
        index = int(redis.path.strip("/") or 0) + list(SCALES).index(name)
        self.redis_url = redis._replace(path=f"/{index}").geturl()
        self.env = dict(
            os.environ,
            DATABASE_URL=f"{server}/{self.db}",
            REDIS_URL=self.redis_url,
            DEBUG="0",
            SECRET_KEY="bench-only-not-a-real-secret-key-" + "x" * 32,
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            SECURE_COOKIES="0",
            SECURE_SSL_REDIRECT="0",  # plain HTTP on 127.0.0.1, no TLS proxy in front
            STATIC_ROOT=str(workdir / "static"),
            MEDIA_ROOT=str(workdir / f"media-{name}"),
            API_ANON_RATE="1000000/minute",
            API_USER_RATE="1000000/minute",
            EMAIL_URL="locmem://",
            PYTHONUNBUFFERED="1",
        )
        self.workdir = workdir
        self.port = free_port()
        self.processes = []
        self.result = {"size": self.size}

    def manage(self, *argv, capture=True):
        completed = subprocess.run(
            [PY, "manage.py", *argv],
            cwd=ROOT,
            env=self.env,
            capture_output=capture,
            text=True,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(argv)} failed:\n{completed.stderr}")
        return completed.stdout

    def inproc(self, *argv):
        completed = subprocess.run(
            [PY, str(BENCH / "inproc.py"), *argv],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"inproc {argv[0]} failed:\n{completed.stderr}")
        return json.loads(completed.stdout.strip().splitlines()[-1])

    def spawn(self, argv, logname):
        handle = open(self.workdir / logname, "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        self.processes.append((process, handle))
        return process

    def stop(self, process):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self):
        for process, handle in self.processes:
            self.stop(process)
            handle.close()

    # --- steps ---------------------------------------------------------------------------

    def create_database(self):
        import psycopg2

        connection = psycopg2.connect(self.args.database_url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {self.db}")
            cursor.execute(f"CREATE DATABASE {self.db}")
        connection.close()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("load_reference_data")

    def database_exists(self):
        import psycopg2

        connection = psycopg2.connect(self.args.database_url)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.db])
                return cursor.fetchone() is not None
        finally:
            connection.close()

    def generate(self):
        output = self.manage(
            "generate_scale_data",
            "--parliaments",
            str(self.size["parliaments"]),
            "--actions-per-plan",
            str(self.size["actions_per_plan"]),
            "--updates-per-action",
            str(self.size["updates_per_action"]),
            "--seed",
            str(SEED),
            "--json",
        )
        generated = json.loads(output.strip().splitlines()[-1])
        self.result["generator"] = generated
        # Fresh statistics, as autovacuum would have gathered after a bulk load.
        self.manage("dbshell", "--", "-qc", "VACUUM ANALYZE")
        # Write the bulk load out now, not while latency is measured.
        self.manage("dbshell", "--", "-qc", "CHECKPOINT")
        log(
            f"{self.name}: generated {generated['total_rows']:,} rows in "
            f"{generated['seconds']} s ({generated['rows_per_second']:,} rows/s)"
        )

    def serve(self):
        self.gunicorn = self.spawn(
            [
                str(VENV_BIN / "gunicorn"),
                "compact_tracker.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            f"gunicorn-{self.name}.log",
        )
        for _ in range(100):
            try:
                if self.get("/livez", {})[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start; see its log in " + str(self.workdir))

    def get(self, path, headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, response
        finally:
            connection.close()

    def headers(self, persona, creds):
        if persona == "partner":
            return {"Authorization": f"Token {creds['token']}"}
        if persona in creds["sessions"]:
            return {"Cookie": f"sessionid={creds['sessions'][persona]}"}
        return {}

    def report(self):
        """The global 2021 report in every format, built by a real Celery worker (solo pool:
        the task runs in the process whose peak RSS is read)."""
        worker = self.spawn(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "compact_tracker",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "warning",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            f"worker-{self.name}.log",
        )
        time.sleep(3)
        started = time.perf_counter()
        try:
            output = self.manage(
                "build_report",
                "--cycle",
                "2021-progress",
                "--scope",
                "global",
                "--formats",
                "html,pdf,xlsx,csv,json",
                "--wait",
                "--timeout",
                "900",
            )
        except RuntimeError as error:
            self.stop(worker)
            self.result["report"] = {"error": str(error)[-2000:]}
            log(f"{self.name}: report FAILED: {str(error)[-300:]}")
            return
        wall = time.perf_counter() - started
        peak_kb = 0
        status = Path(f"/proc/{worker.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak_kb = int(line.split()[1])
        files = [line for line in output.splitlines() if line.startswith("/")]
        sizes = {Path(f).suffix.lstrip("."): Path(f).stat().st_size for f in files}
        self.result["report"] = {
            "wall_s": round(wall, 1),
            "worker_peak_rss_mb": round(peak_kb / 1024, 1),
            "file_bytes": sizes,
        }
        log(f"{self.name}: report {wall:.1f} s, worker peak RSS {peak_kb / 1024:.0f} MB")
        self.profile(worker)
        self.stop(worker)

    def webhooks(self):
        """Issue 18: an acceptance of 500 actions delivered to 20 webhook endpoints by one
        worker (bench/inproc.py webhooks), last, as it adds the actions it accepts."""
        self.result["webhooks"] = found = self.inproc("webhooks")
        log(
            f"{self.name}: webhooks: {found['events']:,} events in {found['deliveries']} "
            f"deliveries to {found['endpoints']} endpoints, {found['total_s']} s"
        )

    def profile(self, worker):
        """A country profile (PDF, HTML, JSON) of a parliament with data, by the same
        worker: the time from request to files, and the worker's peak RSS since it
        started (the global report included)."""
        iso2 = self.creds["writers"][0]["parliament"]
        started = time.perf_counter()
        try:
            output = self.manage(
                "build_report", "--profile", "--parliament", iso2, "--wait", "--timeout", "600"
            )
        except RuntimeError as error:
            self.result["profile"] = {"error": str(error)[-2000:]}
            log(f"{self.name}: country profile FAILED: {str(error)[-300:]}")
            return
        wall = time.perf_counter() - started
        peak_kb = 0
        for line in Path(f"/proc/{worker.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak_kb = int(line.split()[1])
        files = [line for line in output.splitlines() if line.startswith("/")]
        self.result["profile"] = {
            "parliament": iso2,
            "wall_s": round(wall, 1),
            "worker_peak_rss_mb": round(peak_kb / 1024, 1),
            "file_bytes": {Path(f).suffix.lstrip("."): Path(f).stat().st_size for f in files},
        }
        log(f"{self.name}: country profile of {iso2} {wall:.1f} s")

    def load(self, creds):
        prefix = self.workdir / f"locust-{self.name}"
        env = dict(
            self.env,
            BENCH_SESSION_SECRETARIAT=creds["sessions"]["secretariat"],
            BENCH_SESSION_EDITOR=creds["sessions"]["editor"],
            BENCH_TOKEN=creds["token"],
            BENCH_WRITERS=json.dumps(creds["writers"]),
            BENCH_FOCAL_TOKEN=creds["focal_token"],
            BENCH_SECRETARIAT_TOKEN=creds["secretariat_token"],
            BENCH_RUN=f"locust-{uuid.uuid4().hex[:12]}",
            BENCH_WRITES_FILE=str(self.workdir / f"locust-writes-{self.name}.json"),
        )
        completed = subprocess.run(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(BENCH / "locustfile.py"),
                "--headless",
                "--users",
                "20",
                "--spawn-rate",
                "20",
                "--run-time",
                f"{self.args.load_seconds}s",
                "--host",
                f"http://127.0.0.1:{self.port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
        total = next(row for row in rows if row["Name"] == "Aggregated")
        self.result["load"] = {
            "users": 20,
            "seconds": self.args.load_seconds,
            "requests": int(total["Request Count"]),
            "errors": int(total["Failure Count"]),
            "throughput_rps": round(float(total["Requests/s"]), 1),
            "p50_ms": float(total["50%"]),
            "p95_ms": float(total["95%"]),
            "by_request": {
                row["Name"]: {"requests": int(row["Request Count"]), "p95_ms": float(row["95%"])}
                for row in rows
                if row["Name"] != "Aggregated"
            },
        }
        if completed.returncode not in (0, 1):
            raise RuntimeError(f"locust failed:\n{completed.stderr[-2000:]}")
        answered = json.loads(Path(env["BENCH_WRITES_FILE"]).read_text())
        self.result["load"]["writes"] = {
            "ok": answered,
            "stored": self.inproc("count_writes", env["BENCH_RUN"]),
        }
        log(
            f"{self.name}: load writes answered 2xx {answered}, in the database "
            f"{self.result['load']['writes']['stored']}"
        )
        log(
            f"{self.name}: load {total['Request Count']} requests, "
            f"{total['Failure Count']} errors, {float(total['Requests/s']):.1f} req/s, "
            f"p95 {total['95%']} ms"
        )

    def setup(self):
        """The database with its data, the accounts, and the query counts."""
        log(f"{self.name}: database {self.db}")
        if self.args.reuse_data and self.database_exists():
            log(f"{self.name}: reusing its data (--reuse-data)")
            self.manage("collectstatic", "--noinput", "-v0")
            self.result["generator"] = {"reused": True}
        else:
            self.create_database()
            self.generate()
        self.creds = self.inproc("prepare")
        targets_file = self.workdir / f"targets-{self.name}.json"
        targets_file.write_text(
            json.dumps(
                {
                    "targets": [
                        {"name": name, "path": path, "persona": persona}
                        for name, _l, path, persona, _k in TARGETS
                    ],
                    "creds": self.creds,
                }
            )
        )
        self.queries = self.inproc("queries", str(targets_file))
        self.cold_after = self.inproc("cold_after", str(targets_file))
        self.result["cold_after"] = self.cold_after
        worst = max(self.cold_after["after_draft_edit_ms"].values())
        log(f"{self.name}: first views after a draft edit: worst {worst:.0f} ms")


def _interleaved(targets, rounds):
    """{(scale, name): [ms, ...]}: every target once per round, in turn."""
    samples = {(scale.name, name): [] for scale, name, _p, _h in targets}
    for _ in range(rounds):
        for scale, name, path, headers in targets:
            started = time.perf_counter()
            status, _response = scale.get(path, headers)
            samples[(scale.name, name)].append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
    return samples


def _p95(times):
    times = sorted(times)
    return round(times[int(len(times) * 0.95) - 1], 2)


def _read_targets(scales):
    return [
        (scale, name, path, scale.headers(persona, scale.creds))
        for scale in scales
        for name, _l, path, persona, _k in TARGETS
    ]


def measure_latency(scales, args):
    """p50 and p95 of every request at every scale. All scales are served at once and the
    requests interleaved, one of each per round, so a passing disturbance of the machine
    (a checkpoint, a noisy neighbour of this virtual machine) weighs on every request and
    every scale alike, the floor included; the growth from S1 to S10 then compares like
    with like. The floor is also measured alone, in a tight loop, for reference."""
    targets = _read_targets(scales)
    for scale, _name, path, headers in targets:
        for _ in range(args.warmup):
            status, _response = scale.get(path, headers)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
    samples = _interleaved(targets, args.requests)
    for scale in scales:
        alone = []
        for _ in range(args.requests):
            started = time.perf_counter()
            scale.get("/livez", {})
            alone.append((time.perf_counter() - started) * 1000)
        scale.result["floor_alone_p50_ms"] = round(statistics.median(alone), 2)
        scale.result["targets"] = {}
        for name, *_rest in TARGETS:
            times = sorted(samples[(scale.name, name)])
            scale.result["targets"][name] = {
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": _p95(times),
                "requests": len(times),
                **scale.queries[name],
            }
            log(f"{scale.name}: {name:24} p50 {scale.result['targets'][name]['p50_ms']:8.2f} ms")


class Writer:
    """Editors of several parliaments saving through the API at `rate` writes per second:
    in turn, an action's draft (PATCH with its version) and a progress update with an
    evidence link (POST). Counts what answered 2xx and what did not.

    It runs in a process of its own, as the editors' browsers would: as a thread of the
    timing process it held the GIL while it built and read its requests, and a reader's
    answer waited for it (up to Python's 5 ms switch interval), which the timings charged
    to the server."""

    def __init__(self, scale, rate):
        self.port = scale.port
        self.writers = scale.creds["writers"]
        self.rate = rate
        self.ok = {"action_edit": 0, "progress_update": 0}
        self.failed = []
        self.run_id = uuid.uuid4().hex[:12]
        self.seconds = 0.0

    def start(self):
        context = multiprocessing.get_context("spawn")
        self.stopping = context.Event()
        self.results = context.Queue()
        self.process = context.Process(target=self._main, daemon=True)
        self.process.start()

    def stop(self):
        self.stopping.set()
        try:
            ok, failed, seconds = self.results.get(timeout=120)
        except queue.Empty as error:
            raise RuntimeError("a writer process gave no result") from error
        self.process.join(timeout=30)
        self.ok, self.failed, self.seconds = ok, failed, seconds

    def __getstate__(self):
        # What the process is started with: everything but the process itself.
        return {key: value for key, value in self.__dict__.items() if key != "process"}

    def _main(self):
        self.run()
        self.results.put((self.ok, self.failed, self.seconds))

    def request(self, method, path, token, body):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(
                method,
                path,
                body=json.dumps(body),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def write(self, number):
        writers = self.writers
        writer = writers[number % len(writers)]
        action = writer["actions"][(number // len(writers)) % len(writer["actions"])]
        marker = f"bench write {self.run_id} {number}"
        if number % 2 == 0:
            kind = "action_edit"
            status, body = self.request(
                "PATCH",
                f"/api/v1/actions/{action['uid']}/",
                writer["token"],
                {"version": action["version"], "description": marker},
            )
            if status == 409:
                # Its progress update moved the action on since: read the version the
                # answer gives and save again, as a client does.
                action["version"] = json.loads(body)["error"]["current_version"]
                status, body = self.request(
                    "PATCH",
                    f"/api/v1/actions/{action['uid']}/",
                    writer["token"],
                    {"version": action["version"], "description": marker},
                )
            if 200 <= status < 300:
                action["version"] = json.loads(body)["version"]
        else:
            kind = "progress_update"
            status, body = self.request(
                "POST",
                "/api/v1/progress-updates/",
                writer["token"],
                {
                    "action": action["uid"],
                    "date": datetime.date.today().isoformat(),
                    "cycle": "2021-progress",
                    "completion": "substantial",
                    "narrative": marker,
                    "links": [{"title": "Hansard", "url": f"https://example.org/{number}"}],
                },
            )
        if 200 <= status < 300:
            self.ok[kind] += 1
        else:
            self.failed.append(f"{kind} {status} {body[:200]!r}")

    def run(self):
        interval = 1 / self.rate
        started = time.perf_counter()
        number = 0
        while not self.stopping.is_set():
            self.write(number)
            number += 1
            delay = started + number * interval - time.perf_counter()
            if delay > 0:
                self.stopping.wait(delay)
        self.seconds = time.perf_counter() - started


def measure_under_writes(scales, args):
    """For each rate and each scale in turn: that scale's reads timed without writes, then
    again while it takes writes at that rate (one scale at a time, so the machine takes
    the rate the phase names, not one per scale). Each pair is measured back to back, with
    twice the rounds of the read phase, so that the p95s compared (the 10th slowest of 200)
    share the machine's state of the moment."""
    rounds = args.requests * 2
    for rate in args.write_rates:
        for scale in scales:
            targets = _read_targets([scale])
            without = _interleaved(targets, rounds)
            writer = Writer(scale, rate)
            writer.start()
            try:
                samples = _interleaved(targets, rounds)
            finally:
                writer.stop()
            done = sum(writer.ok.values())
            phase = {
                "rate_per_s": rate,
                "writes_ok": writer.ok,
                "writes_failed": len(writer.failed),
                "failures": writer.failed[:5],
                "achieved_per_s": round((done + len(writer.failed)) / writer.seconds, 2),
                "requests": rounds,
                "targets": {},
            }
            for name, *_rest in TARGETS:
                times = samples[(scale.name, name)]
                phase["targets"][name] = {
                    "p50_ms": round(statistics.median(times), 2),
                    "p95_ms": _p95(times),
                    "p95_without_ms": _p95(without[(scale.name, name)]),
                }
            scale.result.setdefault("writes", {})[f"{rate:g}"] = phase
            worst = max(_under_writes_ratio(phase["targets"][name]) for name, *_rest in TARGETS)
            log(
                f"{scale.name}: {rate} writes/s: {done} written, {len(writer.failed)} failed; "
                f"worst p95 under writes / without {worst:.2f}×"
            )


def _under_writes_ratio(target, data=None, name=None):
    """p95 under writes ÷ p95 without: the baseline measured beside it (older results:
    the read phase's)."""
    without = target.get("p95_without_ms") or data["targets"][name]["p95_ms"]
    return target["p95_ms"] / without


def run_scales(names, args, workdir):
    scales = [Scale(name, args, workdir) for name in names]
    for scale in scales:
        scale.setup()
    try:
        for scale in scales:
            scale.serve()
        measure_latency(scales, args)
        if args.write_rates:
            measure_under_writes(scales, args)
        for scale in scales:
            scale.report()
            if args.load_seconds:
                scale.load(scale.creds)
            scale.webhooks()
    finally:
        for scale in scales:
            scale.stop_all()
    return {scale.name: scale.result for scale in scales}


# --- budgets -----------------------------------------------------------------------------


def floor_p50(data):
    """The floor the ratios use: the lower of the floor view's p50 among the other requests
    and measured alone in a tight loop (the stricter comparison)."""
    floor = data["targets"]["floor"]["p50_ms"]
    return min(floor, data.get("floor_alone_p50_ms") or floor)


def measured_targets(results):
    """The TARGETS every scale of these results measured (a request added to TARGETS after
    the run is not in an older results.json)."""
    scales = results["scales"].values()
    return [target for target in TARGETS if all(target[0] in d["targets"] for d in scales)]


def check_budgets(results, budgets):
    """[(budget, measured, ok)] for every budget that applies to what was run."""
    checks = []
    scales = results["scales"]

    def check(label, measured, ok, goal=False):
        entry = {"budget": label, "measured": measured, "ok": bool(ok)}
        if goal:
            entry["goal"] = True
        checks.append(entry)

    def not_measured(label):
        # A budget this run's results hold no figure for (an older results.json, or a
        # phase that was skipped): listed, neither met nor missed.
        checks.append({"budget": label, "measured": "not measured", "ok": None})

    targets = measured_targets(results)
    for name, *_rest in TARGETS:
        if name not in {target[0] for target in targets}:
            not_measured(f"{name}: every budget of a request (added after this run)")

    max_queries = budgets["queries"]["max_per_request"]
    for scale, data in scales.items():
        for name, target in data["targets"].items():
            for phase in ("cold", "warm"):
                count = target[f"queries_{phase}"]
                check(
                    f"{scale} {name}: queries ({phase}) ≤ {max_queries}",
                    count,
                    count <= max_queries,
                )
    if "S1" in scales and "S10" in scales:
        for name in scales["S1"]["targets"]:
            for phase in ("cold", "warm"):
                small = scales["S1"]["targets"][name][f"queries_{phase}"]
                large = scales["S10"]["targets"][name][f"queries_{phase}"]
                check(
                    f"{name}: same queries ({phase}) at S1 and S10",
                    f"{small} / {large}",
                    small == large,
                )
        growth = budgets["growth"]["max_p50_ratio_s10_to_s1"]
        for name, _label, _path, _persona, kind in targets:
            if kind == "floor":
                continue
            small = scales["S1"]["targets"][name]["p50_ms"]
            large = scales["S10"]["targets"][name]["p50_ms"]
            ratio = large / small
            check(f"{name}: p50 S10 / S1 ≤ {growth}×", f"{ratio:.2f}×", ratio <= growth)
    if "S1" in scales:
        floor = floor_p50(scales["S1"])
        for name, _label, _path, _persona, kind in targets:
            if kind == "floor":
                continue
            limit = budgets["pages"][f"max_{kind}_to_floor_p50"]
            ratio = scales["S1"]["targets"][name]["p50_ms"] / floor
            check(f"S1 {name}: p50 ≤ {limit}× floor", f"{ratio:.1f}×", ratio <= limit)
    for name, _label, _path, _persona, kind in targets if "S1" in scales else []:
        if kind == "floor" or "goals" not in budgets:
            continue
        limit = budgets["goals"][f"max_{kind}_to_floor_p50"]
        ratio = scales["S1"]["targets"][name]["p50_ms"] / floor_p50(scales["S1"])
        check(f"goal: S1 {name}: p50 ≤ {limit}× floor", f"{ratio:.1f}×", ratio <= limit, goal=True)
    writes = budgets.get("writes", {})
    for scale, data in scales.items() if writes else ():
        limit = writes["max_p95_under_writes_ratio"]
        if "writes" not in data:
            not_measured(f"{scale}: p95 under writes ≤ {limit}× p95 without, every reader")
            continue
        for rate, phase in data["writes"].items():
            for name, _label, _path, _persona, kind in targets:
                if kind == "floor":
                    continue
                ratio = _under_writes_ratio(phase["targets"][name], data, name)
                check(
                    f"{scale} {name}: p95 under {rate} writes/s ≤ {limit}× without",
                    f"{ratio:.2f}×",
                    ratio <= limit,
                )
            check(
                f"{scale} writes at {rate}/s: none failed",
                phase["writes_failed"],
                phase["writes_failed"] == 0,
            )
    for event in ("draft_edit", "acceptance") if writes else ():
        limit = writes.get(f"max_cold_after_{event}_ms_s10")
        if limit is None or "S10" not in scales:
            continue
        label = f"S10 first view after {event.replace('_', ' ')} ≤ {limit} ms, every page"
        measured = scales["S10"].get("cold_after", {}).get(f"after_{event}_ms")
        if measured is None:
            not_measured(label)
            continue
        for name, _label, _path, _persona, kind in targets:
            if kind == "page" and name in measured:
                check(
                    f"S10 {name}: first view after {event.replace('_', ' ')} ≤ {limit} ms",
                    f"{measured[name]:.0f} ms",
                    measured[name] <= limit,
                )
    report_budget = budgets["reports"]
    for scale, data in scales.items():
        if "report" not in data:
            continue
        limit = report_budget[f"max_wall_s_{scale.lower()}"]
        if "error" in data["report"]:
            check(f"{scale} report (all formats) builds", "failed", False)
            continue
        wall = data["report"]["wall_s"]
        check(f"{scale} report (all formats) ≤ {limit} s", f"{wall} s", wall <= limit)
        if scale == "S10":
            limit = report_budget["max_worker_rss_mb_s10"]
            rss = data["report"]["worker_peak_rss_mb"]
            check(f"S10 worker peak RSS < {limit} MB", f"{rss} MB", rss < limit)
    for scale, data in scales.items():
        # The country profile (issue 14): within the same time and memory budgets.
        if "profile" not in data:
            continue
        limit = report_budget[f"max_wall_s_{scale.lower()}"]
        if "error" in data["profile"]:
            check(f"{scale} country profile builds", "failed", False)
            continue
        wall = data["profile"]["wall_s"]
        check(f"{scale} country profile (PDF, HTML, JSON) ≤ {limit} s", f"{wall} s", wall <= limit)
        if scale == "S10":
            limit = report_budget["max_worker_rss_mb_s10"]
            rss = data["profile"]["worker_peak_rss_mb"]
            check(f"S10 worker peak RSS with the profile < {limit} MB", f"{rss} MB", rss < limit)
    limit = budgets["webhooks"]["max_seconds_500_actions_20_endpoints"]
    if not any("webhooks" in data for data in scales.values()):
        not_measured(f"webhooks: acceptance of 500 actions delivered to 20 endpoints ≤ {limit} s")
    for scale, data in scales.items():
        hooks = data.get("webhooks")
        if hooks is None:
            continue
        check(
            f"{scale} webhooks: acceptance of 500 actions delivered to 20 endpoints ≤ {limit} s",
            f"{hooks['total_s']} s",
            hooks["total_s"] <= limit and hooks["delivered"] == hooks["deliveries"],
        )
    for scale, data in scales.items():
        if "load" in data:
            errors = data["load"]["errors"]
            limit = budgets["load"]["max_errors"]
            check(f"{scale} load: errors ≤ {limit}", errors, errors <= limit)
            if "writes" in data["load"]:
                answered, stored = data["load"]["writes"]["ok"], data["load"]["writes"]["stored"]
                check(
                    f"{scale} load: every write that answered 2xx is in the database",
                    f"{sum(stored.values())} of {sum(answered.values())}",
                    all(stored.get(kind, 0) >= count for kind, count in answered.items()),
                )
    return checks


# --- output ------------------------------------------------------------------------------


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory = f"{int(memory) / 1024 / 1024:.0f} GiB"
    except OSError:
        memory = "unknown"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def markdown(results, checks):
    targets = measured_targets(results)
    lines = [
        "# Benchmark results",
        "",
        f"Measured {results['finished']} by `make bench` on {results['machine']['cpu']}, "
        f"{results['machine']['cores']} cores, {results['machine']['memory']} "
        f"({results['machine']['os']}, Python {results['machine']['python']}, "
        f"{results.get('postgresql', 'PostgreSQL')}). The app runs under gunicorn with "
        f"{GUNICORN_WORKERS} sync workers, DEBUG off, Redis cache; latency is measured by one "
        "client, one request at a "
        f"time, {results['requests']} requests per page after {results['warmup']} warm-up "
        "requests; both scales are served at once and every request of both is taken in "
        "turn, round after round, so the machine's ups and downs weigh on all alike. "
        "Budgets: `bench/budgets.toml`, explained in the README.",
        "",
        "*Queries* are counted in the same code run in-process: *cold* is the first request "
        "after a data change (what the first reader after an edit pays), *warm* the next. "
        "*Cold ms* is that first request's time in-process. *SQL* is what the database "
        "alone needs for the cold request's queries, each run again on its own (median of 7): "
        "the slowest one, and all of them.",
        "",
    ]
    for scale, data in results["scales"].items():
        size = data["size"]
        generator = data["generator"]
        floor = floor_p50(data)
        lines += [
            f"## {scale}: {size['parliaments']:,} parliaments × {size['actions_per_plan']} "
            f"actions × {size['updates_per_action']} updates",
            "",
            (
                "Data reused from an earlier run (--reuse-data). "
                if generator.get("reused")
                else f"Generator: {generator['total_rows']:,} rows in {generator['seconds']} s "
                f"({generator['rows_per_second']:,} rows/s). "
            )
            + f"Floor view: p50 "
            f"{data['targets']['floor']['p50_ms']:.2f} ms among the other requests, "
            f"{data.get('floor_alone_p50_ms', 0):.2f} ms alone in a tight loop; ratios below "
            f"divide by the lower, {floor:.2f} ms.",
            "",
            "| Request | Queries (cold / warm) | p50 ms | p95 ms | p50 ÷ floor "
            "| Cold ms | SQL, main query ms | SQL, all queries ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, label, _path, _persona, _kind in targets:
            target = data["targets"][name]
            lines.append(
                f"| {label} | {target['queries_cold']} / {target['queries_warm']} "
                f"| {target['p50_ms']:.2f} | {target['p95_ms']:.2f} "
                f"| {target['p50_ms'] / floor:.1f}× | {target.get('cold_ms', 0):.0f} "
                f"| {target['sql_main_ms']:.2f} "
                f"| {target['sql_total_ms']:.2f} |"
            )
        lines.append("")
        for rate, phase in data.get("writes", {}).items():
            lines += [
                f"Under {rate} writes/s ({phase['achieved_per_s']}/s achieved: "
                f"{sum(phase['writes_ok'].values())} saved through the API by editors of "
                f"several parliaments, {phase['writes_failed']} failed), the same reads: "
                + ", ".join(
                    f"{name} p95 {phase['targets'][name]['p95_ms']:.1f} ms "
                    + (
                        f"against {phase['targets'][name]['p95_without_ms']:.1f} without "
                        if "p95_without_ms" in phase["targets"][name]
                        else ""
                    )
                    + f"({_under_writes_ratio(phase['targets'][name], data, name):.2f}×)"
                    for name, *_rest in targets
                    if name != "floor"
                )
                + ".",
                "",
            ]
        if "cold_after" in data:
            for event, label in (("draft_edit", "a draft edit"), ("acceptance", "an acceptance")):
                times = data["cold_after"][f"after_{event}_ms"]
                lines += [
                    f"First view after {label} (in-process): "
                    + ", ".join(f"{name} {ms:.0f} ms" for name, ms in times.items())
                    + ".",
                    "",
                ]
        if "report" in data and "error" in data["report"]:
            lines += [
                "The global 2021 report **failed**:",
                "",
                "```",
                data["report"]["error"],
                "```",
                "",
            ]
        elif "report" in data:
            report = data["report"]
            sizes = ", ".join(
                f"{fmt} {size / 1024 / 1024:.1f} MB"
                for fmt, size in sorted(report["file_bytes"].items())
            )
            lines += [
                f"Global 2021 report, all formats: **{report['wall_s']} s** wall time, worker "
                f"peak RSS **{report['worker_peak_rss_mb']} MB** ({sizes}).",
                "",
            ]
        profile = data.get("profile")
        if profile and "error" not in profile:
            lines += [
                f"Country profile of {profile['parliament']} (PDF, HTML, JSON): "
                f"**{profile['wall_s']} s**, worker peak RSS since it started "
                f"{profile['worker_peak_rss_mb']} MB (PDF "
                f"{profile['file_bytes'].get('pdf', 0) / 1024:.0f} kB).",
                "",
            ]
        elif profile:
            lines += ["The country profile **failed**:", "", "```", profile["error"], "```", ""]
        if "webhooks" in data:
            hooks = data["webhooks"]
            lines += [
                f"Webhooks: an acceptance of {hooks['actions']} actions ({hooks['parliament']}) "
                f"delivered to {hooks['endpoints']} endpoints by one worker: "
                f"{hooks['events']:,} events in {hooks['deliveries']} deliveries, "
                f"**{hooks['total_s']} s** from the acceptance to the last delivery "
                f"(acceptance {hooks['accept_s']} s, fan-out and delivery {hooks['deliver_s']} s).",
                "",
            ]
        if "load" in data:
            load = data["load"]
            lines += [
                f"Load: {load['users']} concurrent clients for {load['seconds']} s of mixed reads "
                f"(locust): {load['requests']:,} requests, **{load['errors']} errors**, "
                f"**{load['throughput_rps']} requests/s**, p50 {load['p50_ms']:.0f} ms, "
                f"p95 **{load['p95_ms']:.0f} ms**.",
                "",
            ]
    if "S1" in results["scales"] and "S10" in results["scales"]:
        lines += [
            "## Growth from S1 to S10 (p50)",
            "",
            "| Request | S1 ms | S10 ms | S10 ÷ S1 |",
            "|---|---:|---:|---:|",
        ]
        for name, label, *_rest in targets:
            small = results["scales"]["S1"]["targets"][name]["p50_ms"]
            large = results["scales"]["S10"]["targets"][name]["p50_ms"]
            lines.append(f"| {label} | {small:.2f} | {large:.2f} | {large / small:.2f}× |")
        lines.append("")
    budgets_only = [check for check in checks if not check.get("goal") and check["ok"] is not None]
    missed = [check for check in budgets_only if not check["ok"]]
    lines += [
        "## Budgets",
        "",
        f"{len(budgets_only) - len(missed)} of {len(budgets_only)} budgets met."
        + ("" if not missed else " Missed:"),
        "",
    ]
    for check in missed:
        lines.append(f"- ✗ {check['budget']}: measured {check['measured']}")
    goals = [check for check in checks if check.get("goal")]
    if goals:
        met = [check for check in goals if check["ok"]]
        lines += ["", f"Goals (reported, not enforced): {len(met)} of {len(goals)} met.", ""]
        lines += [
            f"- {'✓' if c['ok'] else '✗'} {c['budget']}: measured {c['measured']}" for c in goals
        ]
    unmeasured = [check for check in checks if check["ok"] is None]
    if unmeasured:
        lines += ["", "Not measured in this run:", ""]
        lines += [f"- {check['budget']}" for check in unmeasured]
    fixes = BENCH / "fixes.md"
    if fixes.exists():
        lines += ["", fixes.read_text().strip(), ""]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="S1,S10")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument(
        "--write-rates",
        default="1,5",
        type=lambda value: [float(rate) for rate in value.split(",") if rate.strip()],
        help="Writes per second of the writes phase, comma-separated ('' to skip it).",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="Keep a scale's database from an earlier run instead of generating it again "
        "(to iterate on a change; the committed results come from a full run).",
    )
    parser.add_argument("--output", default=str(BENCH))
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="Rewrite RESULTS.md from results.json (after editing bench/fixes.md).",
    )
    args = parser.parse_args()
    if args.render_only:
        output = Path(args.output)
        results = json.loads((output / "results.json").read_text())
        budgets = tomllib.loads((BENCH / "budgets.toml").read_text())
        results["budgets"] = check_budgets(results, budgets)
        (output / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        (output / "RESULTS.md").write_text(markdown(results, results["budgets"]))
        return
    scales = [name.strip() for name in args.scales.split(",")]
    if unknown := [name for name in scales if name not in SCALES]:
        fail_setup(f"unknown scale {unknown[0]!r}; choose from {', '.join(SCALES)}")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        fail_setup("BENCH_DATABASE_URL must point at PostgreSQL")
    if not reachable(args.database_url, 5432):
        fail_setup(f"PostgreSQL is not reachable at {args.database_url}")
    if not reachable(args.redis_url, 6379):
        fail_setup(f"Redis is not reachable at {args.redis_url}")
    budgets = tomllib.loads((BENCH / "budgets.toml").read_text())
    workdir = Path(tempfile.mkdtemp(prefix="ct-bench-"))
    started = time.perf_counter()
    results = {
        "machine": machine(),
        "requests": args.requests,
        "warmup": args.warmup,
        "scales": {},
    }
    try:
        import psycopg2

        with psycopg2.connect(args.database_url) as connection, connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            results["postgresql"] = "PostgreSQL " + cursor.fetchone()[0].split()[0]
        results["scales"] = run_scales(scales, args, workdir)
    except RuntimeError as error:
        print(f"bench: {error}", file=sys.stderr)
        print(f"bench: logs in {workdir}", file=sys.stderr)
        raise SystemExit(1) from error
    results["finished"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["seconds"] = round(time.perf_counter() - started)
    checks = check_budgets(results, budgets)
    results["budgets"] = checks
    output = Path(args.output)
    (output / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (output / "RESULTS.md").write_text(markdown(results, checks))
    shutil.rmtree(workdir, ignore_errors=True)
    missed = [check for check in checks if check["ok"] is False and not check.get("goal")]
    log(f"done in {results['seconds']} s; {len(checks) - len(missed)}/{len(checks)} budgets met")
    for check in missed:
        print(f"MISSED {check['budget']}: {check['measured']}", file=sys.stderr)
    raise SystemExit(1 if missed else 0)


if __name__ == "__main__":
    main()
