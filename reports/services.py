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
from parliaments import selectors as parliament_selectors
from parliaments.models import PublicationChange
from parliaments.services import publication_announce
from reports import content, profile, render, selectors
from reports.models import Report, ReportFile

logger = logging.getLogger(__name__)


class ReportError(Exception):
    """A report cannot be built; the message is shown to users."""


class ClaimLost(Exception):
    """The report was claimed by another build (this one was presumed dead): stop."""


@transaction.atomic
def report_request(
    *,
    actor,
    cycle,
    scope,
    language,
    formats,
    region="",
    parliament=None,
    internal=False,
    kind=Report.Kind.CYCLE,
):
    """Queue a report (or return the finished one built from the same data, or one
    already waiting). The build is dispatched after the transaction commits."""
    formats = sorted(set(formats))
    allowed = Report.PROFILE_FORMATS if kind == Report.Kind.PROFILE else Report.FORMATS
    unknown = set(formats) - set(allowed)
    if unknown or not formats:
        raise ReportError(_("Choose formats among: %(formats)s.") % {"formats": ", ".join(allowed)})
    report = Report(
        kind=kind,
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
        actor, scope=scope, parliament=parliament, internal=internal, kind=kind
    ):
        raise ReportError(
            _("You can request your own parliament's internal report and its country profile only.")
        )
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


def profile_request(*, actor, parliament, internal, language):
    """Queue a parliament's country profile (PDF, with its HTML and JSON), from its
    published data or, `internal`, from its drafts; or return the one built from the same
    data."""
    return report_request(
        actor=actor,
        kind=Report.Kind.PROFILE,
        cycle=None,
        scope=Report.Scope.PARLIAMENT,
        parliament=parliament,
        internal=internal,
        language=language,
        formats=Report.PROFILE_FORMATS,
    )


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


def _set_progress(report_id, attempt, percent, stage):
    """Record progress and a heartbeat, as long as this build (`attempt`) still holds the
    report; raise ClaimLost when the sweeper gave it to another build."""
    updated = Report.objects.filter(
        pk=report_id, status=Report.Status.RUNNING, attempts=attempt
    ).update(progress=percent, stage=str(stage)[:200], heartbeat_at=timezone.now())
    if not updated:
        raise ClaimLost(report_id)
    if settings.REPORTS_STAGE_DELAY_MS:
        time.sleep(settings.REPORTS_STAGE_DELAY_MS / 1000)


HEARTBEAT_SECONDS = 10
WRITING_FROM = 40  # percent: content.build reports up to here, then each format a share


class _Progress:
    """The build's progress as the report's row shows it. While a format is written, its
    writer reports the fraction done; that moves the percentage within the format's span.
    The row is updated when the percentage or the stage changes, and at least every
    HEARTBEAT_SECONDS while the writers report chunks (the heartbeat the sweeper reads)."""

    def __init__(self, report_id, attempt):
        self.report_id, self.attempt = report_id, attempt
        self.last, self.beat = None, 0.0
        self.start, self.end, self.stage = 0, 0, ""

    def __call__(self, percent, stage):
        now = time.monotonic()
        if (percent, str(stage)) != self.last or now - self.beat >= HEARTBEAT_SECONDS:
            self.last, self.beat = (percent, str(stage)), now
            _set_progress(self.report_id, self.attempt, percent, stage)

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
    after its worker died. Returns False when another task holds it (nothing done), or
    when the sweeper gave the report to another build while this one was presumed dead."""
    try:
        return _build(report_id, task_id)
    except ClaimLost:
        logger.warning("report %s: claimed by another build, this one stops", report_id)
        return False


def _build(report_id, task_id):
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
        heartbeat_at=timezone.now(),
    )
    if not claimed:
        return False
    report = Report.objects.select_related("cycle", "parliament").get(pk=report_id)
    attempt = report.attempts
    name = f"{report.code}-{report.scope}-{report.language}-v{report.version}"
    if report.is_profile:
        name = f"profile-{report.parliament.iso2}-{report.language}-v{report.version}"
    builder, writers = (
        (profile.build, profile.WRITERS) if report.is_profile else (content.build, render.WRITERS)
    )
    with tempfile.TemporaryDirectory() as folder:
        files = []
        with translation.override(report.language):
            progress = _Progress(report_id, attempt)
            data = builder(report, progress)
            for index, file_format in enumerate(report.formats):
                path = Path(folder) / f"{name}.{render.EXTENSIONS[file_format]}"
                progress.span(
                    WRITING_FROM + (100 - WRITING_FROM) * index // len(report.formats),
                    WRITING_FROM + (100 - WRITING_FROM) * (index + 1) // len(report.formats) - 1,
                    _("Writing %(format)s") % {"format": file_format.upper()},
                )
                writers[file_format](data, path, progress=progress.fraction)
                files.append((file_format, path))
        # Stored from disk: the storage copies each file in chunks, never reads it whole.
        with transaction.atomic():
            # Only the build that still holds the report stores its files.
            holds = Report.objects.select_for_update().filter(
                pk=report_id, status=Report.Status.RUNNING, attempts=attempt
            )
            if not holds.exists():
                raise ClaimLost(report_id)
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
            if not report.internal:
                publication_announce(
                    PublicationChange.Kind.REPORT,
                    report.uid,
                    parliament=report.parliament,
                    region=report.region,
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


STALL_MAX_ATTEMPTS = 3


def reports_requeue_stalled(now=None):
    """Queue again each running report whose builder gave no sign of life for
    REPORTS_STALL_AFTER_SECONDS (its worker died), marked as stalled, and send it; a report
    that already stalled STALL_MAX_ATTEMPTS times fails with the reason instead. Each row
    is taken by a conditional update on its heartbeat, so a build that is alive (it just
    beat) is never taken, and two sweepers never both send it. Returns how many were sent."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(seconds=settings.REPORTS_STALL_AFTER_SECONDS)
    stalled = Report.objects.filter(status=Report.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    count = 0
    for report_id, attempts in stalled.values_list("pk", "attempts"):
        still = Report.objects.filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True),
            pk=report_id,
            status=Report.Status.RUNNING,
            attempts=attempts,
        )
        if attempts >= STALL_MAX_ATTEMPTS:
            still.update(
                status=Report.Status.FAILED,
                error=_(
                    "The build stopped answering %(count)s times (its worker died each "
                    "time); it was not restarted again. Retry it, or ask an administrator "
                    "to look at the workers."
                )
                % {"count": attempts},
                finished_at=now,
                stage=_("Failed"),
            )
            continue
        if still.update(
            status=Report.Status.QUEUED,
            stalled_at=now,
            progress=0,
            stage=_("Queued again"),
            task_id="",
        ):
            logger.warning(
                "report %s stalled (no heartbeat since %s): queued again", report_id, cutoff
            )
            dispatch(Report.objects.get(pk=report_id))
            count += 1
    return count


def reports_sweep(now=None):
    """Beat, every minute: restart stalled reports (reports_requeue_stalled), and
    re-dispatch reports still queued after a few minutes (e.g. the broker was down when
    they were requested). Returns how many were sent again."""
    now = now or timezone.now()
    stale = list(
        Report.objects.filter(
            status=Report.Status.QUEUED,
            created_at__lt=now - timezone.timedelta(minutes=SWEEP_AFTER_MINUTES),
        ).values_list("pk", flat=True)
    )
    restarted = reports_requeue_stalled(now)  # sent already: not in `stale`
    from reports.tasks import build_report

    count = 0
    for report_id in stale:
        _send(build_report, report_id)
        count += 1
    return count + restarted


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
    from parliaments.models import OutboxMessage, Role, Submission
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
                parliament_selectors.cycle_reporters(cycle)
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
