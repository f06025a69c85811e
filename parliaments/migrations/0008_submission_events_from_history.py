"""Rebuild the event log of existing submissions from their history: each change of
status becomes an event credited to whoever made it, with the review comment only on the
secretariat's steps (the history repeated it on every later row)."""

from django.db import migrations


def forward(apps, schema_editor):
    Historical = apps.get_model("parliaments", "HistoricalSubmission")
    Event = apps.get_model("parliaments", "SubmissionEvent")
    events, previous = [], {}
    for record in Historical.objects.order_by("id", "history_date", "history_id").iterator():
        before = previous.get(record.id)
        previous[record.id] = record.status
        if record.status == before or record.status == "draft":
            continue
        if record.status == "submitted":
            kind = "resubmitted" if (record.round or 0) > 1 else "submitted"
            text = ""
        else:
            kind, text = record.status, record.review_comment or ""
        events.append(
            Event(
                submission_id=record.id,
                kind=kind,
                round=record.round or 0,
                actor_id=record.history_user_id,
                at=record.history_date,
                text=text,
            )
        )
    Event.objects.bulk_create(events, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("parliaments", "0007_submission_events")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
