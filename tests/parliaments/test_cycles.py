"""Issue 14: the secretariat opens a reporting cycle from the site (code, EN/FR titles, due
date and its precision, the commitment it answers, who reports), and everything that
follows cycles (reminders, the workspace's "next due", submissions, dashboards, reports)
follows the new one with no code change."""

import datetime
import json

import jsonschema
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from commitments.models import Commitment, Cycle
from parliaments import selectors, services
from parliaments.models import CycleParliament, Parliament, Submission
from reports import content
from reports import services as report_services
from reports.models import ReminderSent
from tests.factories import ActionFactory, PlanFactory, ProgressUpdateFactory, make_user

pytestmark = pytest.mark.django_db


def form_data(**changes):
    ma, sn = Parliament.objects.get(iso2="MA"), Parliament.objects.get(iso2="SN")
    data = {
        "code": "2028-regional",
        "title": "Regional progress report",
        "title_fr": "Rapport d’étape régional",
        "kind": "progress",
        "due_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "due_date_precision": "day",
        "commitment": Commitment.objects.get(code="R8.2").pk,
        "description": "A report from two parliaments.",
        "source": "secretariat",
        "reporters": "listed",
        "parliaments": [ma.pk, sn.pk],
    }
    data.update(changes)
    return data


@pytest.fixture
def secretariat():
    client = Client()
    client.force_login(make_user("secretariat.cycles", "secretariat"))
    return client


def test_the_secretariat_opens_a_cycle_for_listed_parliaments(secretariat):
    response = secretariat.post("/cycles/new/", form_data())
    assert response.status_code == 302 and response["Location"] == "/cycles/"

    cycle = Cycle.objects.get(code="2028-regional")
    assert (cycle.title_fr, cycle.kind, cycle.reporters, cycle.source) == (
        "Rapport d’étape régional",
        "progress",
        "listed",
        "secretariat",
    )
    assert cycle.commitment.code == "R8.2"
    listed = CycleParliament.objects.filter(cycle=cycle)
    assert sorted(listed.values_list("parliament__iso2", flat=True)) == ["MA", "SN"]

    page = secretariat.get("/cycles/").content.decode()
    assert "2028-regional" in page and "0 of 2 answered" in page
    assert "2 parliaments listed" in page
    assert "Chosen by the IPU secretariat" in page


def test_the_cycle_form_shows_field_errors_and_saves_nothing(secretariat):
    for changes, field, message in (
        ({"code": "2021-progress"}, "code", "already exists"),
        ({"code": "not a slug!"}, "code", "valid"),
        ({"due_date": "31/02/2030"}, "due_date", "valid date"),
        ({"parliaments": []}, "parliaments", "List the parliaments that report"),
        ({"kind": "party"}, "kind", "valid choice"),
        ({"title": ""}, "title", "required"),
    ):
        before = Cycle.objects.count(), CycleParliament.objects.count()
        response = secretariat.post("/cycles/new/", form_data(**changes))
        assert response.status_code == 200, changes
        errors = response.context["form"].errors
        assert field in errors and message in " ".join(errors[field]), (changes, errors)
        assert (Cycle.objects.count(), CycleParliament.objects.count()) == before


def test_only_the_secretariat_opens_or_edits_cycles(client):
    for user in (make_user("editor.ma", "editor", "MA"), make_user("partner", "partner")):
        client.force_login(user)
        assert client.get("/cycles/").status_code == 403
        assert client.post("/cycles/new/", form_data()).status_code == 403
        assert client.post("/cycles/2021-progress/edit/", form_data()).status_code == 403
    assert not Cycle.objects.filter(code="2028-regional").exists()
    client.logout()
    assert client.get("/cycles/new/").status_code == 302  # to sign in


def test_editing_a_cycle_changes_who_reports(secretariat):
    secretariat.post("/cycles/new/", form_data())
    response = secretariat.post(
        "/cycles/2028-regional/edit/",
        form_data(
            reporters="all", parliaments=[], due_date="2028-06-01", due_date_precision="month"
        ),
    )
    assert response.status_code == 302
    cycle = Cycle.objects.get(code="2028-regional")
    assert (cycle.reporters, cycle.due_date_precision) == ("all", "month")
    assert not CycleParliament.objects.filter(cycle=cycle).exists()
    # The form shows the listed parliaments when it opens again.
    secretariat.post("/cycles/2028-regional/edit/", form_data())
    form = secretariat.get("/cycles/2028-regional/edit/").context["form"]
    assert sorted(form.initial["parliaments"]) == sorted(
        Parliament.objects.filter(iso2__in=["MA", "SN"]).values_list("pk", flat=True)
    )


def test_a_new_cycle_walks_from_reminder_to_accepted_report(
    secretariat, django_capture_on_commit_callbacks
):
    """Opened on the site for Morocco and Senegal: reminders reach their focal points only,
    Morocco's workspace shows it due, Kenya cannot report in it, Morocco's report is
    accepted and published, and the cycle's report counts its two parliaments."""
    focal_ma = make_user("focal.ma", "focal_point", "MA")
    focal_sn = make_user("focal.sn", "focal_point", "SN")
    focal_ke = make_user("focal.ke", "focal_point", "KE")
    reviewer = make_user("secretariat.reviewer", "secretariat")
    secretariat.post("/cycles/new/", form_data())
    cycle = Cycle.objects.get(code="2028-regional")

    # Reminders: 30 days before the due date, to the listed parliaments' focal points.
    with django_capture_on_commit_callbacks(execute=True):
        report_services.reminders_send(today=cycle.due_date - datetime.timedelta(days=30))
    about = [m for m in mail.outbox if "Regional progress report" in m.subject]
    assert sorted(m.to[0] for m in about) == sorted([focal_ma.email, focal_sn.email])
    assert focal_ke.email not in [m.to[0] for m in about]
    assert all("due in 30 days" in m.subject for m in about)
    assert ReminderSent.objects.filter(key="MA:2028-regional:30d").exists()

    # The workspace: Morocco sees it among its cycles; Kenya does not.
    plan = PlanFactory(parliament=Parliament.objects.get(iso2="MA"))
    action = ActionFactory(plan=plan, title="Hearing on the regional report")
    ProgressUpdateFactory(action=action, cycle=cycle, narrative="Hearing held in committee.")
    staff = Client()
    staff.force_login(focal_ma)
    home = staff.get("/workspace/").content.decode()
    assert "Regional progress report" in home
    ke = Client()
    ke.force_login(focal_ke)
    assert "Regional progress report" not in ke.get("/workspace/").content.decode()
    assert ke.get("/workspace/submissions/2028-regional/").status_code == 404
    with pytest.raises(Exception, match="does not report in this cycle"):
        services.submission_submit(
            actor=focal_ke, submission=services.submission_for(focal_ke.profile.parliament, cycle)
        )

    # Morocco submits (with its confirmation step) and the secretariat accepts.
    assert staff.get("/workspace/submissions/2028-regional/").status_code == 200
    response = staff.post("/workspace/submissions/2028-regional/", {"confirm": "1", "note": ""})
    assert response.status_code == 302
    submission = Submission.objects.get(parliament__iso2="MA", cycle=cycle)
    assert submission.status == "submitted"
    services.submission_accept(actor=reviewer, submission=submission)
    submission.refresh_from_db()
    assert submission.status == "accepted"
    assert selectors.next_due(plan.parliament, timezone.localdate())[0] != cycle

    # The cycle's report counts the two parliaments listed, not the 180 members.
    report, _created = report_services.report_request(
        actor=None, cycle=cycle, scope="global", language="en", formats=["json"]
    )
    assert report_services.report_build(report.pk)
    report.refresh_from_db()
    data = json.loads(report.files.get(format="json").file.read())
    jsonschema.validate(data, content.JSON_SCHEMA)  # a new cycle's report keeps the schema
    assert data["summary"]["report_compliance"] == {"on_time": 1, "late": 0, "none": 1}
    titles = [row["title"] for row in data["actions"]]
    assert "Hearing on the regional report" in titles


def test_the_api_refuses_a_cycle_the_parliament_does_not_report_in(secretariat):
    secretariat.post("/cycles/new/", form_data())
    editor = make_user("editor.ke", "editor", "KE")
    client = Client()
    client.force_login(editor)
    response = client.post(
        "/api/v1/submissions/", {"cycle": "2028-regional"}, content_type="application/json"
    )
    assert response.status_code == 400 and "cycle" in response.json()["error"]["fields"]
    action = ActionFactory(plan=PlanFactory(parliament=Parliament.objects.get(iso2="KE")))
    response = client.post(
        "/api/v1/progress-updates/",
        {
            "action": str(action.uid),
            "date": "2026-11-01",
            "cycle": "2028-regional",
            "completion": "limited",
            "narrative": "Not ours.",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "cycle" in response.json()["error"]["fields"]
    assert not action.progress_updates.exists()


def test_the_2030_imrf_ships_as_the_secretariats_choice():
    cycle = Cycle.objects.get(code="2030-imrf")
    assert (cycle.kind, cycle.due_date, cycle.due_date_precision) == (
        "imrf",
        datetime.date(2030, 5, 1),
        "month",
    )
    assert cycle.source == "secretariat" and cycle.reporters == "all"
    assert "not the outcome document" in cycle.description
    assert Cycle.objects.get(code="2021-progress").source == "outcome"
