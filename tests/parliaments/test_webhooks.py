"""Issue 18: webhooks. A real HTTP receiver started by the tests checks the signature, the
order of the deliveries, the retries (two failures, then the third attempt delivered
once), and that receivers at loopback, private, link-local or metadata addresses (or a
name resolving to one) are refused, at registration and at each delivery."""

import datetime
import hashlib
import hmac
import json
import socket

import pytest
from django.utils import timezone

from commitments.models import Cycle
from parliaments import services
from parliaments.models import OutboxMessage, Parliament
from parliaments.webhooks import services as webhooks
from parliaments.webhooks import transport
from parliaments.webhooks.models import WebhookDelivery
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(focal_ma, secretariat):
    """Publish Morocco's plan with `count` actions (an acceptance), as the site does."""

    def publish(count=3, **fields):
        plan = PlanFactory(parliament=Parliament.objects.get(iso2="MA"))
        actions = [ActionFactory(plan=plan, title=f"Action {n:03}", **fields) for n in range(count)]
        submission = services.submission_for(plan.parliament, Cycle.objects.get(code="2019-plan"))
        services.submission_submit(actor=focal_ma, submission=submission)
        services.submission_accept(actor=secretariat, submission=submission)
        return plan, actions

    return publish


def _endpoint(partner, url, events=("action.published", "plan.published"), **filters):
    return webhooks.endpoint_create(owner=partner, url=url, events=events, **filters)


def _start_after_the_reference_data():
    """Fan out what the reference load published (treaty statuses) before the test."""
    webhooks.fan_out(limit=10**6)


def test_deliveries_are_signed_and_in_order(receiver, partner, publish, monkeypatch):
    _start_after_the_reference_data()
    monkeypatch.setattr(webhooks, "BATCH", 2)  # several deliveries for one acceptance
    endpoint = _endpoint(partner, receiver.url)
    assert endpoint.secret.startswith("whsec_")
    publish(count=5)
    written = webhooks.fan_out()
    assert written == 3  # 6 events (the plan and 5 actions), 2 per delivery
    assert webhooks.deliver(endpoint.pk) == 3
    assert len(receiver.requests) == 3
    for headers, body in receiver.requests:
        # The documented recipe: HMAC-SHA256 of "<timestamp>.<body>" with the secret.
        message = headers["Webhook-Timestamp"].encode() + b"." + body
        expected = hmac.new(endpoint.secret.encode(), message, hashlib.sha256).hexdigest()
        assert headers["Webhook-Signature"] == f"v1={expected}"
        assert headers["Webhook-Id"] == json.loads(body)["id"]
    events = receiver.events()
    assert [e["cursor"] for e in events] == sorted(e["cursor"] for e in events)
    assert [e["event"] for e in events] == ["plan.published"] + ["action.published"] * 5
    assert events[1]["record"]["title"] == "Action 000"  # the record, as the feed gives it
    ids = [json.loads(body)["id"] for _h, body in receiver.requests]
    assert ids == [str(d.uid) for d in WebhookDelivery.objects.order_by("id")]


def test_two_failures_are_retried_and_the_third_attempt_is_delivered_once(
    receiver, partner, publish
):
    _start_after_the_reference_data()
    endpoint = _endpoint(partner, receiver.url)
    publish(count=1)
    webhooks.fan_out()
    receiver.answers = [500, 503]
    assert webhooks.deliver(endpoint.pk) == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.next_attempt_at > timezone.now()
    assert webhooks.deliver(endpoint.pk) == 0  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    assert webhooks.deliver(endpoint.pk, now=delivery.next_attempt_at) == 0
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status) == (2, 503)
    first_wait = webhooks.backoff(1)
    assert webhooks.backoff(2) == 2 * first_wait  # exponential
    assert webhooks.deliver(endpoint.pk, now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)
    assert len(receiver.requests) == 3
    # The same delivery each time: one id, one body; a receiver keeps it once.
    assert len({h["Webhook-Id"] for h, _b in receiver.requests}) == 1
    assert len({b for _h, b in receiver.requests}) == 1
    assert webhooks.deliver(endpoint.pk, now=timezone.now() + datetime.timedelta(days=1)) == 0
    assert len(receiver.requests) == 3


def test_a_failing_delivery_holds_the_next_ones_and_after_a_day_disables_the_endpoint(
    receiver, partner, publish, monkeypatch
):
    _start_after_the_reference_data()
    monkeypatch.setattr(webhooks, "BATCH", 1)
    endpoint = _endpoint(partner, receiver.url)
    publish(count=1)
    webhooks.fan_out()
    receiver.answers = [500] * 50
    webhooks.deliver(endpoint.pk)
    assert len(receiver.requests) == 1  # the second waits behind the first: kept in order
    first = WebhookDelivery.objects.order_by("id").first()
    later = first.created_at + webhooks.RETRY_WINDOW
    webhooks.deliver(endpoint.pk, now=later)
    first.refresh_from_db()
    endpoint.refresh_from_db()
    assert first.state == "failed" and not endpoint.is_active
    assert "failed for 24 hours" in endpoint.disabled_reason
    mail = OutboxMessage.objects.get(kind="webhook")
    assert mail.to == partner.email and endpoint.url in mail.subject
    # Redelivered once the receiver is fixed: the endpoint is enabled again.
    receiver.answers = []
    again = webhooks.redeliver(first)
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert webhooks.deliver(endpoint.pk) == 2  # the one held behind, then the redelivery
    again.refresh_from_db()
    assert again.state == "delivered"


def test_a_redirect_is_not_followed(receiver, partner, publish):
    _start_after_the_reference_data()
    endpoint = _endpoint(partner, receiver.url)
    publish(count=1)
    webhooks.fan_out()
    receiver.answers = [302]
    webhooks.deliver(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_status) == ("pending", 302)
    assert len(receiver.requests) == 1  # nothing went to the Location


def test_filters_by_parliament_region_and_objective(receiver, partner, publish):
    _start_after_the_reference_data()
    wanted = {
        "morocco": _endpoint(
            partner, receiver.url, events=["action.published"], parliaments=["ma"]
        ),
        "africa": _endpoint(partner, receiver.url, events=["action.published"], regions=["africa"]),
        "objective 7": _endpoint(
            partner, receiver.url, events=["action.published"], objectives=[7]
        ),
    }
    unwanted = {
        "mexico": _endpoint(partner, receiver.url, events=["action.published"], parliaments=["MX"]),
        "europe": _endpoint(partner, receiver.url, events=["action.published"], regions=["europe"]),
        "objective 20": _endpoint(
            partner, receiver.url, events=["action.published"], objectives=[20]
        ),
        "plans only": _endpoint(
            partner, receiver.url, events=["plan.published"], regions=["europe"]
        ),
    }
    publish(count=2)  # the factory links each action to objectives 7 and 15
    webhooks.fan_out()
    for name, endpoint in wanted.items():
        events = [e for d in endpoint.deliveries.all() for e in d.events]
        assert [event for _id, event in events] == ["action.published"] * 2, name
    for name, endpoint in unwanted.items():
        assert not endpoint.deliveries.exists(), name


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://localhost/hook",  # a name resolving to loopback
        "http://metadata.test/hook",  # a name resolving to the metadata address
        "ftp://example.org/hook",
    ],
)
def test_receivers_at_private_addresses_are_refused(settings, partner, url, monkeypatch):
    settings.WEBHOOK_ALLOW_HTTP = True
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "metadata.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(transport.Refused):
        _endpoint(partner, url)


def test_the_address_is_checked_again_at_each_delivery(receiver, partner, publish, settings):
    _start_after_the_reference_data()
    endpoint = _endpoint(partner, receiver.url)
    publish(count=1)
    webhooks.fan_out()
    settings.WEBHOOK_ALLOWED_NETWORKS = []  # the name now leads to a refused address
    assert webhooks.deliver(endpoint.pk) == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error.startswith("refused:") and delivery.last_status is None
    assert receiver.requests == []


def test_https_only_outside_development(settings, partner):
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(transport.Refused, match="only https"):
        _endpoint(partner, "http://example.org/hook")


# --- The partner's pages -------------------------------------------------------------------


def test_a_partner_registers_an_endpoint_sees_its_secret_once_and_its_log(
    receiver, partner_client, partner, publish
):
    page = partner_client.get("/accounts/webhooks/")
    assert page.status_code == 200 and "No endpoint yet" in page.content.decode()
    bad = partner_client.post(
        "/accounts/webhooks/",
        {"url": "http://10.0.0.1/hook", "events": ["action.published"], "parliaments": "MA, ZZ"},
    )
    errors = bad.context["form"].errors
    assert "cannot receive webhooks" in str(errors["url"]) and "ZZ" in str(errors["parliaments"])
    assert not partner.webhook_endpoints.exists()
    created = partner_client.post(
        "/accounts/webhooks/",
        {"url": receiver.url, "events": ["action.published"], "parliaments": "ma", "regions": []},
    )
    endpoint = partner.webhook_endpoints.get()
    assert endpoint.secret in created.content.decode() and endpoint.parliaments == ["MA"]
    detail = f"/accounts/webhooks/{endpoint.uid}/"
    assert endpoint.secret not in partner_client.get(detail).content.decode()  # once only
    # A test event reaches the receiver and the log shows it.
    partner_client.post(detail, {"action": "test"})
    webhooks.deliver(endpoint.pk)
    assert json.loads(receiver.requests[-1][1])["test"] is True
    log = partner_client.get(detail).content.decode()
    assert "Delivered" in log.replace("delivered", "Delivered") and "200" in log
    partner_client.post(detail, {"action": "disable"})
    endpoint.refresh_from_db()
    assert not endpoint.is_active


def test_nobody_reads_or_changes_anothers_endpoint(receiver, partner, client, editor_client):
    endpoint = _endpoint(partner, receiver.url)
    detail = f"/accounts/webhooks/{endpoint.uid}/"
    assert client.get(detail).status_code == 302  # sign in first
    assert editor_client.get(detail).status_code == 404
    assert editor_client.post(detail, {"action": "delete"}).status_code == 404
    assert type(endpoint).objects.filter(pk=endpoint.pk).exists()


def test_the_guides_python_recipe_verifies_a_real_delivery(receiver, partner, publish, client):
    import html
    import re

    _start_after_the_reference_data()
    endpoint = _endpoint(partner, receiver.url)
    publish(count=1)
    webhooks.fan_out()
    webhooks.deliver(endpoint.pk)
    headers, body = receiver.requests[0]
    guide = client.get("/api/").content.decode()
    code = html.unescape(re.search(r"<code># Python\n(.*?)</code>", guide, re.S).group(1))
    namespace = {}
    exec(code, namespace)  # noqa: S102 - the guide's own example, run as a reader would
    assert namespace["verified"](endpoint.secret, headers, body)
    assert not namespace["verified"]("whsec_wrong", headers, body)
    assert not namespace["verified"](endpoint.secret, headers, body + b" ")


@pytest.mark.skipif(not __import__("shutil").which("node"), reason="Node.js is not installed")
def test_the_guides_javascript_recipe_verifies_a_real_delivery(
    receiver, partner, publish, client, tmp_path
):
    import html
    import re
    import subprocess

    _start_after_the_reference_data()
    endpoint = _endpoint(partner, receiver.url)
    publish(count=1)
    webhooks.fan_out()
    webhooks.deliver(endpoint.pk)
    headers, body = receiver.requests[0]
    guide = client.get("/api/").content.decode()
    code = html.unescape(
        re.search(r"<code>// JavaScript \(Node.js\)\n(.*?)</code>", guide, re.S).group(1)
    )
    (tmp_path / "body.json").write_bytes(body)
    lowered = {name.lower(): value for name, value in headers.items()}
    script = code + (
        "\nconst fs = require('node:fs');"
        f"\nconst headers = {json.dumps(lowered)};"
        f"\nconst body = fs.readFileSync({json.dumps(str(tmp_path / 'body.json'))});"
        f"\nconsole.log(verified({json.dumps(endpoint.secret)}, headers, body),"
        " verified('whsec_wrong', headers, body));"
    )
    (tmp_path / "check.js").write_text(script)
    result = subprocess.run(  # noqa: S603, S607 - fixed arguments
        ["node", str(tmp_path / "check.js")], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["true", "false"]


# --- The API -------------------------------------------------------------------------------


def test_the_api_registers_lists_changes_and_redelivers(
    receiver, partner_client, partner, editor_client, publish
):
    from django.test import Client

    assert Client().get("/api/v1/webhooks/").status_code == 401
    bad = partner_client.post(
        "/api/v1/webhooks/",
        {"url": "https://169.254.169.254/x", "events": ["nope"], "parliaments": ["ZZ"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    fields = bad.json()["error"]["fields"]
    assert {"url", "events", "parliaments"} <= set(fields)
    assert not partner.webhook_endpoints.exists()
    created = partner_client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["action.published"], "regions": ["africa"]},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    endpoint = partner.webhook_endpoints.get()
    assert body["secret"] == endpoint.secret and body["id"] == str(endpoint.uid)
    listed = partner_client.get("/api/v1/webhooks/").json()["results"]
    assert [e["id"] for e in listed] == [body["id"]] and listed[0]["secret"] is None
    # Somebody else's endpoint does not exist for them.
    assert editor_client.get(f"/api/v1/webhooks/{endpoint.uid}/").status_code == 404
    assert editor_client.get("/api/v1/webhooks/").json()["results"] == []
    # Test event, then its delivery in the log.
    started = partner_client.post(f"/api/v1/webhooks/{endpoint.uid}/test/")
    assert started.status_code == 202
    webhooks.deliver(endpoint.pk)
    log = partner_client.get("/api/v1/webhook-deliveries/", {"endpoint": str(endpoint.uid)})
    (delivery,) = log.json()["results"]
    assert (delivery["id"], delivery["state"], delivery["test"]) == (
        started.json()["delivery"],
        "delivered",
        True,
    )
    assert editor_client.get(f"/api/v1/webhook-deliveries/{delivery['id']}/").status_code == 404
    again = partner_client.post(
        f"/api/v1/webhooks/{endpoint.uid}/redeliver/",
        {"delivery": delivery["id"]},
        content_type="application/json",
    )
    assert again.status_code == 202 and again.json()["delivery"] != delivery["id"]
    unknown = partner_client.post(
        f"/api/v1/webhooks/{endpoint.uid}/redeliver/",
        {"delivery": "not-an-id"},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "delivery" in unknown.json()["error"]["fields"]
    switched = partner_client.patch(
        f"/api/v1/webhooks/{endpoint.uid}/", {"is_active": False}, content_type="application/json"
    )
    assert switched.status_code == 200 and switched.json()["is_active"] is False
    assert partner_client.delete(f"/api/v1/webhooks/{endpoint.uid}/").status_code == 204
    assert not partner.webhook_endpoints.exists()


def test_an_acceptance_of_500_actions_reaches_20_endpoints_within_a_minute(
    receiver, partner, publish, capsys
):
    """Issue 18's figure: one worker (this process) delivers every event of a 500-action
    acceptance to 20 endpoints in under a minute, each endpoint's events in order."""
    import time

    _start_after_the_reference_data()
    endpoints = [_endpoint(partner, f"{receiver.url}{n}/") for n in range(20)]
    publish(count=500)
    started = time.perf_counter()
    webhooks.fan_out()
    delivered = sum(webhooks.deliver(endpoint.pk) for endpoint in endpoints)
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n500 actions to 20 endpoints: {delivered} deliveries in {seconds:.1f} s")
    assert seconds < 60
    events = receiver.events()
    assert len(events) == 20 * 501  # the plan and its 500 actions, for each endpoint
    assert not WebhookDelivery.objects.exclude(state="delivered").exists()
    for endpoint in endpoints:
        path = f"/{endpoint.url.rsplit('/', 2)[1]}/"
        cursors = [
            e["cursor"]
            for headers, body in receiver.requests
            if headers.get("Host") and json.loads(body)["endpoint"] == str(endpoint.uid)
            for e in json.loads(body)["events"]
        ]
        assert cursors == sorted(cursors) and len(cursors) == 501, path


def test_an_acceptance_is_delivered_at_once_through_the_outbox(
    receiver, partner, publish, django_capture_on_commit_callbacks
):
    """No wait for beat: the acceptance queues the fan-out (outbox, same transaction),
    which queues the deliveries after its own commit."""
    _start_after_the_reference_data()
    _endpoint(partner, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        publish(count=2)
    assert [e["event"] for e in receiver.events()] == ["plan.published"] + ["action.published"] * 2
    assert WebhookDelivery.objects.filter(state="delivered").exists()


def test_a_redelivery_request_that_is_not_an_object_is_a_400(partner_client, partner, receiver):
    """Found by schemathesis: a JSON list as the body was a 500."""
    endpoint = _endpoint(partner, receiver.url)
    for body in ([None, None], "x", 3):
        response = partner_client.post(
            f"/api/v1/webhooks/{endpoint.uid}/redeliver/", body, content_type="application/json"
        )
        assert response.status_code == 400, body
