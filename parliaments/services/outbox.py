"""The outbox: emails and task dispatches written in the event's transaction, handed over
after it commits, and swept again by beat until Redis and the mail server take them.

- `outbox_email()` / `outbox_task()` add a row (inside the caller's transaction) and, on
  commit, try to hand it over at once; a broker that does not answer costs one failed
  connection attempt, logged, and the row stays.
- `outbox_sweep()` (beat, every 30 s) hands over the due rows. Each row is claimed with
  SELECT … FOR UPDATE SKIP LOCKED, so two sweepers never send the same message, and it
  is marked sent only once the mail server accepted the email (or the broker the task).
  A failure counts an attempt and waits longer each time (30 s, 1 min, 2 min … 1 h);
  after OUTBOX_MAX_ATTEMPTS the row stays unsent with its last error, for the admin.
- `outbox_suppressed()` makes the block inside it add nothing (the demo data).
"""

import contextlib
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from compact_tracker.dispatch import send_now
from parliaments.models import OutboxMessage

logger = logging.getLogger(__name__)

# A row handed over on commit is left to that attempt for this long before the sweep
# takes it too.
GRACE = timedelta(seconds=20)
BACKOFF_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
SWEEP_BATCH = 200

_state = threading.local()
# kind -> [callback(row)], run in the transaction that marks the row sent (e.g. the
# reports app records a reminder as sent only then).
_on_sent = {}


def on_sent(kind, callback):
    """Call `callback(row)` when a row of `kind` is sent, in the same transaction."""
    _on_sent.setdefault(kind, []).append(callback)


@contextlib.contextmanager
def outbox_suppressed():
    """Nothing is added to the outbox inside this block: no email, no task."""
    previous = getattr(_state, "suppressed", False)
    _state.suppressed = True
    try:
        yield
    finally:
        _state.suppressed = previous


def _add(dedupe_key=None, **fields):
    if getattr(_state, "suppressed", False):
        return None
    if dedupe_key and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            row = OutboxMessage.objects.create(
                dedupe_key=dedupe_key, next_attempt_at=timezone.now() + GRACE, **fields
            )
    except IntegrityError:  # the same dedupe key, added concurrently
        return None
    transaction.on_commit(lambda: _hand_over(row.pk))
    return row


def outbox_email(*, kind, to, subject, text, html="", dedupe_key=None, context=None, headers=None):
    """Queue one email to one address, with its content as it is now. Returns the row,
    or None when `dedupe_key` is already in the outbox (or the outbox is suppressed)."""
    return _add(
        dedupe_key=dedupe_key,
        kind=kind,
        to=to,
        subject=subject[:300],
        body_text=text,
        body_html=html,
        context=context or {},
        headers=headers or {},
    )


def outbox_task(task_name, *args, dedupe_key=None):
    """Queue the dispatch of a Celery task (by its registered name) with JSON arguments."""
    return _add(
        dedupe_key=dedupe_key, kind=OutboxMessage.Kind.TASK, task=task_name, args=list(args)
    )


def _hand_over(row_id):
    """Right after the commit: send the task, or ask a worker to send the email. Any
    failure leaves the row to the sweep."""
    try:
        row = OutboxMessage.objects.get(pk=row_id)
        if row.kind == OutboxMessage.Kind.TASK:
            send_now(import_string(row.task), *row.args)
            # Sent unless the sweep got there first; counted as one attempt either way.
            OutboxMessage.objects.filter(pk=row_id, sent_at__isnull=True).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1
            )
        else:
            from parliaments.tasks import deliver_outbox_message

            send_now(deliver_outbox_message, row_id)
    except Exception as error:  # the broker is down: the sweep hands it over later
        # Not counted as an attempt: the row stays due at its first time, so the sweep
        # takes it on its first run once Redis is back.
        logger.warning("outbox %s waits for the sweep: %s", row_id, error)


def _send(row):
    if row.kind == OutboxMessage.Kind.TASK:
        send_now(import_string(row.task), *row.args)
        return
    message = EmailMultiAlternatives(
        row.subject, row.body_text, settings.DEFAULT_FROM_EMAIL, [row.to], headers=row.headers
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    message.send(fail_silently=False)


def _backoff(attempts):
    return timedelta(seconds=min(BACKOFF_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS))


def outbox_deliver(row_id):
    """Send one row if it is still unsent and nobody else holds it. True when sent now."""
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=row_id, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        try:
            _send(row)
        except Exception as error:
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            row.next_attempt_at = (
                timezone.now() + _backoff(row.attempts)
                if row.attempts < settings.OUTBOX_MAX_ATTEMPTS
                else None
            )
            row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning(
                "outbox %s (%s) not sent, attempt %s: %s", row.pk, row.kind, row.attempts, error
            )
            return False
        row.sent_at = timezone.now()
        row.attempts += 1
        row.save(update_fields=["sent_at", "attempts"])
        for callback in _on_sent.get(row.kind, ()):
            callback(row)
    return True


def outbox_sweep(now=None):
    """Hand over every due row, one at a time. Returns how many were sent."""
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(
        Q(next_attempt_at__lte=now), sent_at__isnull=True
    ).values_list("pk", flat=True)[:SWEEP_BATCH]
    return sum(1 for row_id in list(due) if outbox_deliver(row_id))
