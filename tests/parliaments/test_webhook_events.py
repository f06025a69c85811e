"""Issue 18: "a submission accepted" and "a report built" are events, in the changes feed
as in the webhooks, with the same records the API gives; internal or unfinished reports
are neither."""

import json

import pytest

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Parliament, PublicationChange
from parliaments.webhooks import services as webhooks
from reports import services as report_services
from reports.models import Report
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accept(focal_ma, secretariat):
    def accept():
        plan = PlanFactory(parliament=Parliament.objects.get(iso2="MA"))
        ActionFactory(plan=plan, title="Action 1")
        submission = services.submission_for(plan.parliament, Cycle.objects.get(code="2019-plan"))
        services.submission_submit(actor=focal_ma, submission=submission)
        services.submission_accept(actor=secretariat, submission=submission)
        submission.refresh_from_db()
        return submission

    return accept


def _report(**options):
    report, _created = report_services.report_request(
        actor=None,
        cycle=Cycle.objects.get(code="2019-plan"),
        language="en",
        formats=["json"],
        **{"scope": "global", **options},
    )
    assert report_services.report_build(report.pk)
    report.refresh_from_db()
    return report


def _feed(client, types):
    since = 0
    entries = []
    while True:
        page = client.get("/api/v1/changes/", {"since": since, "limit": 500}).json()
        entries += [entry for entry in page["results"] if entry["type"] in types]
        since = page["next_cursor"]
        if not page["has_more"]:
            return entries


def test_an_accepted_submission_is_in_the_changes_feed_after_what_it_published(
    accept, anonymous_client
):
    submission = accept()
    entries = [
        entry
        for entry in _feed(anonymous_client, {"plan", "action", "submission"})
        if entry["parliament"] == "MA"
    ]
    assert [entry["type"] for entry in entries] == ["plan", "action", "submission"]
    entry = entries[-1]
    assert entry["id"] == str(submission.uid)
    assert entry["operation"] == "upsert"
    record = entry["record"]
    assert (record["uid"], record["status"], record["cycle"]) == (
        str(submission.uid),
        "accepted",
        "2019-plan",
    )
    # The record as the submissions API gives it to anyone.
    listed = anonymous_client.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert record == listed


def test_a_built_public_report_is_in_the_feed_and_an_internal_one_is_not(anonymous_client):
    public = _report()
    internal = _report(
        scope="parliament", parliament=Parliament.objects.get(iso2="MA"), internal=True
    )
    queued, _created = report_services.report_request(
        actor=None,
        cycle=Cycle.objects.get(code="2021-progress"),
        language="fr",
        formats=["json"],
        scope="global",
    )
    entries = _feed(anonymous_client, {"report"})
    assert [entry["id"] for entry in entries] == [str(public.uid)]
    entry = entries[0]
    assert entry["parliament"] is None  # a global report belongs to no parliament
    assert entry["record"]["status"] == "succeeded"
    assert entry["record"]["uid"] == str(public.uid)
    assert entry["record"]["files"]["json"].startswith("http://testserver/reports/")
    assert str(internal.uid) not in {e["id"] for e in entries}
    assert str(queued.uid) not in {e["id"] for e in entries}


def test_webhooks_carry_submission_accepted_and_report_built(receiver, partner, accept, settings):
    settings.SITE_URL = "https://tracker.example.org"
    webhooks.fan_out(limit=10**6)  # what the reference load published
    endpoint = webhooks.endpoint_create(
        owner=partner, url=receiver.url, events=["submission.accepted", "report.built"]
    )
    submission = accept()
    report = _report()
    webhooks.fan_out()
    webhooks.deliver(endpoint.pk)
    events = receiver.events()
    assert [(e["event"], e["id"]) for e in events] == [
        ("submission.accepted", str(submission.uid)),
        ("report.built", str(report.uid)),
    ]
    # Links in a delivery are absolute, on the site's address (no request to take it from).
    assert events[1]["record"]["files"]["json"].startswith("https://tracker.example.org/reports/")


def test_report_events_follow_the_endpoints_filters(receiver, partner):
    webhooks.fan_out(limit=10**6)
    morocco = Parliament.objects.get(iso2="MA")
    wanted = {
        "everything": webhooks.endpoint_create(
            owner=partner, url=receiver.url + "all", events=["report.built"]
        ),
        "africa": webhooks.endpoint_create(
            owner=partner, url=receiver.url + "africa", events=["report.built"], regions=["africa"]
        ),
        "europe": webhooks.endpoint_create(
            owner=partner, url=receiver.url + "europe", events=["report.built"], regions=["europe"]
        ),
        "morocco": webhooks.endpoint_create(
            owner=partner, url=receiver.url + "ma", events=["report.built"], parliaments=["MA"]
        ),
    }
    assert morocco.region == "africa"
    global_report = _report()
    african = _report(scope="region", region="africa")
    moroccan = _report(scope="parliament", parliament=morocco)
    webhooks.fan_out()
    for endpoint in wanted.values():
        webhooks.deliver(endpoint.pk)
    got = {}
    for _headers, body in receiver.requests:
        name = next(n for n, e in wanted.items() if str(e.uid) == json.loads(body)["endpoint"])
        got[name] = {event["id"] for event in json.loads(body)["events"]}
    assert got == {
        "everything": {str(global_report.uid), str(african.uid), str(moroccan.uid)},
        # A global report is not news for a region's or a parliament's follower; a region's
        # report is news for that region; a parliament's for its region and itself.
        "africa": {str(african.uid), str(moroccan.uid)},
        "morocco": {str(moroccan.uid)},
    }
    change = PublicationChange.objects.get(uid=african.uid)
    assert (change.kind, change.parliament_id, change.region) == ("report", None, "africa")


def test_the_api_and_the_form_offer_the_new_events(partner_client, receiver):
    answer = partner_client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["submission.accepted", "report.built"]},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert set(answer.json()["events"]) == {"submission.accepted", "report.built"}
    page = partner_client.get("/accounts/webhooks/").content.decode()
    assert "A parliament’s report is accepted by the secretariat" in page
    assert "A public report is built" in page
    assert Report.objects.count() == 0
