"""Writes of the reports app: requesting a cycle report and building it.

Building is idempotent: the worker claims the row with a conditional update
(queued -> running), so a second delivery of the same task does nothing; a request whose
data checksum matches a finished report reuses it instead of building a copy."""

import logging
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parliaments import permissions
from reports import content, render, selectors
from reports.models import Report, ReportFile

logger = logging.getLogger(__name__)


class ReportError(Exception):
    """A report cannot be built; the message is shown to users."""


@transaction.atomic
def report_request(
    *, actor, cycle, scope, language, formats, region="", parliament=None, internal=False
):
    """Queue a report (or return the finished one built from the same data, or one
    already waiting). The build is dispatched after the transaction commits."""
    formats = sorted(set(formats))
    unknown = set(formats) - set(Report.FORMATS)
    if unknown or not formats:
        raise ReportError(
            _("Choose formats among: %(formats)s.") % {"formats": ", ".join(Report.FORMATS)}
        )
    report = Report(
        cycle=cycle,
        scope=scope,
        region=region or "",
        parliament=parliament,
        internal=internal,
        language=language,
        formats=formats,
        requested_by=actor,
    )
    report.full_clean(exclude=["checksum", "version"])
    if actor is not None and not permissions.can_request_report(
        actor, scope=scope, parliament=parliament, internal=internal
    ):
        raise ReportError(_("You can request your own parliament's internal report only."))
    report.checksum = content.data_checksum(report)
    same = selectors.report_versions(report)
    reusable = (
        same.filter(
            Q(status=Report.Status.SUCCEEDED, checksum=report.checksum)
            | Q(status__in=[Report.Status.QUEUED, Report.Status.RUNNING])
        )
        .order_by("-version")
        .first()
    )
    if reusable is not None and set(formats) <= set(reusable.formats):
        return reusable, False
    report.version = (same.aggregate(v=Max("version"))["v"] or 0) + 1
    report.save()
    dispatch(report)
    return report, True


def dispatch(report):
    """Build after the commit, through the outbox: a request made while Redis is down
    answers at once, and the outbox sweep sends the build within a minute of Redis
    returning."""
    from parliaments.services.outbox import outbox_task

    outbox_task("reports.tasks.build_report", report.pk)


def _send(task, report_id):
    from compact_tracker.dispatch import send_now

    try:
        send_now(task, report_id)
    except Exception as error:  # the broker is down: the sweeper re-sends queued reports
        logger.warning("report %s stays queued: the broker did not take it (%s)", report_id, error)


def _set_progress(report_id, percent, stage):
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
        progress=percent, stage=str(stage)[:200]
    )
    if settings.REPORTS_STAGE_DELAY_MS:
        time.sleep(settings.REPORTS_STAGE_DELAY_MS / 1000)


WRITING_FROM = 40  # percent: content.build reports up to here, then each format a share


class _Progress:
    """The build's progress as the report's row shows it. While a format is written, its
    writer reports the fraction done; that moves the percentage within the format's span.
    The row is updated only when the percentage or the stage changes."""

    def __init__(self, report_id):
        self.report_id = report_id
        self.last = None
        self.start, self.end, self.stage = 0, 0, ""

    def __call__(self, percent, stage):
        if (percent, str(stage)) != self.last:
            self.last = (percent, str(stage))
            _set_progress(self.report_id, percent, stage)

    def span(self, start, end, stage):
        self.start, self.end, self.stage = start, max(start, end), stage
        self(start, stage)

    def fraction(self, done):
        self(self.start + int((self.end - self.start) * done), self.stage)


def _done_label(language):
    """The last stage, in the report's language like the stages before it."""
    with translation.override(language):
        return _("Done")


def report_build(report_id, task_id=""):
    """Build every format of a queued report. The row is claimed by a conditional update:
    queued -> running, or running -> running again for the redelivery of the same task
    after its worker died. Returns False when another task holds it (nothing done)."""
    claimable = Q(status=Report.Status.QUEUED)
    if task_id:
        claimable |= Q(status=Report.Status.RUNNING, task_id=task_id)
    claimed = Report.objects.filter(claimable, pk=report_id).update(
        status=Report.Status.RUNNING,
        started_at=timezone.now(),
        progress=1,
        stage=_("Starting"),
        attempts=F("attempts") + 1,
        task_id=task_id,
    )
    if not claimed:
        return False
    report = Report.objects.select_related("cycle", "parliament").get(pk=report_id)
    name = f"{report.cycle.code}-{report.scope}-{report.language}-v{report.version}"
    with tempfile.TemporaryDirectory() as folder:
        files = []
        with translation.override(report.language):
            progress = _Progress(report_id)
            data = content.build(report, progress)
            for index, file_format in enumerate(report.formats):
                path = Path(folder) / f"{name}.{render.EXTENSIONS[file_format]}"
                progress.span(
                    WRITING_FROM + (100 - WRITING_FROM) * index // len(report.formats),
                    WRITING_FROM + (100 - WRITING_FROM) * (index + 1) // len(report.formats) - 1,
                    _("Writing %(format)s") % {"format": file_format.upper()},
                )
                render.WRITERS[file_format](data, path, progress=progress.fraction)
                files.append((file_format, path))
        # Stored from disk: the storage copies each file in chunks, never reads it whole.
        with transaction.atomic():
            ReportFile.objects.filter(report=report).delete()
            for file_format, path in files:
                with path.open("rb") as payload:
                    ReportFile.objects.create(
                        report=report,
                        format=file_format,
                        file=File(payload, name=path.name),
                        size=path.stat().st_size,
                    )
            Report.objects.filter(pk=report_id).update(
                status=Report.Status.SUCCEEDED,
                progress=100,
                stage=_done_label(report.language),
                finished_at=timezone.now(),
                error="",
            )
    return True


def report_fail(report_id, message):
    """Record the last failure: the report shows it and can be retried."""
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.SUCCEEDED).update(
        status=Report.Status.FAILED,
        error=str(message)[:2000],
        finished_at=timezone.now(),
        stage=_("Failed"),
    )


def report_requeue(report_id):
    """Back to queued after a worker died mid-build or for a retry; dispatches again."""
    updated = Report.objects.filter(
        pk=report_id, status__in=[Report.Status.RUNNING, Report.Status.FAILED]
    ).update(status=Report.Status.QUEUED, progress=0, stage=_("Queued again"), error="")
    if updated:
        dispatch(Report.objects.get(pk=report_id))
    return bool(updated)


# --- Sweeper and reminders ------------------------------------------------------------------

SWEEP_AFTER_MINUTES = 5
REMINDER_DAYS = (60, 30, 7)


def reports_sweep(now=None):
    """Re-dispatch reports still queued after a few minutes (e.g. the broker was down
    when they were requested). Returns how many were sent again."""
    now = now or timezone.now()
    stale = Report.objects.filter(
        status=Report.Status.QUEUED,
        created_at__lt=now - timezone.timedelta(minutes=SWEEP_AFTER_MINUTES),
    )
    from reports.tasks import build_report

    count = 0
    for report_id in stale.values_list("pk", flat=True):
        _send(build_report, report_id)
        count += 1
    return count


def _occasion_subject(parliament, cycle, days):
    from parliaments.services.notifications import cycle_label

    values = {"parliament": parliament.name, "cycle": cycle_label(cycle), "days": abs(days)}
    if days >= 0:
        return _("%(parliament)s — %(cycle)s: due in %(days)s days") % values
    return _("%(parliament)s — %(cycle)s: overdue by %(days)s days") % values


@transaction.atomic
def reminders_send(today=None):
    """Queue, in the outbox, an email to each focal point whose parliament has not answered
    a cycle: 60, 30 and 7 days before the due date, and once a week while overdue; and to
    the secretariat a weekly summary naming the overdue parliaments. One outbox row per
    recipient, keyed by occasion and address, so a second run queues nothing; the occasion
    is recorded in ReminderSent only once the mail server accepted its email (see
    reports.apps). Returns how many emails were queued."""
    from django.contrib.auth import get_user_model
    from django.template.loader import render_to_string
    from django.urls import reverse

    from commitments.models import Cycle
    from parliaments.models import OutboxMessage, Parliament, Role, Submission
    from parliaments.services.notifications import cycle_label, site_url
    from parliaments.services.outbox import outbox_email
    from reports.models import ReminderSent

    today = today or timezone.localdate()
    week = f"overdue-{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    answered = Submission.objects.filter(status__in=selectors.ANSWERED)
    queued, overdue = 0, []
    with translation.override(settings.LANGUAGE_CODE):
        for cycle in Cycle.objects.order_by("due_date"):
            days = (cycle.due_date - today).days
            if days in REMINDER_DAYS:
                key = f"{days}d"
            elif days < 0:
                key = week
            else:
                continue
            waiting = (
                Parliament.objects.filter(is_ipu_member=True)
                .exclude(pk__in=answered.filter(cycle=cycle).values("parliament"))
                .order_by("name")
            )
            if days < 0:
                overdue.append(
                    {"cycle": cycle_label(cycle), "days": -days, "parliaments": list(waiting)}
                )
            focal_points = users.filter(
                profile__role=Role.FOCAL_POINT, profile__parliament__in=waiting
            ).select_related("profile__parliament")
            keys = {}
            for user in focal_points:
                parliament = user.profile.parliament
                keys.setdefault(parliament, f"{parliament.iso2}:{cycle.code}:{key}")
            already = set(
                ReminderSent.objects.filter(key__in=keys.values()).values_list("key", flat=True)
            )
            for user in focal_points:
                parliament = user.profile.parliament
                occasion = keys[parliament]
                if occasion in already:
                    continue
                context = {
                    "subject": _occasion_subject(parliament, cycle, days),
                    "parliament": parliament.name,
                    "cycle": cycle_label(cycle),
                    "days": abs(days),
                    "overdue": days < 0,
                    "due_date": cycle.due_date,
                    "url": site_url("/workspace/"),
                }
                queued += bool(
                    outbox_email(
                        kind=OutboxMessage.Kind.REMINDER,
                        to=user.email,
                        subject=context["subject"],
                        text=render_to_string("emails/reminder.txt", context),
                        html=render_to_string("emails/reminder.html", context),
                        dedupe_key=f"reminder:{occasion}:{user.email}",
                        context={
                            "reminder": occasion,
                            "parliament": parliament.pk,
                            "cycle": cycle.pk,
                        },
                    )
                )
        occasion = f"secretariat:{week}"
        if overdue and not ReminderSent.objects.filter(key=occasion).exists():
            context = {
                "subject": _("Weekly summary of overdue reports"),
                "overdue": overdue,
                "url": site_url(reverse("parliaments:review_queue")),
                "dashboard_url": site_url(reverse("reports:overview")),
            }
            for email in users.filter(profile__role=Role.SECRETARIAT).values_list(
                "email", flat=True
            ):
                queued += bool(
                    outbox_email(
                        kind=OutboxMessage.Kind.SUMMARY,
                        to=email,
                        subject=context["subject"],
                        text=render_to_string("emails/overdue_summary.txt", context),
                        html=render_to_string("emails/overdue_summary.html", context),
                        dedupe_key=f"summary:{week}:{email}",
                        context={"reminder": occasion},
                    )
                )
    return queued


def reminder_record_sent(row):
    """Outbox callback: the mail server accepted a reminder or summary, so its occasion
    counts as sent (one ReminderSent per occasion, counting its recipients)."""
    from reports.models import ReminderSent

    context = row.context or {}
    record, _created = ReminderSent.objects.get_or_create(
        key=context["reminder"],
        defaults={"parliament_id": context.get("parliament"), "cycle_id": context.get("cycle")},
    )
    ReminderSent.objects.filter(pk=record.pk).update(recipients=F("recipients") + 1)
