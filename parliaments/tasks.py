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


@shared_task
def fan_out_webhooks():
    """Beat, every 10 s: deliveries for what was published since the last fan-out."""
    from parliaments.webhooks import services as webhooks

    return webhooks.fan_out()


@shared_task
def deliver_webhooks(endpoint_id):
    """Send one endpoint's due deliveries, in order."""
    from parliaments.webhooks import services as webhooks

    return webhooks.deliver(endpoint_id)


@shared_task
def sweep_webhooks():
    """Beat, every 30 s: endpoints with a delivery due (a retry, or a dispatch that did not
    reach the broker) are delivered to."""
    from parliaments.webhooks import services as webhooks

    for endpoint_id in webhooks.due_endpoints():
        webhooks.deliver(endpoint_id)


@shared_task
def notify_followers():
    """Beat, every 30 s (and right after a publication): notifications for what was
    published about what people follow."""
    from parliaments.following import services as following

    return following.notify()


@shared_task
def send_digests(frequency):
    """Beat: the daily digests every day, the weekly ones on Mondays (06:30 UTC)."""
    from parliaments.following import services as following

    return following.send_digests(frequency)
