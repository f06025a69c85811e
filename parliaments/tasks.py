"""Celery tasks of the parliaments app: thin, they fetch by id and call a service."""

from smtplib import SMTPException

from celery import shared_task

from parliaments import services
from parliaments.models import Submission


@shared_task(
    bind=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=6,
)
def notify_submission_event(self, submission_id, event):
    """Email the people concerned by a submission step ("submitted", "returned",
    "accepted"). Retries on mail-server errors with backoff."""
    submission = Submission.objects.select_related("parliament", "cycle").get(pk=submission_id)
    return services.submission_notify(submission, event)
