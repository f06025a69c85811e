"""Celery tasks of the parliaments app: thin, they fetch by id and call a service."""

from celery import shared_task

from parliaments.services import outbox


@shared_task
def deliver_outbox_message(message_id):
    """Send one outbox row (an email) now. Dispatched right after the event commits; a
    failure is counted on the row and left to `sweep_outbox`, which retries with backoff,
    so this task never retries itself."""
    return outbox.outbox_deliver(message_id)


@shared_task
def sweep_outbox():
    """Beat, every 30 s: hand over the outbox rows still due (Redis or the mail server was
    down, or an earlier attempt failed)."""
    return outbox.outbox_sweep()
