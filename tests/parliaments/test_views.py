"""Pages of the workspace, review and public parts: the permission matrix (generated from
one table), query counts at two sizes, uploads, and stale edits through the forms."""

import datetime
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commitments.models import Commitment, Cycle, Objective
from parliaments import services
from parliaments.models import (
    Action,
    Evidence,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    Submission,
)
from tests.factories import ActionFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PERSONAS = ["anonymous", "editor", "focal", "other_editor", "secretariat", "partner"]
LOGIN = "login"  # expected: a redirect to the sign-in page


@pytest.fixture
def world(db):
    """Morocco with a plan, an action with progress and a file, a submitted report for
    2021 and an accepted one for 2019; everything published once."""
    users = {
        "editor": make_user("editor.ma", "editor", "MA"),
        "focal": make_user("focal.ma", "focal_point", "MA"),
        "other_editor": make_user("editor.mx", "editor", "MX"),
        "secretariat": make_user("secretariat.reviewer", "secretariat"),
        "partner": make_user("partner.iom", "partner"),
    }
    action = ActionFactory()
    update = services.progress_update_create(
        actor=users["editor"],
        action=action,
        date=datetime.date(2021, 5, 1),
        cycle=Cycle.objects.get(code="2019-plan"),
        completion="substantial",
        narrative="Hearing held.",
        files=[_upload("minutes.pdf", PDF)],
    )
    for upload in update.evidence.all():
        upload.save()
    plan_2019 = services.submission_for(action.parliament, Cycle.objects.get(code="2019-plan"))
    services.submission_submit(actor=users["focal"], submission=plan_2019)
    services.submission_accept(actor=users["secretariat"], submission=plan_2019)
    progress = services.submission_for(action.parliament, Cycle.objects.get(code="2021-progress"))
    services.submission_submit(actor=users["focal"], submission=progress)
    action.refresh_from_db()
    clients = {"anonymous": Client()}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return {
        "users": users,
        "clients": clients,
        "action": action,
        "plan": action.plan,
        "evidence": Evidence.objects.drafts().get(),
        "published_action": Action.objects.published().get(uid=action.uid),
        "submission": progress,
    }


def _upload(name, content, content_type="application/pdf"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    from parliaments.validators import validate_upload

    return validate_upload(upload)


# Each row: name, method, url (from the world), then the status each persona gets, in the
# order of PERSONAS. 404 for drafts of another parliament: they do not exist for them.
MATRIX = [
    ("workspace home", "get", lambda w: "/workspace/", [LOGIN, 200, 200, 200, 302, 302]),
    ("action list", "get", lambda w: "/workspace/actions/", [LOGIN, 200, 200, 200, 200, 403]),
    (
        "action detail",
        "get",
        lambda w: f"/workspace/actions/{w['action'].pk}/",
        [LOGIN, 200, 200, 404, 200, 404],
    ),
    ("action create", "get", lambda w: "/workspace/actions/new/", [LOGIN, 200, 200, 302, 403, 403]),
    (
        "action edit",
        "get",
        lambda w: f"/workspace/actions/{w['action'].pk}/edit/",
        [LOGIN, 200, 200, 404, 403, 404],
    ),
    (
        "action edit (save)",
        "post",
        lambda w: f"/workspace/actions/{w['action'].pk}/edit/",
        [LOGIN, 302, 302, 404, 403, 404],
    ),
    (
        "progress create",
        "get",
        lambda w: f"/workspace/actions/{w['action'].pk}/progress/new/",
        [LOGIN, 200, 200, 404, 403, 404],
    ),
    ("plan create", "get", lambda w: "/workspace/plan/new/", [LOGIN, 200, 200, 200, 403, 403]),
    (
        "plan edit",
        "get",
        lambda w: f"/workspace/plan/{w['plan'].pk}/edit/",
        [LOGIN, 200, 200, 404, 403, 404],
    ),
    (
        "submission page",
        "get",
        lambda w: "/workspace/submissions/2021-progress/",
        [LOGIN, 200, 200, 200, 403, 403],
    ),
    (  # the focal point gets the confirmation step (the list of what will be sent)
        "submit",
        "post",
        lambda w: "/workspace/submissions/2022-imrf/",
        [LOGIN, 403, 200, 403, 403, 403],
    ),
    ("review queue", "get", lambda w: "/review/", [LOGIN, 403, 403, 403, 200, 403]),
    (
        "review detail",
        "get",
        lambda w: f"/review/{w['submission'].pk}/",
        [LOGIN, 403, 403, 403, 200, 403],
    ),
    (
        "review (accept)",
        "post",
        lambda w: f"/review/{w['submission'].pk}/",
        [LOGIN, 403, 403, 403, 302, 403],
    ),
    (
        "star good practice",
        "post",
        lambda w: f"/workspace/actions/{w['action'].pk}/star/",
        [LOGIN, 403, 403, 403, 302, 403],
    ),
    (
        "draft evidence file",
        "get",
        lambda w: f"/evidence/{w['evidence'].pk}/",
        [404, 200, 200, 404, 200, 404],
    ),
    ("invite", "get", lambda w: "/accounts/invite/", [LOGIN, 403, 403, 403, 200, 403]),
    ("public parliament", "get", lambda w: "/parliaments/MA/", [200] * 6),
    ("public actions", "get", lambda w: "/actions/", [200] * 6),
    (
        "public action",
        "get",
        lambda w: f"/parliaments/MA/actions/{w['action'].uid}/",
        [200] * 6,
    ),
]

POST_DATA = {
    "action edit (save)": lambda w: _action_form_data(w["action"]),
    "review (accept)": lambda w: {"decision": "accept", "comment": ""},
    "star good practice": lambda w: {"value": "1"},
}


def _action_form_data(action, **changes):
    data = {
        "version": action.version,
        "title": action.title,
        "description": action.description,
        "action_type": action.action_type,
        "commitments": [c.pk for c in action.commitments.all()],
        "objectives": [o.pk for o in action.objectives.all()],
        "instrument": "",
        "responsible_body": "",
        "start_date": "",
        "target_date": "",
        "completion": action.completion,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("row", "persona"),
    list(itertools.product(MATRIX, PERSONAS)),
    ids=[f"{row[0]}-{persona}" for row, persona in itertools.product(MATRIX, PERSONAS)],
)
def test_permission_matrix(world, row, persona):
    name, method, url, expected = row
    status = expected[PERSONAS.index(persona)]
    client = world["clients"][persona]
    data = POST_DATA.get(name, lambda w: {})(world)
    response = getattr(client, method)(url(world), data)
    if status == LOGIN:
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name
    else:
        assert response.status_code == status, (name, persona, response.status_code)


def test_refused_writes_change_nothing(world):
    action, submission = world["action"], world["submission"]
    for persona in ("anonymous", "other_editor", "secretariat", "partner"):
        world["clients"][persona].post(
            f"/workspace/actions/{action.pk}/edit/", _action_form_data(action, title="Hijacked")
        )
        world["clients"][persona].post("/workspace/submissions/2021-progress/")
    for persona in ("anonymous", "editor", "focal", "partner"):
        world["clients"][persona].post(f"/review/{submission.pk}/", {"decision": "accept"})
    action.refresh_from_db()
    submission.refresh_from_db()
    assert action.title != "Hijacked"
    assert submission.status == Submission.Status.SUBMITTED


def test_published_copy_is_not_a_workspace_page(world):
    copy = world["published_action"]
    assert world["clients"]["secretariat"].get(f"/workspace/actions/{copy.pk}/").status_code == 404


def test_public_never_sees_unpublished_changes(world):
    action = world["action"]
    services.action_update(
        actor=world["users"]["editor"],
        action=action,
        expected_version=action.version,
        title="Renamed after acceptance",
    )
    for persona in PERSONAS:
        html = world["clients"][persona].get("/parliaments/MA/").content.decode()
        assert "Renamed after acceptance" not in html
    assert (
        "Renamed after acceptance" in world["clients"]["editor"].get("/workspace/").content.decode()
    )


# --- Stale edits and uploads through the forms ---------------------------------------------


def test_second_save_of_the_same_field_is_not_saved_and_shows_both_sides(world):
    action = world["action"]
    editor, focal = world["clients"]["editor"], world["clients"]["focal"]
    url = f"/workspace/actions/{action.pk}/edit/"
    first = editor.post(url, _action_form_data(action, title="Hearing held in May"))
    assert first.status_code == 302
    second = focal.post(url, _action_form_data(action, title="Hearing postponed"))

    assert second.status_code == 200
    html = second.content.decode()
    assert "Not saved yet: editor.ma changed the same fields as you" in html
    assert "Hearing held in May" in html  # what changed meanwhile
    assert 'value="Hearing postponed"' in html  # the user's input is kept in the form
    assert 'name="keep_title"' in html  # and the user chooses
    action.refresh_from_db()
    assert action.title == "Hearing held in May"


def test_action_form_shows_field_errors_and_saves_nothing(world):
    before = Action.objects.count()
    response = world["clients"]["editor"].post(
        "/workspace/actions/new/",
        {"title": "", "action_type": "ratification", "completion": "limited"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "This field is required." in html
    assert Action.objects.count() == before


def _progress_post(world, files):
    return world["clients"]["editor"].post(
        f"/workspace/actions/{world['action'].pk}/progress/new/",
        {
            "date": "2021-06-01",
            "cycle": Cycle.objects.get(code="2021-progress").pk,
            "completion": "complete",
            "narrative": "Law adopted.",
            "files": files,
            "links": "",
        },
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.pdf", b"just some text, not a PDF at all", "is not an accepted file"),
        ("report.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "its content is ELF"),
        ("setup.docx", b"MZ\x90\x00\x03" + b"\x00" * 64, "its content is EXE"),
    ],
)
def test_wrong_or_disguised_file_gives_a_form_error_and_saves_nothing(
    world, name, content, message
):
    updates, evidence = ProgressUpdate.objects.count(), Evidence.objects.count()
    response = _progress_post(world, [SimpleUploadedFile(name, content)])
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (ProgressUpdate.objects.count(), Evidence.objects.count()) == (updates, evidence)


def test_oversize_file_gives_a_form_error(world, settings):
    settings.UPLOAD_MAX_BYTES = 100
    updates = ProgressUpdate.objects.count()
    response = _progress_post(world, [SimpleUploadedFile("big.pdf", PDF + b"0" * 200)])
    assert "files may be at most 100" in response.content.decode()
    assert ProgressUpdate.objects.count() == updates


def test_progress_with_a_pdf_is_saved_and_served_to_the_parliament_only(world):
    response = _progress_post(world, [SimpleUploadedFile("gazette.pdf", PDF)])
    assert response.status_code == 302
    evidence = Evidence.objects.drafts().get(original_name="gazette.pdf")
    assert evidence.content_type == "application/pdf"
    download = world["clients"]["editor"].get(f"/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert world["clients"]["other_editor"].get(f"/evidence/{evidence.pk}/").status_code == 404


# --- Query counts at two sizes --------------------------------------------------------------


def _bulk_actions(parliament_iso2, count):
    """`count` actions with links and a progress update, written in bulk."""
    parliament = Parliament.objects.get(iso2=parliament_iso2)
    plan = PlanOfAction.objects.filter(parliament=parliament, is_current=True).first() or (
        PlanFactory(parliament=parliament)
    )
    actions = Action.objects.bulk_create(
        Action(
            parliament=parliament,
            plan=plan,
            title=f"Bulk action {index}",
            action_type="oversight",
            completion="limited",
        )
        for index in range(count)
    )
    commitment = Commitment.objects.get(code="R7b.2")
    objective = Objective.objects.get(number=1)
    Action.commitments.through.objects.bulk_create(
        Action.commitments.through(action=action, commitment=commitment) for action in actions
    )
    Action.objectives.through.objects.bulk_create(
        Action.objectives.through(action=action, objective=objective) for action in actions
    )
    cycle = Cycle.objects.get(code="2021-progress")
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            action=action,
            parliament=parliament,
            date=datetime.date(2021, 3, 1),
            cycle=cycle,
            completion="limited",
            narrative="…",
        )
        for action in actions
    )
    return actions


# Measured counts: a page that starts querying per row fails at 200 actions. A signed-in
# person's pages count one query more: the badge in their navigation (kept until their
# data changes, parliaments/context_processors.py).
PAGES = [
    ("editor", "/workspace/", 16),  # the country profile box: its latest profile
    ("editor", "/workspace/actions/", 13),
    ("editor", "/workspace/actions/?objective=1&completion=limited&_export=csv", 11),
    ("secretariat", "/workspace/actions/?region=africa", 13),
    ("editor", "/workspace/submissions/2021-progress/", 11),  # + each update's evidence
    ("secretariat", "/review/", 8),  # + the cycle filter's choices, the treaty reports
    ("secretariat", "/review/{submission}/", 17),  # + the published copies to compare
    ("editor", "/workspace/actions/{action}/", 18),  # + its published copy to compare
    ("anonymous", "/parliaments/MA/", 8),  # the country profile box
    ("anonymous", "/actions/?region=africa", 9),
    ("anonymous", "/parliaments/?region=africa", 3),
    ("anonymous", "/parliaments/MA/actions/{uid}/", 5),
]


@pytest.mark.parametrize("size", [10, 200])
@pytest.mark.parametrize(("persona", "path", "max_queries"), PAGES, ids=[p[1] for p in PAGES])
def test_page_queries_do_not_grow_with_data(
    world, django_assert_max_num_queries, size, persona, path, max_queries
):
    _bulk_actions("MA", size)
    publish_from = world["submission"]
    services.submission_accept(actor=world["users"]["secretariat"], submission=publish_from)
    resubmit = services.submission_for(publish_from.parliament, publish_from.cycle)
    services.submission_submit(actor=world["users"]["focal"], submission=resubmit)
    url = path.format(submission=resubmit.pk, action=world["action"].pk, uid=world["action"].uid)
    client = world["clients"][persona]
    # A signed-in person's header counts their unread notifications (one query, then kept).
    with django_assert_max_num_queries(max_queries + (persona != "anonymous")):
        response = client.get(url)
    assert response.status_code == 200
    if path == "/workspace/":
        # The parliament's home page is cached until the data changes.
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200


def test_history_shows_who_changed_what_on_plan_and_action(world):
    editor = world["clients"]["editor"]
    plan, action = world["plan"], world["action"]
    response = editor.post(
        f"/workspace/plan/{plan.pk}/edit/",
        {
            "version": plan.version,
            "title": plan.title,
            "summary": plan.summary,
            "status": "under_revision",
            "adopted_on": "2019-11-20",
            "adopting_body": "plenary",
            "period_start": "",
            "period_end": "",
            "document_url": "",
        },
    )
    assert response.status_code == 302
    html = editor.get(f"/workspace/plan/{plan.pk}/edit/").content.decode()
    assert '<th scope="row">Status</th><td>Adopted</td><td>Under revision</td>' in html

    editor.post(
        f"/workspace/actions/{action.pk}/edit/",
        _action_form_data(action, action_type="ratification", instrument=_instrument("ICRMW").pk),
    )
    html = world["clients"]["secretariat"].get(f"/workspace/actions/{action.pk}/").content.decode()
    assert "Instrument to ratify</th><td>—</td><td>ICRMW:" in html
    assert "<strong>editor.ma</strong>" in html  # who changed it


def _instrument(code):
    from commitments.models import Instrument

    return Instrument.objects.get(code=code)


def test_reviewer_stars_a_good_practice_from_the_review_page(world):
    reviewer, action = world["clients"]["secretariat"], world["action"]
    url = f"/review/{world['submission'].pk}/"
    assert "Star as good practice" in reviewer.get(url).content.decode()
    response = reviewer.post(
        f"/workspace/actions/{action.pk}/star/", {"value": "1", "next": url, "decision": ""}
    )
    assert response.status_code == 302 and response["Location"] == url
    assert set(
        Action.objects.filter(uid=action.uid).values_list("is_good_practice", flat=True)
    ) == {True}


def test_star_never_redirects_to_another_site(world):
    action = world["action"]
    response = world["clients"]["secretariat"].post(
        f"/workspace/actions/{action.pk}/star/", {"value": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/workspace/actions/{action.pk}/"


def test_action_tables_take_any_page_number_and_sort_by_their_headers(world):
    """A bad ?page= shows the nearest page, not an error; column headers sort."""
    _bulk_actions("MA", 30)
    services.submission_accept(actor=world["users"]["secretariat"], submission=world["submission"])
    for persona, path in (("anonymous", "/parliaments/MA/"), ("editor", "/workspace/")):
        client = world["clients"][persona]
        for page in ("abc", "99", "-1"):
            response = client.get(f"{path}?page={page}")
            assert response.status_code == 200, (path, page)
    editor = world["clients"]["editor"]
    ascending = editor.get("/workspace/?sort=title").content.decode()
    descending = editor.get("/workspace/?sort=-title").content.decode()
    assert ascending.index("Bulk action 0<") < ascending.index("Bulk action 1<")
    assert "Bulk action 9<" in descending and "Bulk action 0<" not in descending


def test_returning_a_report_without_a_comment_is_refused_with_a_form_error(world):
    submission = world["submission"]
    response = world["clients"]["secretariat"].post(
        f"/review/{submission.pk}/", {"decision": "return", "comment": "  "}
    )
    assert response.status_code == 200
    assert "Say what needs to change before returning it." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == "submitted"
