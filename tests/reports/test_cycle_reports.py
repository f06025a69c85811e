"""Cycle reports: figures, formats, idempotency, visibility, the command, and a build
through a real Celery worker (CI)."""

import io
import json
import os
import signal
import subprocess
import uuid
import zipfile
from pathlib import Path

import jsonschema
import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from commitments.models import Cycle
from parliaments.models import Parliament
from reports import content, services
from reports.models import Report
from tests import workers
from tests.factories import ActionFactory, make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def request(**kwargs):
    options = {
        "actor": None,
        "cycle": Cycle.objects.get(code="2021-progress"),
        "scope": "global",
        "language": "en",
        "formats": ["json", "xlsx", "csv", "pdf", "html"],
    }
    options.update(kwargs)
    return services.report_request(**options)


def build(report):
    assert services.report_build(report.pk)
    report.refresh_from_db()
    return report


def file_bytes(report, file_format):
    return report.files.get(format=file_format).file.read()


def test_global_2021_report_figures(known, django_capture_on_commit_callbacks):
    report, created = request()
    assert created and report.status == "queued"
    report = build(report)
    assert (report.status, report.progress, report.version) == ("succeeded", 100, 1)

    data = json.loads(file_bytes(report, "json"))
    jsonschema.validate(data, content.JSON_SCHEMA)
    # Published data only: Morocco's accepted 2021 report published its plan and actions.
    assert data["summary"]["plan_adoption"] == {"on_time": 1, "late": 0, "none": 179}
    assert data["summary"]["report_compliance"] == {"on_time": 1, "late": 0, "none": 179}
    assert data["summary"]["completion"]["complete"] == 1
    assert data["summary"]["completion"]["withdrawn"] == 1
    assert {a["title"] for a in data["actions"]} == {"MA complete", "MA withdrawn"}
    assert "Mexico" in data["parliaments_without_plan"]

    sheet = load_workbook(io.BytesIO(file_bytes(report, "xlsx")))["parliaments"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["MA"][4] == "On time" and rows["MA"][6] == 2
    assert rows["KE"][4] == "No plan"

    with zipfile.ZipFile(io.BytesIO(file_bytes(report, "csv"))) as archive:
        assert {"parliaments.csv", "objectives.csv", "actions.csv"} <= set(archive.namelist())
        assert "MA complete" in archive.read("actions.csv").decode()

    pdf = pypdf.PdfReader(io.BytesIO(file_bytes(report, "pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) >= 5
    assert "Progress report to the IPU" in pdf.pages[0].extract_text()
    assert "Contents" in pdf.pages[0].extract_text()
    for heading in ("Summary", "GCM objectives", "Rabat commitments", "Annex: actions"):
        assert heading in text
    assert "2 / " in pdf.pages[1].extract_text()  # page numbers


def test_internal_report_of_a_parliament_includes_drafts(known):
    mexico = Parliament.objects.get(iso2="MX")
    report, _created = request(
        scope="parliament", parliament=mexico, internal=True, formats=["json"]
    )
    data = json.loads(file_bytes(build(report), "json"))
    assert [a["title"] for a in data["actions"]] == ["MX limited"]
    assert data["summary"]["parliaments"] == 1


def test_same_data_reuses_the_report_and_new_data_makes_a_version(known):
    first, created = request(formats=["json"])
    build(first)
    again, created_again = request(formats=["json"])
    assert (again.pk, created_again) == (first.pk, False)

    from parliaments.models import PlanOfAction

    draft_plan = PlanOfAction.objects.get(parliament__iso2="MA", is_published_copy=False)
    ActionFactory(plan=draft_plan, title="A new draft")  # drafts: not in a published report
    same, created_same = request(formats=["json"])
    assert same.pk == first.pk and not created_same

    # The internal report counts drafts: a new draft makes a new version of it.
    morocco = Parliament.objects.get(iso2="MA")
    internal = {"formats": ["json"], "scope": "parliament", "internal": True}
    internal["parliament"] = morocco
    before, _created = request(**internal)
    build(before)
    ActionFactory(plan=draft_plan, title="Another new draft")
    after, created_after = request(**internal)
    assert created_after and after.pk != before.pk
    assert (before.version, after.version) == (1, 2)


def test_a_duplicate_delivery_does_nothing(known):
    report, _created = request(formats=["json"])
    assert services.report_build(report.pk, task_id="first") is True
    assert services.report_build(report.pk, task_id="duplicate") is False
    assert report.files.count() == 1


def test_redelivery_of_the_same_task_after_a_crash_rebuilds_once(known):
    report, _created = request(formats=["json"])
    Report.objects.filter(pk=report.pk).update(status="running", task_id="crashed-task")
    assert services.report_build(report.pk, task_id="other-task") is False
    assert services.report_build(report.pk, task_id="crashed-task") is True
    report.refresh_from_db()
    assert report.status == "succeeded" and report.attempts == 1
    assert Report.objects.filter(status="succeeded").count() == 1


def test_a_failure_is_recorded_and_can_be_retried(
    known, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import tasks

    report, _created = request(formats=["json"])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(content, "build", broken)
    with pytest.raises(RuntimeError):
        tasks.build_report.apply(args=[report.pk], throw=True)
    report.refresh_from_db()
    assert report.status == "failed" and "disk full" in report.error
    monkeypatch.undo()
    reviewer = known["client"]
    with django_capture_on_commit_callbacks(execute=True):  # the build is sent on commit
        response = reviewer.post(f"/reports/{report.pk}/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "succeeded" and report.attempts == 2
    assert report.files.count() == 1


def test_visibility_of_reports_and_files(known):
    morocco = Parliament.objects.get(iso2="MA")
    internal, _c = request(scope="parliament", parliament=morocco, internal=True, formats=["json"])
    public, _c = request(formats=["json"])
    build(internal), build(public)
    editor_ma, editor_mx, partner = (Client() for _ in range(3))
    editor_ma.force_login(make_user("editor.ma", "editor", "MA"))
    editor_mx.force_login(make_user("editor.mx", "editor", "MX"))
    partner.force_login(make_user("partner.iom", "partner"))
    for client, allowed in (
        (editor_ma, True),
        (editor_mx, False),
        (partner, False),
        (Client(), False),
    ):
        assert (client.get(f"/reports/{internal.pk}/json/").status_code == 200) is allowed
        assert (client.get(f"/reports/{internal.pk}/").status_code == 200) is allowed
        assert client.get(f"/reports/{public.pk}/json/").status_code == 200
    assert "internal" not in partner.get("/reports/").content.decode()


def test_staff_can_only_request_their_own_internal_report(known):
    editor = Client()
    editor.force_login(make_user("editor.mx", "editor", "MX"))
    response = editor.post(
        "/reports/", {"cycle": "2021-progress", "language": "fr", "formats": ["json"]}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.scope, report.parliament.iso2, report.internal) == ("parliament", "MX", True)
    assert Client().post("/reports/", {"cycle": "2021-progress"}).status_code == 403


def test_report_form_errors(known):
    response = known["client"].post(
        "/reports/", {"cycle": "2021-progress", "scope": "region", "language": "en"}
    )
    html = response.content.decode()
    assert "Choose the region." in html and "This field is required." in html
    assert not Report.objects.exists()


def test_build_report_command_waits_and_prints_files(known, monkeypatch):
    # No worker in unit tests: the dispatch builds at once (the real worker is below).
    monkeypatch.setattr(services, "dispatch", lambda report: services.report_build(report.pk))
    out = io.StringIO()
    call_command(
        "build_report",
        "--cycle",
        "2019-plan",
        "--scope",
        "region",
        "--region",
        "africa",
        "--formats",
        "json,xlsx",
        "--language",
        "fr",
        "--wait",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Queued report")
    assert any(line.endswith(".json") for line in lines) and any(
        line.endswith(".xlsx") for line in lines
    )
    for bad in (
        ["--cycle", "2099"],
        ["--cycle", "2019-plan", "--region", "mars"],
        ["--cycle", "2019-plan", "--formats", "doc"],
    ):
        with pytest.raises(CommandError) as error:
            call_command("build_report", *bad, "--scope", "global")
        assert error.value.returncode == 2


def test_build_report_command_builds_a_country_profile(known, monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda report: services.report_build(report.pk))
    out = io.StringIO()
    call_command("build_report", "--profile", "--parliament", "ma", "--wait", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Queued report") and "profile" in lines[0]
    assert sorted(line.rsplit(".", 1)[1] for line in lines[1:]) == ["html", "json", "pdf"]
    for bad in (["--profile"], ["--profile", "--parliament", "zz"], ["--scope", "global"]):
        with pytest.raises(CommandError) as error:
            call_command("build_report", *bad)
        assert error.value.returncode == 2


def test_french_report_uses_the_catalogue(known):
    report, _c = request(language="fr", formats=["html"])
    html = file_bytes(build(report), "html").decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Résumé" in html and "Sommaire" in html


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_build_report_through_a_real_worker(reference_data, broker_url, shared_test_database):
    """`build_report --wait` against a real worker: the worker uses the same test
    database, so the report it builds is the one the command waits for."""

    queue = f"ct-reports-{uuid.uuid4().hex[:8]}"
    worker = workers.worker(queue, CELERY_QUEUE=queue)
    try:
        from reports import tasks

        tasks.build_report.app.conf.task_default_queue = queue
        out = io.StringIO()
        call_command(
            "build_report",
            "--cycle",
            "2021-progress",
            "--scope",
            "global",
            "--formats",
            "pdf,xlsx,csv,json",
            "--wait",
            "--timeout",
            "120",
            stdout=out,
        )
        files = out.getvalue().splitlines()[1:]
        assert sorted(Path(f).suffix for f in files) == [".json", ".pdf", ".xlsx", ".zip"]
    finally:
        tasks.build_report.app.conf.task_default_queue = "celery"
        worker.send_signal(signal.SIGTERM)
        try:
            worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert Report.objects.get().status == "succeeded"


def _wait_ready(worker, timeout=60):
    return workers.wait_ready(worker, timeout)


def _worker(queue, **env):
    return workers.worker(queue, pool="prefork", **env)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_report_survives_a_worker_killed_mid_build(
    reference_data, broker_url, shared_test_database
):
    """SIGKILL the worker while it builds; a new worker gets the redelivered task (acks_late,
    reject_on_worker_lost, a short visibility timeout for the test) and finishes it once."""
    import time as clock

    from reports import tasks

    queue = f"ct-crash-{uuid.uuid4().hex[:8]}"
    first = _worker(queue, CELERY_VISIBILITY_TIMEOUT="6", REPORTS_STAGE_DELAY_MS="2000")
    second = None
    tasks.build_report.app.conf.task_default_queue = queue
    try:
        report, _created = request(formats=["json", "xlsx"])  # dispatched at once: autocommit
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline:
            report.refresh_from_db()
            if report.status == "running" and report.progress >= 10:
                break
            clock.sleep(0.2)
        assert report.status == "running", "the first worker never started the build"
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool child, mid-build
        first.wait(timeout=10)

        second = _worker(queue, CELERY_VISIBILITY_TIMEOUT="6")
        deadline = clock.monotonic() + 90
        while clock.monotonic() < deadline:
            report.refresh_from_db()
            if report.status in ("succeeded", "failed"):
                break
            clock.sleep(0.5)
        assert report.status == "succeeded", report.error
        assert report.attempts == 2
        assert Report.objects.filter(status="succeeded").count() == 1
        assert sorted(report.files.values_list("format", flat=True)) == ["json", "xlsx"]
    finally:
        tasks.build_report.app.conf.task_default_queue = "celery"
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.communicate(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)


def test_reports_api_lists_with_the_same_visibility(known):
    morocco = Parliament.objects.get(iso2="MA")
    internal, _c = request(scope="parliament", parliament=morocco, internal=True, formats=["json"])
    public, _c = request(formats=["json", "pdf"])
    build(internal), build(public)
    anonymous = Client().get("/api/v1/reports/").json()
    assert [r["id"] for r in anonymous["results"]] == [public.pk]
    assert set(anonymous["results"][0]["files"]) == {"json", "pdf"}
    editor = Client()
    editor.force_login(make_user("editor.ma", "editor", "MA"))
    assert {r["id"] for r in editor.get("/api/v1/reports/").json()["results"]} == {
        internal.pk,
        public.pk,
    }
    assert Client().get(f"/api/v1/reports/{internal.pk}/").status_code == 404


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_request_made_while_redis_is_down_is_built_after_it_restarts(
    reference_data, broker_url, shared_test_database, tmp_path, monkeypatch
):
    """A private Redis on another port is stopped: the request is saved as queued and the
    page says so; Redis restarts; the sweeper sends it and a worker builds it."""
    import shutil
    import socket
    import time as clock

    from django.utils import timezone

    from compact_tracker.celery import app
    from parliaments.models import Profile

    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.fail("redis-server is needed for this test")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"

    def start_redis():
        process = subprocess.Popen(  # noqa: S603
            [
                redis_server,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return process
            clock.sleep(0.1)
        pytest.fail("the private Redis did not start")

    previous = app.conf.broker_url
    redis = start_redis()
    # The private Redis is this test's alone: its worker takes the default queue, where
    # the app sends builds (through the outbox and the sweepers).
    queue = "celery"
    worker = _worker(queue, REDIS_URL=url)
    log = _wait_ready(worker)
    app.conf.broker_url = url
    _reset_producers(app)
    try:
        redis.terminate()
        redis.wait(timeout=10)  # the broker is down

        reviewer = make_user("secretariat.reviewer", "secretariat")
        assert Profile.objects.filter(user=reviewer).exists()
        client = Client()
        client.force_login(reviewer)
        started = clock.monotonic()
        response = client.post(
            "/reports/",
            {"cycle": "2021-progress", "scope": "global", "language": "en", "formats": ["json"]},
            follow=True,
        )
        assert clock.monotonic() - started < 30, "a request must not hang while Redis is down"
        report = Report.objects.get()
        assert report.status == "queued"
        assert "Queued: the build starts as soon as a worker is free" in response.content.decode()

        redis = start_redis()  # the broker is back
        _reset_producers(app)
        Report.objects.filter(pk=report.pk).update(
            created_at=timezone.now() - timezone.timedelta(minutes=10)
        )
        assert services.reports_sweep() == 1
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline and report.status != "succeeded":
            clock.sleep(2)
            report.refresh_from_db()
            if report.status == "queued":
                services.reports_sweep()  # as beat does every two minutes
        assert report.status == "succeeded", "".join(log[-40:])
    finally:
        app.conf.broker_url = previous
        _reset_producers(app)
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        redis.terminate()


def _reset_producers(app):
    """Forget pooled broker connections and producers: the next send connects anew."""
    app._pool = None
    app.amqp._producer_pool = None


# --- Large reports: the annex is streamed; HTML and PDF cut what no one can read ------------


def _draft_plan(iso2="MA"):
    from parliaments.models import PlanOfAction

    return PlanOfAction.objects.get(parliament__iso2=iso2, is_published_copy=False)


def _internal(iso2="MA", **kwargs):
    options = {
        "scope": "parliament",
        "parliament": Parliament.objects.get(iso2=iso2),
        "internal": True,
    }
    options.update(kwargs)
    return request(**options)[0]


def _materialised(value):
    if isinstance(value, content.Rows | list):
        return [_materialised(item) for item in value]
    if isinstance(value, dict):
        return {key: _materialised(item) for key, item in value.items()}
    return value


def _pdf_text(report):
    pdf = pypdf.PdfReader(io.BytesIO(file_bytes(report, "pdf")))
    return " ".join(" ".join(page.extract_text() for page in pdf.pages).split())


def test_a_report_over_the_limit_refers_readers_to_the_files_for_its_annex(known, monkeypatch):
    from reports import render

    monkeypatch.setattr(render, "HTML_ANNEX_LIMIT", 2)
    for n in range(3):
        ActionFactory(plan=_draft_plan(), title=f"Draft action {n}", links="R8.1")
    report = build(_internal())  # MA's drafts: 2 actions of the fixture and these 3

    html = file_bytes(report, "html").decode()
    assert "This report covers 5 actions: too many to list here." in html
    assert 'class="annex-line"' not in html and "Draft action 1" not in html
    assert "This report covers 5 actions: too many to list here." in _pdf_text(report)

    titles = {f"Draft action {n}" for n in range(3)} | {"MA complete", "MA withdrawn"}
    data = json.loads(file_bytes(report, "json"))
    jsonschema.validate(data, content.JSON_SCHEMA)
    assert {a["title"] for a in data["actions"]} == titles
    sheet = load_workbook(io.BytesIO(file_bytes(report, "xlsx")))["actions"]
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == titles
    with zipfile.ZipFile(io.BytesIO(file_bytes(report, "csv"))) as archive:
        lines = archive.read("actions.csv").decode().splitlines()
    assert len(lines) == 6 and all(any(t in line for line in lines) for t in titles)


def test_a_report_within_the_limit_lists_its_actions_in_html_and_pdf(known):
    report = build(_internal(formats=["html", "pdf"]))
    html = file_bytes(report, "html").decode()
    assert "too many to list here" not in html
    assert html.count('class="annex-line"') == 2 and "<b>MA complete</b>" in html
    text = _pdf_text(report)
    assert "MA complete" in text and "too many to list here" not in text


def test_html_shows_the_first_good_practices_and_says_how_many_there_are(known, monkeypatch):
    from reports import render

    monkeypatch.setattr(render, "HTML_GOOD_PRACTICES_LIMIT", 2)
    for n in range(3):
        ActionFactory(plan=_draft_plan(), title=f"Practice {n}", is_good_practice=True)
    report = build(_internal(formats=["html", "json", "xlsx"]))
    html = file_bytes(report, "html").decode()
    assert "The first 2 of 3 good practices." in html
    assert "Practice 1" in html and "<td>Practice 2</td>" not in html
    data = json.loads(file_bytes(report, "json"))
    assert [g["title"] for g in data["good_practices"]] == [f"Practice {n}" for n in range(3)]
    sheet = load_workbook(io.BytesIO(file_bytes(report, "xlsx")))["good_practices"]
    assert sheet.max_row == 4


def test_imrf_report_caps_the_action_titles_under_each_objective(known, monkeypatch):
    from reports import render

    monkeypatch.setattr(render, "HTML_OBJECTIVE_TITLES_LIMIT", 1)
    ActionFactory(plan=_draft_plan(), title="A third action")  # objectives 7 and 15
    report = build(_internal(cycle=Cycle.objects.get(code="2022-imrf"), formats=["html", "json"]))
    html = file_bytes(report, "html").decode()
    assert html.count("and 2 more actions (see the annex in the XLSX, CSV and JSON files)") == 2
    assert html.count("<li>Morocco: A third action</li>") == 2  # first in each list
    objectives = {o["number"]: o for o in json.loads(file_bytes(report, "json"))["objectives"]}
    assert objectives[7]["action_titles"] == [
        "Morocco: A third action",
        "Morocco: MA complete",
        "Morocco: MA withdrawn",
    ]
    assert objectives[15]["action_titles"] == objectives[7]["action_titles"]
    assert objectives[1]["action_titles"] == []


def test_streamed_json_is_the_content_itself(known, monkeypatch, tmp_path):
    """Read in chunks of two actions, written piece by piece: the same text as
    json.dumps of the whole content, every action with its own commitments and objectives."""
    from django.utils import translation

    from reports import render

    monkeypatch.setattr(content, "CHUNK_SIZE", 2)
    for n in range(4):
        action = ActionFactory(plan=_draft_plan(), title=f"Chunked {n}", links="R8.1")
        action.objectives.set(action.objectives.filter(number=7) if n % 2 else [])
    report = _internal(cycle=Cycle.objects.get(code="2022-imrf"), formats=["json"])
    with translation.override("en"):
        data = content.build(report)
        render.write_json(data, tmp_path / "report.json")
    expected = _materialised(data)
    text = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert text == json.dumps(expected, ensure_ascii=False, indent=2)
    actions = {a["title"]: a for a in expected["actions"]}
    assert len(actions) == 6
    assert [actions[f"Chunked {n}"]["objectives"] for n in range(4)] == [[], [7], [], [7]]
    assert actions["Chunked 0"]["commitments"] == ["R8.1"]
    assert actions["MA complete"]["commitments"] == ["R7a.2"]
    assert actions["MA complete"]["objectives"] == [7, 15]


def test_report_files_are_stored_with_their_sizes(known):
    report = build(_internal())
    stored = {f.format: f for f in report.files.all()}
    assert set(stored) == {"csv", "html", "json", "pdf", "xlsx"}
    for file_format, record in stored.items():
        payload = record.file.read()
        assert record.size == len(payload) > 0
        assert record.file.name.endswith("." + {"csv": "zip"}.get(file_format, file_format))
    assert stored["pdf"].file.open("rb").read(5) == b"%PDF-"
    assert zipfile.is_zipfile(stored["csv"].file.path) and zipfile.is_zipfile(
        stored["xlsx"].file.path
    )


def test_progress_keeps_moving_while_the_annex_is_written(known, monkeypatch):
    from reports import render

    monkeypatch.setattr(content, "CHUNK_SIZE", 2)
    monkeypatch.setattr(render, "PROGRESS_EVERY", 1)
    for n in range(8):
        ActionFactory(plan=_draft_plan(), title=f"Step {n}")
    calls = []
    monkeypatch.setattr(
        services, "_set_progress", lambda pk, attempt, p, s: calls.append((p, str(s)))
    )
    report = build(_internal(formats=["csv", "json", "xlsx"]))
    assert report.progress == 100
    percents = [p for p, _stage in calls]
    assert percents == sorted(percents) and percents[-1] < 100
    for stage in ("Writing CSV", "Writing JSON", "Writing XLSX"):
        assert len({p for p, s in calls if s == stage}) >= 5, calls


def test_report_queries_do_not_grow_with_the_number_of_actions(known):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        Report.objects.all().delete()
        report = _internal(formats=["json", "xlsx", "csv", "html"])
        with CaptureQueriesContext(connection) as captured:
            build(report)
        return len(captured)

    few = queries()
    for n in range(40):
        ActionFactory(plan=_draft_plan(), title=f"More {n}")
    assert queries() == few


def test_html_and_pdf_show_the_first_parliaments_and_point_to_the_files(known, monkeypatch):
    from reports import render

    monkeypatch.setattr(render, "HTML_PARLIAMENTS_LIMIT", 10)
    total = Parliament.objects.filter(is_ipu_member=True).count()
    report = build(request(formats=["html", "pdf", "json"])[0])
    html = file_bytes(report, "html").decode()
    note = f"The first 10 of {total} parliaments. The full table is in the XLSX, CSV and JSON"
    assert note in html and note in _pdf_text(report)
    parliaments = html.split('id="parliaments"')[1].split("</table>")[0]
    assert parliaments.count("<tr>") == 11  # the header and 10 parliaments
    without_plan = json.loads(file_bytes(report, "json"))["parliaments_without_plan"]
    assert f"and {len(without_plan) - 10} more (the full list is in" in html
    assert len(json.loads(file_bytes(report, "json"))["parliaments"]) == total


def test_a_french_report_ends_with_its_stage_in_french(known):
    report = build(request(language="fr", formats=["json"])[0])
    assert report.status == "succeeded" and report.stage == "Terminé"


def test_who_may_request_what_is_decided_by_the_service_for_every_caller(known):
    """The rule lives in permissions.can_request_report and services.report_request: the
    web form, the command and any future caller get the same answer."""
    editor = make_user("editor.mx.requests", "editor", "MX")
    morocco, mexico = (Parliament.objects.get(iso2=c) for c in ("MA", "MX"))
    before = Report.objects.count()
    for options in (
        {"scope": "global"},
        {"scope": "parliament", "parliament": morocco, "internal": True},
        {"scope": "parliament", "parliament": mexico},  # public: the secretariat's call
    ):
        with pytest.raises(services.ReportError, match="your own parliament's internal"):
            request(actor=editor, formats=["json"], **options)
    assert Report.objects.count() == before
    own, created = request(
        actor=editor, formats=["json"], scope="parliament", parliament=mexico, internal=True
    )
    assert created and own.requested_by == editor


def test_only_a_parliaments_report_can_be_internal_from_the_command_and_the_form(known):
    with pytest.raises(CommandError, match="Only a parliament's report can be internal") as error:
        call_command(
            "build_report",
            "--cycle",
            "2021-progress",
            "--scope",
            "global",
            "--internal",
            stdout=io.StringIO(),
        )
    assert error.value.returncode == 2
    response = known["client"].post(
        "/reports/",
        {
            "cycle": "2021-progress",
            "scope": "global",
            "internal": "on",
            "language": "en",
            "formats": ["json"],
        },
    )
    assert response.status_code == 200
    assert "Only a parliament&#x27;s report can be internal." in response.content.decode()
    assert not Report.objects.filter(internal=True).exists()


def test_a_french_report_gives_the_parliaments_french_text_and_marks_the_rest(known):
    """Issue 16: a report built in French shows a parliament's text in French where the
    parliament translated it, else as written, marked with its language."""
    from parliaments.models import Action, ProgressUpdate

    Action.objects.filter(title="MA complete").update(title_in_fr="MA achevée")
    ProgressUpdate.objects.filter(action__title="MA complete").update(
        narrative_in_fr="Deux auditions tenues."
    )
    report = build(request(language="fr", formats=["json", "html"])[0])
    data = json.loads(file_bytes(report, "json"))
    assert {a["title"]: a["title_language"] for a in data["actions"]} == {
        "MA achevée": "fr",
        "MA withdrawn": "en",
    }
    narratives = {p["narrative"]: p["narrative_language"] for p in data["progress"]}
    assert narratives["Deux auditions tenues."] == "fr"
    html = file_bytes(report, "html").decode()
    assert "<b>MA achevée</b>" in html
    assert '<b lang="en">MA withdrawn</b> <span class="written-in">(en anglais)</span>' in html


@pytest.mark.parametrize(("language", "morocco"), [("es", "Marruecos"), ("ar", "المغرب")])
def test_spanish_and_arabic_reports_build_in_every_format_with_their_data(known, language, morocco):
    """Built on request (the nightly ones are in English and French): every format, with
    the countries named in the report's language."""
    report = build(request(language=language)[0])
    assert report.status == "succeeded", report.error
    assert {f.format for f in report.files.all()} == {"json", "xlsx", "csv", "pdf", "html"}
    data = json.loads(file_bytes(report, "json"))
    assert data["report"]["language"] == language
    assert morocco in json.dumps(data, ensure_ascii=False)
    html = file_bytes(report, "html").decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html and morocco in html
    sheet = load_workbook(io.BytesIO(file_bytes(report, "xlsx")))["parliaments"]
    assert morocco in [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
