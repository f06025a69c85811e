"""An integration opens a cycle's report through the API, the focal point submits it, and
staff read their parliament's due cycles with their status, as the workspace shows them."""

import datetime

import pytest
from django.test import Client

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Submission
from tests.factories import ActionFactory, make_user

pytestmark = pytest.mark.django_db


def token_client(user):
    client = Client()
    if user is not None:
        _token, key = services.api_token_create(user=user, name="tests")
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


@pytest.fixture
def people(db):
    return {
        "focal": make_user("focal.ma", "focal_point", "MA"),
        "editor": make_user("editor.ma", "editor", "MA"),
        "focal_mx": make_user("focal.mx", "focal_point", "MX"),
        "secretariat": make_user("secretariat.reviewer", "secretariat"),
        "partner": make_user("partner.iom", "partner"),
    }


def test_focal_point_opens_and_submits_the_2022_report_through_the_api(people):
    ActionFactory()  # Morocco's plan with an action
    focal = token_client(people["focal"])

    opened = focal.post(
        "/api/v1/submissions/", {"cycle": "2022-imrf"}, content_type="application/json"
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["parliament"], body["cycle"], body["status"]) == ("MA", "2022-imrf", "draft")

    submitted = focal.post(
        f"/api/v1/submissions/{body['id']}/submit/",
        {"note": "Sent from our system."},
        content_type="application/json",
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    submission = Submission.objects.get(pk=body["id"])
    assert (submission.status, submission.submitted_by) == ("submitted", people["focal"])
    assert submission.events.get().text == "Sent from our system."


def test_opening_twice_returns_the_same_submission(people):
    focal = token_client(people["focal"])
    first = focal.post("/api/v1/submissions/", {"cycle": "2021-progress"})
    again = focal.post("/api/v1/submissions/", {"cycle": "2021-progress"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Submission.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("editor", 201), ("secretariat", 403), ("partner", 403), (None, 401)],
)
def test_who_may_open_a_submission(people, who, status):
    client = token_client(people.get(who))
    response = client.post("/api/v1/submissions/", {"cycle": "2022-imrf"})
    assert response.status_code == status
    assert Submission.objects.exists() == (status == 201)


def test_editor_opens_but_only_the_focal_point_submits(people):
    ActionFactory()
    editor = token_client(people["editor"])
    opened = editor.post("/api/v1/submissions/", {"cycle": "2022-imrf"}).json()
    assert editor.post(f"/api/v1/submissions/{opened['id']}/submit/").status_code == 403
    assert Submission.objects.get().status == "draft"


@pytest.mark.parametrize("payload", [{}, {"cycle": "2031-nope"}, {"cycle": ""}, {"cycle": ["x"]}])
def test_opening_needs_a_known_cycle(people, payload):
    response = token_client(people["focal"]).post(
        "/api/v1/submissions/", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert "cycle" in response.json()["error"]["fields"]
    assert not Submission.objects.exists()


def test_a_too_long_cover_note_is_a_field_error_and_nothing_is_sent(people):
    ActionFactory()
    focal = token_client(people["focal"])
    opened = focal.post("/api/v1/submissions/", {"cycle": "2022-imrf"}).json()
    response = focal.post(
        f"/api/v1/submissions/{opened['id']}/submit/",
        {"note": "x" * 2001},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "note" in response.json()["error"]["fields"]
    assert Submission.objects.get().status == "draft"


def test_staff_read_their_due_cycles_as_the_workspace_shows_them(people):
    ActionFactory()
    cycle = Cycle.objects.get(code="2019-plan")
    submission = services.submission_for(people["focal"].profile.parliament, cycle)
    services.submission_submit(actor=people["focal"], submission=submission)
    services.submission_accept(actor=people["secretariat"], submission=submission)
    services.submission_for(
        people["focal"].profile.parliament, Cycle.objects.get(code="2021-progress")
    )

    response = token_client(people["editor"]).get("/api/v1/submissions/due/")
    assert response.status_code == 200, response.content
    rows = {row["cycle"]: row for row in response.json()["results"]}
    assert list(rows) == list(Cycle.objects.order_by("due_date").values_list("code", flat=True))
    assert rows["2019-plan"]["status"] == "accepted"
    assert rows["2019-plan"]["submission"] == submission.pk
    assert rows["2021-progress"]["status"] == "draft"
    assert rows["2022-imrf"]["status"] == "not_started"
    assert rows["2022-imrf"]["submission"] is None
    # The next one due is the first not yet sent, as on the workspace home page.
    assert [code for code, row in rows.items() if row["is_next_due"]] == ["2021-progress"]
    due = Cycle.objects.get(code="2021-progress").due_date
    assert rows["2021-progress"]["days_left"] == (due - datetime.date.today()).days
    assert rows["2021-progress"]["due_date"] == due.isoformat()

    workspace = Client()
    workspace.force_login(people["editor"])
    page = workspace.get("/workspace/")
    assert [(c.code, s.status if s else "not_started") for c, s in page.context["submissions"]] == [
        (code, row["status"]) for code, row in rows.items()
    ]


def test_due_cycles_are_for_a_parliaments_staff_or_the_secretariat(people):
    assert token_client(people["partner"]).get("/api/v1/submissions/due/").status_code == 403
    assert token_client(None).get("/api/v1/submissions/due/").status_code == 401
    secretariat = token_client(people["secretariat"])
    assert secretariat.get("/api/v1/submissions/due/").status_code == 400
    response = secretariat.get("/api/v1/submissions/due/?parliament=mx")
    assert response.status_code == 200
    assert response.json()["parliament"] == "MX"
    assert secretariat.get("/api/v1/submissions/due/?parliament=ZZ").status_code == 400
    # Mexico's staff read Mexico's, whatever they ask for.
    mx = token_client(people["focal_mx"]).get("/api/v1/submissions/due/?parliament=MA")
    assert mx.status_code == 200 and mx.json()["parliament"] == "MX"
