"""Beat jobs: reminders sent once per occasion, and the sweeper that re-sends reports
requested while the broker was down."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError

from commitments.models import Cycle
from parliaments.services import outbox
from reports import services, tasks
from reports.models import ReminderSent, Report
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _reminders(today, capture):
    with capture(execute=True):  # the outbox hands emails over once the run commits
        services.reminders_send(today=today)


def test_reminders_are_sent_once_per_occasion(db, django_capture_on_commit_callbacks):
    focal_ke = make_user("focal.ke", "focal_point", "KE")
    make_user("secretariat.reviewer", "secretariat")
    cycle = Cycle.objects.create(
        code="2034-imrf", title="IMRF 2034", kind="imrf", due_date=datetime.date(2034, 5, 1)
    )
    sixty_days_before = cycle.due_date - datetime.timedelta(days=60)

    _reminders(sixty_days_before, django_capture_on_commit_callbacks)
    _reminders(sixty_days_before, django_capture_on_commit_callbacks)  # beat ran twice

    to_kenya = [m for m in mail.outbox if m.to == [focal_ke.email] and "IMRF 2034" in m.subject]
    assert len(to_kenya) == 1 and "due in 60 days" in to_kenya[0].subject
    assert ReminderSent.objects.filter(key="KE:2034-imrf:60d").count() == 1

    mail.outbox.clear()
    _reminders(sixty_days_before + datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert not [m for m in mail.outbox if "IMRF 2034" in m.subject]  # not an occasion


def test_overdue_reminders_weekly_and_a_summary_for_the_secretariat(
    db, django_capture_on_commit_callbacks
):
    focal_ke = make_user("focal.ke", "focal_point", "KE")
    reviewer = make_user("secretariat.reviewer", "secretariat")
    today = datetime.date(2026, 11, 28)
    _reminders(today, django_capture_on_commit_callbacks)
    _reminders(today + datetime.timedelta(days=1), django_capture_on_commit_callbacks)  # Sunday
    overdue = [m for m in mail.outbox if m.to == [focal_ke.email]]
    assert len(overdue) == 4  # one per cycle already due, once this week
    assert all("overdue" in m.subject for m in overdue)
    summaries = [m for m in mail.outbox if m.to == [reviewer.email]]
    assert len(summaries) == 1 and "2021" not in summaries[0].subject
    mail.outbox.clear()
    _reminders(today + datetime.timedelta(days=7), django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if m.to == [focal_ke.email]]) == 4


def test_a_report_requested_while_the_broker_is_down_stays_queued_then_the_sweeper_sends_it(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    reviewer = make_user("secretariat.reviewer", "secretariat")
    client = Client()
    client.force_login(reviewer)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox, "send_now", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/",
            {"cycle": "2021-progress", "scope": "global", "language": "en", "formats": ["json"]},
            follow=True,
        )
    report = Report.objects.get()
    assert report.status == "queued"
    assert "Queued: the build starts as soon as a worker is free" in response.content.decode()

    monkeypatch.undo()  # the broker is back
    assert services.reports_sweep() == 0  # too recent for the queued-reports sweep
    # The outbox sweep (beat, every 30 s) sends the build on its first run once due.
    assert outbox.outbox_sweep(now=timezone.now() + datetime.timedelta(seconds=30)) == 1
    report.refresh_from_db()
    assert report.status == "succeeded"


def test_nightly_job_requests_the_current_cycle_in_both_languages_once(db, monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda report: None)  # no worker here
    # The next cycle due is the current one: the 2030 IMRF of the reference data, not a
    # later one the secretariat opens.
    Cycle.objects.create(
        code="2034-imrf", title="IMRF 2034", kind="imrf", due_date=datetime.date(2034, 5, 1)
    )
    assert tasks.build_cycle_reports.apply().get() == 1
    assert tasks.build_cycle_reports.apply().get() == 1  # queued ones are reused, not copied
    assert sorted(Report.objects.values_list("cycle__code", "language")) == [
        ("2030-imrf", "en"),
        ("2030-imrf", "fr"),
    ]
