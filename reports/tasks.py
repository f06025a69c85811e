"""Celery tasks of the reports app: thin; they call reports.services."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from reports import services
from reports.models import Report

TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(bind=True, max_retries=3)
def build_report(self, report_id):
    """Build a queued report. The redelivery of this same task after its worker died
    (acks_late + reject_on_worker_lost, set for every task in settings, as are the time
    limits the broker's visibility timeout is derived from) reclaims the row; any other
    duplicate does nothing."""
    try:
        return services.report_build(report_id, task_id=self.request.id or "")
    except TRANSIENT as error:
        Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
            status=Report.Status.QUEUED
        )
        if self.request.retries >= self.max_retries:
            services.report_fail(report_id, f"Gave up after retries: {error}")
            raise
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
    except SoftTimeLimitExceeded:
        services.report_fail(report_id, "The build took too long and was stopped.")
        raise
    except Exception as error:
        services.report_fail(report_id, f"{type(error).__name__}: {error}")
        raise


@shared_task
def sweep_queued_reports():
    """Beat: re-send reports left queued (the broker was down when they were requested)."""
    return services.reports_sweep()


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=60)
def send_reminders():
    """Beat, daily: reminders before due dates and while overdue, each sent once."""
    return services.reminders_send()


# The IPU's working languages: the nightly global reports are built in these; Spanish and
# Arabic ones are built on request (Reports page, API, manage.py build_report).
NIGHTLY_LANGUAGES = ("en", "fr")


@shared_task
def build_cycle_reports():
    """Beat, nightly: refresh the global report of the current cycle, and build each
    cycle's global report on its due date (reused when the data did not change)."""
    from django.utils import timezone

    from commitments.models import Cycle

    today = timezone.localdate()
    cycles = set(Cycle.objects.filter(due_date=today))
    current = Cycle.objects.filter(due_date__gte=today).order_by("due_date").first()
    if current is not None:
        cycles.add(current)
    for cycle in cycles:
        for language in NIGHTLY_LANGUAGES:
            services.report_request(
                actor=None,
                cycle=cycle,
                scope=Report.Scope.GLOBAL,
                language=language,
                formats=Report.FORMATS,
            )
    return len(cycles)


@shared_task
def repair_figures():
    """Beat: rebuild the figures of parliaments whose rebuild failed when their data
    changed (marked stale, the error logged)."""
    from reports.figures import figures_repair

    return figures_repair()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=60, max_retries=5)
def publish_datapackage():
    """Beat, nightly: the published dataset as a Frictionless Data Package, kept under
    today's date and served as the latest (reports/datapackage.py)."""
    from reports import datapackage

    return datapackage.build()
