"""What an accepted submission publishes: only what changed is rewritten (so
`updated_since` and the changes feed agree), and the published completion of an action is
the one its published progress supports."""

import datetime
import time

import pytest
from django.test import Client
from django.utils import timezone

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Action, Completion, ProgressUpdate
from tests.factories import ActionFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def _submit_and_accept(focal, reviewer, cycle_code="2021-progress"):
    parliament = focal.profile.parliament
    submission = services.submission_for(parliament, Cycle.objects.get(code=cycle_code))
    services.submission_submit(actor=focal, submission=submission)
    services.submission_accept(actor=reviewer, submission=submission)
    return submission


def _feed(client, since):
    """Replay the changes feed from `since`: {(type, uid): last operation}, next cursor."""
    seen, cursor = {}, since
    while True:
        page = client.get(f"/api/v1/changes/?since={cursor}&limit=500").json()
        for entry in page["results"]:
            seen[(entry["type"], entry["id"])] = entry["operation"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen, cursor


def _updated_since(client, path, moment):
    stamp = moment.isoformat().replace("+00:00", "Z")
    response = client.get(f"/api/v1/{path}/", {"updated_since": stamp, "page_size": 500})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_updated_since_and_changes_feed_agree_after_a_mixed_acceptance(
    editor_ma, focal_ma, secretariat
):
    unchanged, changed, dropped = ActionFactory(), None, None
    changed = ActionFactory(plan=unchanged.plan)
    dropped = ActionFactory(plan=unchanged.plan)
    kept_update = ProgressUpdateFactory(action=unchanged)
    edited_update = ProgressUpdateFactory(action=changed)
    _submit_and_accept(focal_ma, secretariat)
    client = Client()
    _entries, cursor = _feed(client, 0)

    time.sleep(0.01)
    before = timezone.now()
    time.sleep(0.01)
    services.action_update(
        actor=editor_ma, action=changed, expected_version=changed.version, title="Renamed"
    )
    services.action_delete(actor=editor_ma, action=dropped, expected_version=dropped.version)
    added = services.action_create(
        actor=editor_ma,
        plan=unchanged.plan,
        commitments=list(changed.commitments.all()),
        objectives=list(changed.objectives.all()),
        title="A new hearing",
        action_type="oversight",
    )
    ProgressUpdate.objects.filter(pk=edited_update.pk).update(narrative="Rewritten", version=2)
    # A save that changes nothing still bumps the draft's version.
    services.action_update(
        actor=editor_ma, action=unchanged, expected_version=unchanged.version, title=unchanged.title
    )
    _submit_and_accept(focal_ma, secretariat)

    feed, _cursor = _feed(client, cursor)
    upserted = {uid for (kind, uid), op in feed.items() if kind == "action" and op == "upsert"}
    deleted = {uid for (kind, uid), op in feed.items() if kind == "action" and op == "delete"}
    assert upserted == {str(changed.uid), str(added.uid)}
    assert deleted == {str(dropped.uid)}
    assert _updated_since(client, "actions", before) == upserted
    updates_upserted = {
        uid for (kind, uid), op in feed.items() if kind == "progress_update" and op == "upsert"
    }
    assert updates_upserted == {str(edited_update.uid)}
    assert _updated_since(client, "progress-updates", before) == updates_upserted
    assert str(kept_update.uid) not in updates_upserted
    # The unchanged copy kept its publication time and its last-changed time.
    copy = Action.objects.published().get(uid=unchanged.uid)
    assert copy.updated_at < before and copy.published_at < before


def test_withdrawing_an_action_withdraws_its_published_progress_from_the_feed(
    editor_ma, focal_ma, secretariat
):
    dropped = ActionFactory()
    update = ProgressUpdateFactory(action=dropped)
    _submit_and_accept(focal_ma, secretariat)
    dropped.refresh_from_db()
    services.action_delete(actor=editor_ma, action=dropped, expected_version=dropped.version)
    _submit_and_accept(focal_ma, secretariat)

    feed, _cursor = _feed(Client(), 0)
    assert feed[("action", str(dropped.uid))] == "delete"
    # Its published progress went with it (by cascade): a replay must drop it too.
    assert feed[("progress_update", str(update.uid))] == "delete"
    assert not ProgressUpdate.objects.published().filter(uid=update.uid).exists()


def test_starring_a_published_action_moves_its_updated_at_like_the_feed(
    editor_ma, focal_ma, secretariat
):
    action = ActionFactory()
    _submit_and_accept(focal_ma, secretariat)
    client = Client()
    _entries, cursor = _feed(client, 0)
    time.sleep(0.01)
    before = timezone.now()
    services.action_set_good_practice(actor=secretariat, action=action, value=True)
    feed, _cursor = _feed(client, cursor)
    assert set(feed) == {("action", str(action.uid))}
    assert _updated_since(client, "actions", before) == {str(action.uid)}


def test_completion_is_published_with_the_progress_that_supports_it(
    editor_ma, focal_ma, secretariat
):
    """Progress recorded under a later cycle does not leak into an earlier cycle's
    publication through the action's completion."""
    action = ActionFactory(completion=Completion.NOT_STARTED)
    services.progress_update_create(
        actor=editor_ma,
        action=action,
        date=datetime.date(2021, 5, 3),
        cycle=Cycle.objects.get(code="2021-progress"),
        completion=Completion.LIMITED,
        narrative="Hearing held.",
    )
    services.progress_update_create(
        actor=editor_ma,
        action=action,
        date=datetime.date(2025, 4, 1),
        cycle=Cycle.objects.get(code="2026-imrf"),
        completion=Completion.SUBSTANTIAL,
        narrative="Bill adopted in first reading.",
        links=[("Record", "https://example.org/record")],
    )
    action.refresh_from_db()
    assert action.completion == Completion.SUBSTANTIAL  # the draft follows its latest update

    _submit_and_accept(focal_ma, secretariat, "2021-progress")

    copy = Action.objects.published().get(uid=action.uid)
    assert copy.completion == Completion.LIMITED
    page = Client().get(f"/parliaments/MA/actions/{copy.uid}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hearing held." in body and "Bill adopted in first reading." not in body

    _submit_and_accept(focal_ma, secretariat, "2026-imrf")
    assert Action.objects.published().get(uid=action.uid).completion == Completion.SUBSTANTIAL


def test_completion_without_any_published_progress_is_not_started(editor_ma, focal_ma, secretariat):
    action = ActionFactory(completion=Completion.COMPLETE)
    _submit_and_accept(focal_ma, secretariat)
    copy = Action.objects.published().get(uid=action.uid)
    assert copy.completion == Completion.NOT_STARTED
    body = Client().get(f"/parliaments/MA/actions/{copy.uid}/").content.decode()
    assert "No progress recorded yet" in body


def test_submission_page_lists_each_progress_update_it_will_publish(
    editor_ma, focal_ma, focal_client
):
    action = ActionFactory(title="Inquiry into detention", completion=Completion.NOT_STARTED)
    ProgressUpdateFactory(
        action=action, date=datetime.date(2021, 3, 9), narrative="First hearing held."
    )
    ProgressUpdateFactory(
        action=action,
        date=datetime.date(2025, 2, 1),
        cycle=Cycle.objects.get(code="2026-imrf"),
        completion="complete",
        narrative="Report adopted.",
    )
    body = focal_client.get("/workspace/submissions/2021-progress/").content.decode()
    assert "9 Mar 2021" in body
    assert "1 Feb 2025" not in body  # a later cycle's update is not in this report
    assert "Substantial" in body  # the completion the 2021 progress supports


def test_resubmitting_an_earlier_cycle_keeps_the_completion_of_later_published_progress(
    editor_ma, focal_ma, secretariat
):
    """A later cycle's accepted progress stays published when an earlier cycle's report is
    accepted again; the completion stays the one that published progress supports."""
    action = ActionFactory(completion=Completion.NOT_STARTED)
    for date, code, completion in (
        (datetime.date(2021, 5, 3), "2021-progress", Completion.LIMITED),
        (datetime.date(2025, 4, 1), "2026-imrf", Completion.COMPLETE),
    ):
        services.progress_update_create(
            actor=editor_ma,
            action=action,
            date=date,
            cycle=Cycle.objects.get(code=code),
            completion=completion,
            narrative=f"Progress for {code}.",
        )
    _submit_and_accept(focal_ma, secretariat, "2026-imrf")
    _submit_and_accept(focal_ma, secretariat, "2021-progress")

    copy = Action.objects.published().get(uid=action.uid)
    published = ProgressUpdate.objects.published().filter(action=copy)
    assert published.count() == 2
    assert copy.completion == published.order_by("-date").first().completion == "complete"
