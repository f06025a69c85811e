"""Registering endpoints, turning published changes into deliveries, and delivering them.

- `fan_out()` reads the changes feed past its cursor and writes, in one transaction, a
  delivery per endpoint for the events it asked for (at most BATCH events each): the
  deliveries are in the database before anything is sent, so nothing is lost while Redis or
  a receiver is down. Beat runs it every few seconds; an acceptance asks for it at once.
- `deliver(endpoint_id)` sends the endpoint's pending deliveries oldest first, one at a time
  under a lock on the endpoint (two workers never send one endpoint's deliveries out of
  order). A delivery that fails blocks the ones after it and is tried again with
  exponential backoff (30 s, 1 min, 2 min … at most 1 h) for RETRY_WINDOW (24 h); then it
  is given up, the endpoint is disabled and its owner emailed.
- Each POST is signed: `Webhook-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
  with `Webhook-Timestamp` (Unix seconds) and `Webhook-Id` (the delivery's id, the same on
  every attempt: a receiver drops what it has seen).
"""

import datetime
import hashlib
import hmac
import json
import logging
import secrets
import time
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from parliaments.webhooks import transport
from parliaments.webhooks.models import (
    EVENT_NAMES,
    WebhookCursor,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)
BATCH = 100  # events per delivery
FAN_OUT_LIMIT = 5000  # changes read per fan-out
RETRY_WINDOW = datetime.timedelta(hours=24)
BACKOFF_MAX = 3600
State = WebhookDelivery.State


def new_secret():
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret, timestamp, body):
    """The signature header's value for `body` (bytes) sent at `timestamp` (int)."""
    message = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def endpoint_create(
    *, owner, url, events, description="", parliaments=(), regions=(), objectives=()
):
    """A new endpoint and its secret (shown to the owner once). The URL is checked now and
    again at each delivery."""
    transport.check_url(url)
    endpoint = WebhookEndpoint.objects.create(
        owner=owner,
        url=url,
        description=description,
        events=sorted(set(events) & set(EVENT_NAMES)),
        parliaments=sorted({code.upper() for code in parliaments}),
        regions=sorted(set(regions)),
        objectives=sorted({int(n) for n in objectives}),
        secret=new_secret(),
    )
    return endpoint


def endpoint_switch(endpoint, *, on):
    """Enable or disable an endpoint; enabled again, it goes on from its oldest pending
    delivery."""
    endpoint.is_active = on
    endpoint.disabled_at = None if on else timezone.now()
    endpoint.disabled_reason = "" if on else "Disabled by its owner."
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    if on:
        transaction.on_commit(lambda: dispatch([endpoint.pk]))


# --- From the changes feed to deliveries ---------------------------------------------------


# The types of record that have one event only: a status is only ever changed, a
# submission appears in the feed when accepted, a report when built.
ONE_EVENT = {
    "ratification": "ratification.changed",
    "submission": "submission.accepted",
    "report": "report.built",
}


def event_names(entries):
    """{change id: event name}: `published` for a record's first upsert in the feed,
    `changed` for the next ones, `withdrawn` for a tombstone."""
    from parliaments.models import PublicationChange

    first = entries[0].id
    seen = set(
        PublicationChange.objects.filter(
            id__lt=first, uid__in={e.uid for e in entries}, operation="upsert"
        ).values_list("kind", "uid")
    )
    names = {}
    for entry in entries:
        if entry.operation == "delete":
            names[entry.id] = f"{entry.kind}.withdrawn"
        elif entry.kind in ONE_EVENT:
            names[entry.id] = ONE_EVENT[entry.kind]
        else:
            key = (entry.kind, entry.uid)
            names[entry.id] = f"{entry.kind}.{'changed' if key in seen else 'published'}"
            seen.add(key)
    return names


def linked_to(entries):
    """{(kind, uid): ({objective numbers}, {commitment ids})} of the actions and progress
    updates in `entries` (a progress update has its action's), drafts included: a withdrawn
    action has no published copy left. What the endpoints' objective filters and the
    followers of an objective or a commitment read."""
    from parliaments.models import Action, ProgressUpdate

    found = {}
    queries = (
        ("action", Action.objects, "objectives__number", "commitments__id"),
        (
            "progress_update",
            ProgressUpdate.objects,
            "action__objectives__number",
            "action__commitments__id",
        ),
    )
    for kind, manager, objective, commitment in queries:
        uids = {e.uid for e in entries if e.kind == kind}
        if not uids:
            continue
        for uid, number, commitment_id in manager.filter(uid__in=uids).values_list(
            "uid", objective, commitment
        ):
            objectives, commitments = found.setdefault((kind, uid), (set(), set()))
            if number:
                objectives.add(number)
            if commitment_id:
                commitments.add(commitment_id)
    return found


def _wants(endpoint, entry, name, objectives):
    """Whether the endpoint wants this event. A global report (no parliament, no region)
    reaches only the endpoints that filter neither; a region's report, those of its region."""
    if name not in endpoint.events:
        return False
    parliament = entry.parliament
    if endpoint.parliaments and (parliament is None or parliament.iso2 not in endpoint.parliaments):
        return False
    region = parliament.region if parliament is not None else entry.region
    if endpoint.regions and region not in endpoint.regions:
        return False
    if endpoint.objectives:
        return bool(objectives.get((entry.kind, entry.uid), set()) & set(endpoint.objectives))
    return True


def changes_after(last_change_id, limit):
    """The next `limit` entries of the changes feed after a cursor, with their parliament:
    what the webhooks' fan-out and the followers' notifications read."""
    from parliaments.models import PublicationChange

    return list(
        PublicationChange.objects.filter(id__gt=last_change_id)
        .select_related("parliament")
        .order_by("id")[:limit]
    )


def fan_out(limit=FAN_OUT_LIMIT):
    """Deliveries for the changes published since the last fan-out; returns how many
    deliveries were written. Endpoints to deliver to are dispatched after the commit."""

    with transaction.atomic():
        cursor, _created = WebhookCursor.objects.select_for_update().get_or_create(pk=1)
        entries = changes_after(cursor.last_change_id, limit)
        if not entries:
            return 0
        endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
        deliveries = []
        if endpoints:
            names = event_names(entries)
            objectives = (
                {key: numbers for key, (numbers, _c) in linked_to(entries).items()}
                if any(e.objectives for e in endpoints)
                else {}
            )
            for endpoint in endpoints:
                wanted = [
                    [entry.id, names[entry.id]]
                    for entry in entries
                    if _wants(endpoint, entry, names[entry.id], objectives)
                ]
                for start in range(0, len(wanted), BATCH):
                    deliveries.append(
                        WebhookDelivery(endpoint=endpoint, events=wanted[start : start + BATCH])
                    )
        WebhookDelivery.objects.bulk_create(deliveries)
        cursor.last_change_id = entries[-1].id
        cursor.save(update_fields=["last_change_id"])
        endpoint_ids = sorted({d.endpoint_id for d in deliveries})
        transaction.on_commit(lambda: dispatch(endpoint_ids))
    return len(deliveries)


def dispatch(endpoint_ids):
    """Ask the workers to deliver to these endpoints now; when the broker does not answer,
    beat's sweep (`sweep_webhooks`) finds the deliveries in the database."""
    from compact_tracker.dispatch import send_now
    from parliaments.tasks import deliver_webhooks

    for endpoint_id in endpoint_ids:
        try:
            send_now(deliver_webhooks, endpoint_id)
        except Exception:
            logger.warning("webhooks: could not dispatch endpoint %s", endpoint_id, exc_info=True)


# --- Delivering -----------------------------------------------------------------------------


class _SiteRequest:
    """What the serializers ask of a request, for a delivery made outside one: links on
    the site's own address (SITE_URL), and a visitor's rights."""

    user = AnonymousUser()

    def build_absolute_uri(self, location):
        return urljoin(settings.SITE_URL, location)


# The events of a fan-out batch go to every endpoint that wants them: the same (change,
# event) list is serialized once and reused for EVENTS_REUSE_SECONDS by this process, so
# an acceptance sent to 20 endpoints reads and serializes its records once, not 20 times.
EVENTS_REUSE_SECONDS = 30
_EVENTS_MEMO = {}
_EVENTS_MEMO_SIZE = 64


def _events(pairs):
    """The events JSON (a list, encoded) for these [change id, event name] pairs."""
    from parliaments.api.views.changes import feed_entries
    from parliaments.models import PublicationChange

    key = tuple((change_id, name) for change_id, name in pairs)
    found = _EVENTS_MEMO.get(key)
    now = time.monotonic()
    if found is not None and now - found[0] < EVENTS_REUSE_SECONDS:
        return found[1]
    names = dict(key)
    changes = list(
        PublicationChange.objects.filter(id__in=names).select_related("parliament").order_by("id")
    )
    events = [
        {"event": names[entry["cursor"]], **entry}
        for entry in feed_entries(changes, request=_SiteRequest())
    ]
    encoded = json.dumps(events, cls=DjangoJSONEncoder, ensure_ascii=False)
    if len(_EVENTS_MEMO) >= _EVENTS_MEMO_SIZE:
        _EVENTS_MEMO.clear()
    _EVENTS_MEMO[key] = (now, encoded)
    return encoded


def _body(delivery):
    """The delivery's JSON: its id and its events with their records, as the changes feed
    gives them. Fixed at the first attempt, so every retry sends the same bytes."""
    head = json.dumps(
        {
            "id": str(delivery.uid),
            "endpoint": str(delivery.endpoint.uid),
            "test": delivery.is_test,
            "created_at": delivery.created_at,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    return f'{head[:-1]}, "events": {_events(delivery.events)}}}'.encode()


def backoff(attempts):
    base = getattr(settings, "WEBHOOK_BACKOFF_SECONDS", 30)
    return datetime.timedelta(seconds=min(base * 2 ** (attempts - 1), BACKOFF_MAX))


def deliver(endpoint_id, now=None):
    """Send the endpoint's due deliveries in order; returns how many were delivered."""
    delivered = 0
    while True:
        with transaction.atomic():
            endpoint = (
                WebhookEndpoint.objects.select_for_update(skip_locked=True)
                .filter(pk=endpoint_id, is_active=True)
                .first()
            )
            if endpoint is None:  # another worker is on it, or it is disabled
                return delivered
            delivery = endpoint.deliveries.filter(state=State.PENDING).order_by("id").first()
            moment = now or timezone.now()
            if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > moment):
                return delivered
            if delivery.body is None:
                delivery.body = _body(delivery)
            ok = _attempt(endpoint, delivery, bytes(delivery.body), moment)
            if not ok:
                return delivered
            delivered += 1


def _attempt(endpoint, delivery, body, moment):
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CompactTracker-Webhooks/1",
        "Webhook-Id": str(delivery.uid),
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": sign(endpoint.secret, timestamp, body),
    }
    try:
        answer = transport.post(endpoint.url, body, headers)
    except transport.Refused as refused:
        answer = transport.Answer(None, 0, f"refused: {refused}")
    delivery.attempts += 1
    delivery.last_attempt_at = moment
    delivery.last_status, delivery.last_duration_ms = answer.status, answer.duration_ms
    delivery.last_error = answer.error or (
        "" if answer.ok else f"the receiver answered {answer.status}"
    )
    if answer.ok:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            State.DELIVERED,
            moment,
            None,
        )
    elif moment - delivery.created_at >= RETRY_WINDOW:
        delivery.state, delivery.next_attempt_at = State.FAILED, None
        _disable(endpoint, delivery, moment)
    else:
        delivery.next_attempt_at = moment + backoff(delivery.attempts)
    delivery.save()
    return answer.ok


def _disable(endpoint, delivery, moment):
    """A delivery failed for a whole day: the endpoint stops, its owner is told."""
    from parliaments.models import OutboxMessage
    from parliaments.services.notifications import site_url
    from parliaments.services.outbox import outbox_email

    endpoint.is_active = False
    endpoint.disabled_at = moment
    endpoint.disabled_reason = (
        f"Delivery {delivery.uid} failed for 24 hours ({delivery.attempts} attempts): "
        f"{delivery.last_error}"
    )[:300]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    if endpoint.owner.email:
        outbox_email(
            kind=OutboxMessage.Kind.WEBHOOK,
            to=endpoint.owner.email,
            subject=f"Compact Tracker: your webhook endpoint {endpoint.url} was disabled",
            text=(
                f"Deliveries to {endpoint.url} failed for 24 hours and the endpoint was "
                f"disabled.\n\nLast error: {delivery.last_error}\n\nFix the receiver, then "
                f"enable the endpoint again and redeliver: {site_url('/api/')}\n"
            ),
            dedupe_key=f"webhook-disabled:{endpoint.pk}:{moment.isoformat()}",
        )


def due_endpoints(now=None):
    """Endpoints with a delivery due now (beat's sweep dispatches them)."""
    from django.db.models import Q

    moment = now or timezone.now()
    return sorted(
        set(
            WebhookDelivery.objects.filter(state=State.PENDING, endpoint__is_active=True)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
            .values_list("endpoint_id", flat=True)
        )
    )


def redeliver(delivery):
    """Send a delivery again (after the receiver was fixed): a new delivery with the same
    events, at the end of the endpoint's queue, and the endpoint enabled."""
    with transaction.atomic():
        copy = WebhookDelivery.objects.create(
            endpoint=delivery.endpoint, events=delivery.events, is_test=delivery.is_test
        )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
            is_active=True, disabled_at=None, disabled_reason=""
        )
        transaction.on_commit(lambda: dispatch([delivery.endpoint_id]))
    return copy


def send_test(endpoint):
    """A test delivery: the newest published change, marked `"test": true`."""
    from parliaments.models import PublicationChange

    latest = PublicationChange.objects.order_by("-id").first()
    events = [[latest.id, "test"]] if latest else []
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, events=events, is_test=True)
        transaction.on_commit(lambda: dispatch([endpoint.pk]))
    return delivery
