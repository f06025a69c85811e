"""A report whose worker died mid-build: its heartbeat stops, the sweeper (beat, every
minute) notices within a few minutes, says so on the page and builds it again; a report
whose worker is alive is left alone, and a worker that lost its claim stops writing."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from commitments.models import Cycle
from reports import services, tasks
from reports.models import Report
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _running(heartbeat_age, **extra):
    now = timezone.now()
    return Report.objects.create(
        cycle=Cycle.objects.get(code="2021-progress"),
        scope="global",
        language="en",
        formats=["json"],
        status="running",
        progress=35,
        stage="Writing JSON",
        attempts=1,
        task_id="dead-worker-task",
        started_at=now - datetime.timedelta(minutes=30),
        heartbeat_at=now - heartbeat_age,
        **extra,
    )


def _page(report):
    client = Client()
    client.force_login(make_user("secretariat.reviewer", "secretariat"))
    return client.get(f"/reports/{report.pk}/").content.decode()


def test_a_report_whose_worker_died_is_restarted_by_the_sweeper_and_built(
    settings, django_capture_on_commit_callbacks
):
    report = _running(datetime.timedelta(minutes=settings.REPORTS_STALL_AFTER_SECONDS // 60 + 1))
    assert "Stalled" in _page(report)  # before the sweeper runs: no sign of life

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_queued_reports.apply().get() == 1
    report.refresh_from_db()
    assert report.status == "succeeded"
    assert report.stalled_at is not None
    assert report.attempts == 2


def test_a_stalled_report_says_so_and_when_it_was_restarted(settings, monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda report: None)  # no worker picks it up
    report = _running(datetime.timedelta(hours=1))
    assert services.reports_sweep() == 1
    report.refresh_from_db()
    assert report.status == "queued"
    page = _page(report)
    assert "Stalled — restarted at" in page
    assert "35%" not in page


def test_a_running_report_with_a_fresh_heartbeat_is_left_alone(monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda report: None)
    report = _running(datetime.timedelta(seconds=20))
    assert services.reports_sweep() == 0
    report.refresh_from_db()
    assert (report.status, report.progress, report.stalled_at) == ("running", 35, None)
    assert "Stalled" not in _page(report)


def test_a_report_that_stalls_again_and_again_fails_with_a_reason(settings, monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda report: None)
    report = _running(datetime.timedelta(hours=1), stalled_at=timezone.now())
    Report.objects.filter(pk=report.pk).update(attempts=services.STALL_MAX_ATTEMPTS)
    services.reports_sweep()
    report.refresh_from_db()
    assert report.status == "failed"
    assert "stopped answering" in report.error


def test_the_builder_beats_while_it_works_and_a_worker_that_lost_its_claim_stops():
    report = _running(datetime.timedelta(hours=1))
    Report.objects.filter(pk=report.pk).update(status="queued")
    assert services.report_build(report.pk, task_id="new-task")
    report.refresh_from_db()
    assert report.status == "succeeded"
    assert report.heartbeat_at > timezone.now() - datetime.timedelta(seconds=30)

    # The worker presumed dead wakes up after the report was claimed again.
    progress = services._Progress(report.pk, attempt=1)
    with pytest.raises(services.ClaimLost):
        progress(50, "Writing JSON")
