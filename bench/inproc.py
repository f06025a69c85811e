"""The benchmark's in-process side (run by bench/run.py with DATABASE_URL set):

    python bench/inproc.py prepare            accounts, a session per persona, a partner token
    python bench/inproc.py queries TARGETS     queries per request (cold: first after a data
                                               change; warm: the next) and the
                                               raw SQL time of every query a page runs

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


def prepare():
    sessions = {}
    for persona in ("secretariat", "editor"):
        client = Client()
        client.force_login(_user(persona))
        sessions[persona] = client.cookies["sessionid"].value
    _token, key = api_token_create(user=_user("partner"), name="benchmark")
    return {"sessions": sessions, "token": key}


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


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        output = prepare()
    elif command == "queries":
        payload = json.loads(Path(sys.argv[2]).read_text())
        output = queries(payload["targets"], payload["creds"])
    else:
        raise SystemExit(f"unknown command {command!r}")
    sys.stdout.write(json.dumps(output) + "\n")
