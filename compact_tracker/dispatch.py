"""Handing a task to the broker without waiting for it.

`task.delay()` with the Redis broker and result backend, while Redis is down, blocks the
request: kombu retries the connection until its timeout, and the result backend, which
subscribes to the task's result on every call, retries 20 times a second apart (19 s),
then breaks for good ("The Celery application must be restarted"). `send_now()` makes one
connection attempt with a short timeout, does not subscribe to results, and raises when the
broker does not answer; the caller keeps the work in the database (the outbox) instead.
"""

from django.conf import settings


def send_now(task, *args):
    """Send `task(*args)` to the broker at once, or raise. In the embedded set-up (eager
    tasks, no broker) the task runs here."""
    app = task.app
    if app.conf.task_always_eager:
        return task.apply_async(args)
    with app.connection_for_write() as connection:
        connection.ensure_connection(
            max_retries=0, timeout=settings.CELERY_DISPATCH_TIMEOUT, interval_start=0
        )
        return task.apply_async(args, connection=connection, retry=False, ignore_result=True)
