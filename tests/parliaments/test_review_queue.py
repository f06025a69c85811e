"""Issue 14: the review queue can be filtered by cycle, region and state, sorted and
exported; a reviewer takes a submission so that two reviewers do not review the same one."""

import csv
import datetime
import io

import pytest
from django.test import Client

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Parliament, Submission
from tests.factories import ActionFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def queue():
    """Morocco (Africa) and Mexico (Americas) submitted their 2021 reports, Morocco first;
    Ecuador (Americas) its 2019 plan, accepted since."""
    reviewers = [make_user("reviewer.one", "secretariat"), make_user("reviewer.two", "secretariat")]
    reviewers[0].first_name, reviewers[0].last_name = "Amina", "Diallo"
    reviewers[0].save()
    submissions = {}
    for iso2, code, when in (
        ("MA", "2021-progress", datetime.datetime(2021, 12, 10, tzinfo=UTC)),
        ("MX", "2021-progress", datetime.datetime(2022, 1, 20, tzinfo=UTC)),
        ("EC", "2019-plan", datetime.datetime(2019, 12, 1, tzinfo=UTC)),
    ):
        parliament = Parliament.objects.get(iso2=iso2)
        ActionFactory(plan=PlanFactory(parliament=parliament))
        focal = make_user(f"focal.{iso2.lower()}", "focal_point", iso2)
        submission = services.submission_for(parliament, Cycle.objects.get(code=code))
        services.submission_submit(actor=focal, submission=submission)
        Submission.objects.filter(pk=submission.pk).update(
            submitted_at=when, first_submitted_at=when
        )
        submissions[iso2] = submission
    services.submission_accept(actor=reviewers[1], submission=submissions["EC"])
    clients = []
    for reviewer in reviewers:
        client = Client()
        client.force_login(reviewer)
        clients.append(client)
    return {"reviewers": reviewers, "clients": clients, "submissions": submissions}


def _rows(client, query=""):
    html = client.get(f"/review/{query}").content.decode()
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    found = [name for name in ("Morocco", "Mexico", "Ecuador") if f"{name}<br>" in body]
    return sorted(found, key=lambda name: body.index(f"{name}<br>")), body


def test_the_queue_shows_what_waits_oldest_first_and_filters(queue):
    client = queue["clients"][0]
    assert _rows(client)[0] == ["Morocco", "Mexico"]
    assert _rows(client, "?sort=-submitted")[0] == ["Mexico", "Morocco"]
    assert _rows(client, "?sort=-parliament")[0] == ["Morocco", "Mexico"]
    assert _rows(client, "?region=americas")[0] == ["Mexico"]
    assert _rows(client, "?cycle=2019-plan")[0] == []
    assert _rows(client, "?state=accepted")[0] == ["Ecuador"]
    assert _rows(client, "?state=all&cycle=2019-plan")[0] == ["Ecuador"]
    _names, body = _rows(client, "?region=europe")
    assert "No submission matches these filters." in body
    assert Client().get("/review/").status_code == 302  # sign in first
    partner = Client()
    partner.force_login(make_user("partner.iom", "partner"))
    assert partner.get("/review/").status_code == 403


def test_the_queue_exports_what_the_filters_show(queue):
    response = queue["clients"][0].get("/review/?region=africa&export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Parliament", "ISO", "Region", "Cycle"]
    assert [row[:5] for row in rows[1:]] == [
        ["Morocco", "MA", "Africa", "2021-progress", "Submitted"]
    ]
    assert rows[1][6] == "2021-12-10"


def test_two_reviewers_cannot_take_the_same_submission(queue):
    one, two = queue["clients"]
    morocco = queue["submissions"]["MA"]
    response = one.post(f"/review/{morocco.pk}/take/", {"action": "take", "next": "/review/"})
    assert response.status_code == 302 and response["Location"] == "/review/"
    morocco.refresh_from_db()
    assert morocco.assigned_to == queue["reviewers"][0]

    response = two.post(f"/review/{morocco.pk}/take/", {"action": "take"}, follow=True)
    assert "Amina Diallo took this submission first." in response.content.decode()
    morocco.refresh_from_db()
    assert morocco.assigned_to == queue["reviewers"][0]
    # The second reviewer cannot record a decision on it either.
    response = two.post(f"/review/{morocco.pk}/", {"decision": "accept", "comment": ""})
    assert response.status_code == 200
    assert "Amina Diallo is reviewing this submission." in response.content.decode()
    morocco.refresh_from_db()
    assert morocco.status == "submitted"
    # The queue says who has it; "Taken by me" lists it for its reviewer only.
    assert "Amina Diallo" in _rows(two)[1]
    assert _rows(one, "?state=mine")[0] == ["Morocco"]
    assert _rows(two, "?state=mine")[0] == []
    assert _rows(two, "?state=unassigned")[0] == ["Mexico"]

    # Taking over is explicit; then the decision clears the assignment.
    two.post(f"/review/{morocco.pk}/take/", {"action": "take_over"})
    morocco.refresh_from_db()
    assert morocco.assigned_to == queue["reviewers"][1]
    response = two.post(f"/review/{morocco.pk}/", {"decision": "accept", "comment": ""})
    assert response.status_code == 302
    morocco.refresh_from_db()
    assert (morocco.status, morocco.assigned_to) == ("accepted", None)


def test_a_reviewer_releases_a_submission_back_to_the_queue(queue):
    one, _two = queue["clients"]
    mexico = queue["submissions"]["MX"]
    one.post(f"/review/{mexico.pk}/take/", {"action": "take"})
    page = one.get(f"/review/{mexico.pk}/").content.decode()
    assert "You took this submission on" in page
    one.post(f"/review/{mexico.pk}/take/", {"action": "release"})
    mexico.refresh_from_db()
    assert mexico.assigned_to is None
    accepted = queue["submissions"]["EC"]
    response = one.post(f"/review/{accepted.pk}/take/", {"action": "take"}, follow=True)
    assert "it is not waiting for review" in response.content.decode()
