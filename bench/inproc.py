"""The benchmark's in-process side (run by bench/run.py with DATABASE_URL set):

    python bench/inproc.py prepare            accounts, a session per persona, a partner token
    python bench/inproc.py queries TARGETS     queries per request (cold: first after a data
                                               change; warm: the next) and the
                                               raw SQL time of every query a page runs
    python bench/inproc.py cold_after TARGETS  each page's first view after a draft edit and
                                               after an acceptance (through the services)
    python bench/inproc.py count_writes RUN    rows the load test's writes left, by kind
    python bench/inproc.py webhooks            an acceptance of 500 actions delivered to 20
                                               webhook endpoints by one worker (issue 18)

Prints one JSON object on stdout.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compact_tracker.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from compact_tracker import pagecache  # noqa: E402
from parliaments.models import Parliament, Profile, Role  # noqa: E402
from parliaments.services import api_token_create  # noqa: E402

PERSONAS = {
    "secretariat": (Role.SECRETARIAT, None),
    "editor": (Role.EDITOR, "MA"),
    "partner": (Role.PARTNER, None),
}
SQL_REPEATS = 7


def _user(persona):
    role, iso2 = PERSONAS[persona]
    user, created = get_user_model().objects.get_or_create(username=f"bench.{persona}")
    if created:
        user.set_unusable_password()
        user.save()
        parliament = Parliament.objects.get(iso2=iso2) if iso2 else None
        Profile.objects.create(user=user, role=role, parliament=parliament)
    return user


# Editors of several parliaments write during the writes phase; MA stays the readers'.
WRITER_PARLIAMENTS = 4
WRITER_ACTIONS = 10


def _staff(username, role, parliament):
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
        Profile.objects.create(user=user, role=role, parliament=parliament)
    return user


def _writers():
    """A token and some draft actions (id and version) for an editor of each of several
    parliaments that have a current plan."""
    from parliaments.models import Action

    writers = []
    parliaments = (
        Parliament.objects.exclude(iso2="MA")
        .filter(actions__is_published_copy=False)
        .distinct()
        .order_by("iso2")[:WRITER_PARLIAMENTS]
    )
    for parliament in parliaments:
        editor = _staff(f"bench.editor.{parliament.iso2.lower()}", Role.EDITOR, parliament)
        _token, key = api_token_create(user=editor, name="benchmark writes")
        actions = Action.objects.drafts().filter(parliament=parliament).order_by("pk")
        writers.append(
            {
                "parliament": parliament.iso2,
                "token": key,
                "actions": [
                    {"uid": str(uid), "version": version}
                    for uid, version in actions.values_list("uid", "version")[:WRITER_ACTIONS]
                ],
            }
        )
    return writers


def prepare():
    sessions = {}
    for persona in ("secretariat", "editor"):
        client = Client()
        client.force_login(_user(persona))
        sessions[persona] = client.cookies["sessionid"].value
    _token, key = api_token_create(user=_user("partner"), name="benchmark")
    writers = _writers()
    # The load test's focal point submits for the first writer's parliament; the
    # secretariat accepts.
    focal = _staff(
        "bench.focal",
        Role.FOCAL_POINT,
        Parliament.objects.get(iso2=writers[0]["parliament"]),
    )
    _token, focal_key = api_token_create(user=focal, name="benchmark")
    _token, secretariat_key = api_token_create(user=_user("secretariat"), name="benchmark")
    return {
        "sessions": sessions,
        "token": key,
        "writers": writers,
        "focal_token": focal_key,
        "secretariat_token": secretariat_key,
    }


def _client(persona, creds):
    if persona == "partner":
        return Client(HTTP_AUTHORIZATION=f"Token {creds['token']}")
    client = Client()
    if persona in creds["sessions"]:
        client.cookies["sessionid"] = creds["sessions"][persona]
    return client


def _raw_ms(sql):
    """Median time the database needs for one query, run on its own."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(SQL_REPEATS):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def queries(targets, creds):
    result = {}
    for target in targets:
        client = _client(target["persona"], creds)
        pagecache.bump()  # as after a reference change: every cached page is stale
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as cold:
            response = client.get(target["path"])
        cold_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{target['path']} answered {response.status_code}")
        with CaptureQueriesContext(connection) as warm:
            client.get(target["path"])
        timings = [
            (_raw_ms(query["sql"]), query["sql"])
            for query in cold.captured_queries
            if query["sql"].lstrip().upper().startswith("SELECT")
        ]
        slowest = max(timings, default=(0.0, ""))
        result[target["name"]] = {
            "cold_ms": round(cold_ms, 1),
            "queries_cold": len(cold.captured_queries),
            "queries_warm": len(warm.captured_queries),
            "sql_total_ms": round(sum(ms for ms, _sql in timings), 2),
            "sql_main_ms": round(slowest[0], 2),
            "sql_main": slowest[1][:2000],
            "bytes": len(response.content),
        }
    return result


def _first_views(targets, creds, change):
    """Each page's first view in-process after `change()` (a real write through the
    services, committed), each page after its own write."""
    times = {}
    for target in targets:
        if target["name"] == "floor":
            continue
        client = _client(target["persona"], creds)
        client.get(target["path"])  # warm
        change()
        started = time.perf_counter()
        response = client.get(target["path"])
        times[target["name"]] = round((time.perf_counter() - started) * 1000, 1)
        if response.status_code != 200:
            raise SystemExit(f"{target['path']} answered {response.status_code}")
    return times


def cold_after(targets, creds):
    """The first view of every page after a draft edit (an editor of another parliament
    saves an action) and after an acceptance (the secretariat accepts a report). Timed as
    a recomputation: no page is served from its previous copy (pagecache.STALE_SECONDS),
    which a reader who did not write would otherwise get for a few seconds."""
    pagecache.STALE_SECONDS = 0
    from commitments.models import Cycle
    from parliaments import services
    from parliaments.models import Action, Submission

    writer = creds["writers"][0]
    parliament = Parliament.objects.get(iso2=writer["parliament"])
    editor = get_user_model().objects.get(username=f"bench.editor.{parliament.iso2.lower()}")
    focal = get_user_model().objects.get(username="bench.focal")
    secretariat = _user("secretariat")
    edits = iter(range(10_000))

    def draft_edit():
        action = Action.objects.drafts().filter(parliament=parliament).order_by("pk").first()
        services.action_update(
            actor=editor,
            action=action,
            expected_version=action.version,
            description=f"bench draft edit {next(edits)}",
        )

    cycle = Cycle.objects.get(code="2021-progress")

    def acceptance():
        submission = services.submission_for(parliament, cycle)
        if submission.status != Submission.Status.SUBMITTED:
            services.submission_submit(actor=focal, submission=submission)
        submission.refresh_from_db()
        services.submission_accept(actor=secretariat, submission=submission)

    return {
        "after_draft_edit_ms": _first_views(targets, creds, draft_edit),
        "after_acceptance_ms": _first_views(targets, creds, acceptance),
    }


def count_writes(run):
    """What the load test's writes (each marked with `run`) left in the database."""
    from parliaments.models import Action, ProgressUpdate, SubmissionEvent

    events = SubmissionEvent.objects.filter(text__contains=run)
    return {
        "action_edit": Action.history.filter(description__contains=run).count(),
        "progress_update": ProgressUpdate.objects.drafts().filter(narrative__contains=run).count(),
        "submit": events.filter(kind__in=["submitted", "resubmitted"]).count(),
        "accept": events.filter(kind="accepted").count(),
    }


WEBHOOK_ACTIONS = 500
WEBHOOK_ENDPOINTS = 20


def webhooks():
    """Issue 18's figure: a parliament with WEBHOOK_ACTIONS actions is accepted, and one
    worker (this process, running what the Celery tasks run) fans the changes out and
    delivers them to WEBHOOK_ENDPOINTS endpoints that want every event, served by an HTTP
    receiver on 127.0.0.1. Timed from the acceptance's commit to the last delivery."""
    import http.server
    import threading

    from django.conf import settings
    from django.db.models import Max

    from commitments.models import Commitment, Cycle, Objective
    from parliaments import services
    from parliaments.models import Action, PlanOfAction, PublicationChange, Submission
    from parliaments.webhooks import services as hooks
    from parliaments.webhooks.models import EVENT_NAMES, WebhookCursor, WebhookEndpoint

    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(len(json.loads(body)["events"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    # What was published before is not part of the figure.
    WebhookEndpoint.objects.filter(owner__username="bench.partner").delete()
    last = PublicationChange.objects.aggregate(last=Max("id"))["last"] or 0
    WebhookCursor.objects.update_or_create(pk=1, defaults={"last_change_id": last})

    plan = (
        PlanOfAction.objects.drafts()
        .filter(is_current=True)
        .exclude(parliament__iso2="MA")
        .order_by("-parliament__iso2")
        .select_related("parliament")
        .first()
    )
    parliament = plan.parliament
    drafts = Action.objects.drafts().filter(parliament=parliament)
    missing = WEBHOOK_ACTIONS - drafts.count()
    if missing > 0:
        added = Action.objects.bulk_create(
            Action(
                plan=plan,
                parliament=parliament,
                title=f"Benchmark action {number}",
                description="Committee hearing with migrant associations.",
                action_type="oversight",
                completion="limited",
            )
            for number in range(missing)
        )
        objective, commitment = Objective.objects.get(number=7), Commitment.objects.first()
        Action.objectives.through.objects.bulk_create(
            Action.objectives.through(action_id=a.pk, objective_id=objective.pk) for a in added
        )
        Action.commitments.through.objects.bulk_create(
            Action.commitments.through(action_id=a.pk, commitment_id=commitment.pk) for a in added
        )
    # Every action changed since the last acceptance, so each is an event.
    marker = f"webhooks benchmark {time.time()}"
    drafts.update(description=marker)
    partner = _user("partner")
    endpoints = [
        hooks.endpoint_create(
            owner=partner,
            url=f"http://127.0.0.1:{server.server_address[1]}/{number}",
            events=list(EVENT_NAMES),
        )
        for number in range(WEBHOOK_ENDPOINTS)
    ]
    focal = _staff("bench.focal.webhooks", Role.FOCAL_POINT, parliament)
    submission = services.submission_for(parliament, Cycle.objects.get(code="2021-progress"))
    if submission.status != Submission.Status.SUBMITTED:
        services.submission_submit(actor=focal, submission=submission)
    submission.refresh_from_db()
    started = time.perf_counter()
    services.submission_accept(actor=_user("secretariat"), submission=submission)
    accepted = time.perf_counter()
    deliveries = 0
    while written := hooks.fan_out():
        deliveries += written
    delivered = sum(hooks.deliver(endpoint.pk) for endpoint in endpoints)
    finished = time.perf_counter()
    server.shutdown()
    WebhookEndpoint.objects.filter(pk__in=[e.pk for e in endpoints]).delete()
    return {
        "parliament": parliament.iso2,
        "actions": drafts.count(),
        "endpoints": len(endpoints),
        "deliveries": deliveries,
        "delivered": delivered,
        "events": sum(received),
        "accept_s": round(accepted - started, 1),
        "deliver_s": round(finished - accepted, 1),
        "total_s": round(finished - started, 1),
    }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        output = prepare()
    elif command == "queries":
        payload = json.loads(Path(sys.argv[2]).read_text())
        output = queries(payload["targets"], payload["creds"])
    elif command == "cold_after":
        payload = json.loads(Path(sys.argv[2]).read_text())
        output = cold_after(payload["targets"], payload["creds"])
    elif command == "count_writes":
        output = count_writes(sys.argv[2])
    elif command == "webhooks":
        output = webhooks()
    else:
        raise SystemExit(f"unknown command {command!r}")
    sys.stdout.write(json.dumps(output) + "\n")
