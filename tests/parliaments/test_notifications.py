"""Emails: what they say (Django's locmem backend), and that none is lost or sent twice
when the mail server is down (a real SMTP server, tests/smtp_sink.py)."""

import contextlib
import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Parliament
from reports import tasks as report_tasks
from tests.factories import ActionFactory, PlanFactory, make_user
from tests.smtp_sink import SmtpSink, free_port

pytestmark = pytest.mark.django_db


def _sweep_later(minutes):
    """Beat runs again later: the outbox sweep, and the reminders job (whose retry was
    the only second chance before the outbox)."""
    from compact_tracker.celery import app

    sweep = app.tasks.get("parliaments.tasks.sweep_outbox")
    if sweep is not None:
        services.outbox_sweep(now=timezone.now() + datetime.timedelta(minutes=minutes))


def _returned(focal, reviewer, capture, comment, item_comments=()):
    cycle = Cycle.objects.get(code="2021-progress")
    submission = services.submission_for(focal.profile.parliament, cycle)
    with capture(execute=True):
        services.submission_submit(actor=focal, submission=submission)
    with capture(execute=True):
        services.submission_return(
            actor=reviewer, submission=submission, comment=comment, item_comments=item_comments
        )
    return submission


def test_return_email_names_parliament_and_cycle_and_lists_every_item_comment(
    focal_ma, secretariat, django_capture_on_commit_callbacks
):
    plan = PlanFactory(title="Plan on migration 2021")
    action = ActionFactory(plan=plan, title="Hearing on remittances")
    mail.outbox.clear()
    _returned(
        focal_ma,
        secretariat,
        django_capture_on_commit_callbacks,
        "Please complete the report.",
        [(plan, "Say when it was adopted."), (action, "Add the hearing's date.")],
    )
    [returned] = [m for m in mail.outbox if m.to == [focal_ma.email]]
    assert returned.subject == (
        "Morocco — Progress report to the IPU (2021): returned with comments"
    )
    assert "Morocco" in returned.body and "Progress report to the IPU (2021)" in returned.body
    assert "Please complete the report." in returned.body
    assert "Plan of action “Plan on migration 2021”: Say when it was adopted." in returned.body
    assert "Action “Hearing on remittances”: Add the hearing's date." in returned.body
    [(html, mimetype)] = returned.alternatives
    assert mimetype == "text/html"
    assert "Hearing on remittances" in html and "Morocco" in html


def test_submitted_and_accepted_emails_name_the_parliament(
    focal_ma, editor_ma, secretariat, django_capture_on_commit_callbacks
):
    PlanFactory()
    submission = services.submission_for(
        focal_ma.profile.parliament, Cycle.objects.get(code="2021-progress")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_submit(actor=focal_ma, submission=submission, note="Here it is.")
    [arrived] = [m for m in mail.outbox if m.to == [secretariat.email]]
    assert arrived.subject.startswith("Morocco — Progress report to the IPU (2021)")
    assert "Here it is." in arrived.body
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_accept(actor=secretariat, submission=submission)
    accepted = [m for m in mail.outbox if m.to == [editor_ma.email]]
    assert [m.subject for m in accepted] == [
        "Morocco — Progress report to the IPU (2021): accepted and published"
    ]


def test_a_delayed_email_carries_the_comment_of_its_own_step_not_a_later_one(
    focal_ma, secretariat, django_capture_on_commit_callbacks
):
    PlanFactory()
    cycle = Cycle.objects.get(code="2021-progress")
    submission = services.submission_for(focal_ma.profile.parliament, cycle)
    services.submission_submit(actor=focal_ma, submission=submission)
    with django_capture_on_commit_callbacks() as first_return:  # not sent yet
        services.submission_return(actor=secretariat, submission=submission, comment="First.")
    services.submission_submit(actor=focal_ma, submission=submission)
    services.submission_return(actor=secretariat, submission=submission, comment="Second.")
    mail.outbox.clear()
    for callback in first_return:  # the first return's email goes out late
        callback()
    _sweep_later(1)
    bodies = [m.body for m in mail.outbox if m.to == [focal_ma.email]]
    assert any("First." in body for body in bodies)
    assert not any("First." in body and "Second." in body for body in bodies)
    assert not any("Second." in body and "First." not in body for body in bodies[:1])


def test_reminders_are_not_lost_when_the_mail_server_is_down_and_none_is_sent_twice(
    settings, django_capture_on_commit_callbacks
):
    """12 focal points, the mail server down for the first run: all 12 reminders arrive
    once it is back, each exactly once, and one address refused later gets its own
    retry without duplicates to the others."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    codes = ["MA", "MX", "SN", "KE", "FR", "DE", "BR", "IN", "JP", "NG", "AU", "CA"]
    focal = [make_user(f"focal.{code.lower()}", "focal_point", code) for code in codes]
    cycle = Cycle.objects.create(
        code="2034-imrf", title="IMRF 2034", kind="imrf", due_date=datetime.date(2034, 5, 1)
    )
    today = cycle.due_date - datetime.timedelta(days=60)

    def run_beat():
        # The old code raised here (mail server down); what counts is what arrived.
        with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(Exception):
            report_tasks.send_reminders.apply(kwargs={}, args=()).get()

    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=today):
        run_beat()  # the mail server is down: nothing can arrive
        sink = SmtpSink(port=port)
        sink.reject = {focal[0].email}  # one mailbox refuses for now
        sink.start()
        try:
            run_beat()
            _sweep_later(5)
            arrived = [m for m in sink.messages if "IMRF 2034" in m[2]["Subject"]]
            assert len(arrived) == 11
            sink.reject = set()
            run_beat()
            _sweep_later(30)
            _sweep_later(120)
        finally:
            sink.stop()
    for user in focal:
        to_user = [m for m in sink.to(user.email) if "IMRF 2034" in m["Subject"]]
        assert len(to_user) == 1, user.email
        parliament = Parliament.objects.get(pk=user.profile.parliament_id)
        assert to_user[0]["Subject"].startswith(f"{parliament.name} — IMRF 2034")
    from reports.models import ReminderSent

    assert ReminderSent.objects.filter(key__endswith=":2034-imrf:60d").count() == 12


def test_seed_demo_sends_nothing_and_queues_nothing(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from celery.app.task import Task

    sent = []
    monkeypatch.setattr(Task, "apply_async", lambda self, *a, **k: sent.append(self.name))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--allow-without-debug", stdout=io.StringIO())
    assert sent == []
    assert mail.outbox == []
    from django.apps import apps

    outbox = apps.all_models["parliaments"].get("outboxmessage")
    assert outbox is None or not outbox.objects.exists()
