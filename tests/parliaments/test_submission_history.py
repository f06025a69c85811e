"""A submission's history is a log of events, each with its own actor, time and text:
the secretariat's comments are never credited to the focal point, a cover note is the
focal point's, a resubmission says so, and timeliness counts from the first submission."""

import datetime
import re

import pytest
from django.utils import timezone

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Submission
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


def _text(response):
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def returned_then_resubmitted(focal_ma, secretariat):
    focal_ma.first_name, focal_ma.last_name = "Amina", "Focal"
    focal_ma.save()
    secretariat.first_name, secretariat.last_name = "Sam", "Reviewer"
    secretariat.save()
    ActionFactory()
    cycle = Cycle.objects.get(code="2021-progress")
    submission = services.submission_for(focal_ma.profile.parliament, cycle)
    services.submission_submit(actor=focal_ma, submission=submission, note="First report.")
    services.submission_return(
        actor=secretariat, submission=submission, comment="Please add the hearing dates."
    )
    services.submission_submit(
        actor=focal_ma, submission=submission, note="Dates added to every hearing."
    )
    submission.refresh_from_db()
    return submission


def test_review_history_credits_each_event_to_its_own_actor(
    returned_then_resubmitted, reviewer_client
):
    submission = returned_then_resubmitted
    text = _text(reviewer_client.get(f"/review/{submission.pk}/"))
    history = text[text.index("History of this submission") :]
    # Each comment appears with its own author, and never after the focal point's name.
    assert re.search(
        r"Returned with comments · Sam Reviewer: “Please add the hearing dates.”", history
    )
    assert re.search(r"Resubmitted · Amina Focal: “Dates added to every hearing.”", history)
    assert re.search(r"Submitted · Amina Focal: “First report.”", history)
    assert not re.search(r"Amina Focal: “Please add the hearing dates.”", history)


def test_parliament_dashboard_history_table_is_the_event_log(
    returned_then_resubmitted, reviewer_client
):
    text = _text(reviewer_client.get("/dashboard/parliaments/MA/"))
    assert "Sam Reviewer Please add the hearing dates." in text
    assert "Amina Focal Dates added to every hearing." in text
    assert "Amina Focal Please add the hearing dates." not in text
    csv_text = reviewer_client.get(
        "/dashboard/parliaments/MA/?export=submissions&format=csv"
    ).content.decode()
    rows = [line for line in csv_text.splitlines() if "Please add the hearing dates." in line]
    assert len(rows) == 1 and "Sam Reviewer" in rows[0] and "Amina Focal" not in rows[0]


def test_resubmission_reads_resubmitted_and_timeliness_counts_from_the_first_submission(
    returned_then_resubmitted, reviewer_client
):
    submission = returned_then_resubmitted
    first = datetime.datetime(2021, 12, 15, 9, 0, tzinfo=datetime.UTC)
    again = datetime.datetime(2022, 2, 3, 9, 0, tzinfo=datetime.UTC)
    Submission.objects.filter(pk=submission.pk).update(first_submitted_at=first, submitted_at=again)
    submission.events.filter(kind="resubmitted").update(at=again)
    text = _text(reviewer_client.get(f"/review/{submission.pk}/"))
    assert "resubmitted on 3 Feb 2022" in text
    assert "On time: first submitted on 15 Dec 2021, due 31 Dec 2021" in text


def test_cover_note_is_optional_and_shown_as_the_focal_points(focal_ma, focal_client):
    ActionFactory()
    # First the check: what will be sent, the note kept; nothing sent yet.
    check = focal_client.post(
        "/workspace/submissions/2021-progress/", {"note": "Sent after the committee met."}
    )
    assert check.status_code == 200
    page = check.content.decode()
    assert "You are about to send the IPU secretariat" in page
    assert "1 action: 1 new, 0 changed, 0 unchanged" in " ".join(page.split())
    assert ">Sent after the committee met.</textarea>" in page
    assert 'name="confirm" value="1"' in page
    assert not Submission.objects.filter(status="submitted").exists()
    response = focal_client.post(
        "/workspace/submissions/2021-progress/",
        {"note": "Sent after the committee met.", "confirm": "1"},
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    [event] = submission.events.all()
    assert (event.kind, event.actor, event.text, event.round) == (
        "submitted",
        focal_ma,
        "Sent after the committee met.",
        1,
    )
    assert event.at <= timezone.now()
    page = _text(focal_client.get("/workspace/submissions/2021-progress/"))
    assert "Sent after the committee met." in page


def test_api_lists_the_events_with_their_actors(returned_then_resubmitted, reviewer_client):
    submission = returned_then_resubmitted
    data = reviewer_client.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert [(e["kind"], e["actor"], e["text"]) for e in data["events"]] == [
        ("submitted", "Amina Focal", "First report."),
        ("returned", "Sam Reviewer", "Please add the hearing dates."),
        ("resubmitted", "Amina Focal", "Dates added to every hearing."),
    ]
