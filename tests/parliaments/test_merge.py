"""Issue 11, defect 1: saving from an older version merges with what colleagues saved
meanwhile (three-way, against the version the user started from) instead of undoing it.
Services, the conflict page, the spreadsheet import and the API's 409 recipe."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from commitments.models import Objective
from parliaments import services
from parliaments.models import Action, PlanOfAction
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db

MAY = datetime.date(2025, 5, 31)
JUNE = datetime.date(2025, 6, 30)


def _history(obj):
    return list(obj.history.order_by("history_date", "history_id"))


# --- Services ----------------------------------------------------------------------------------


def test_colleagues_target_date_stands_when_i_save_a_new_title_from_the_old_version(
    editor_ma, focal_ma
):
    action = ActionFactory(title="Hearing on migrant workers")
    opened_at = action.version
    services.action_update(
        actor=editor_ma, action=action, expected_version=opened_at, target_date=JUNE
    )

    saved = services.action_update(
        actor=focal_ma,
        action=action,
        expected_version=opened_at,
        merge=True,
        title="Hearing held in May",
        target_date=None,  # the whole stale form: target date as it was when opened
        completion=action.completion,
    )

    action.refresh_from_db()
    assert (action.title, action.target_date) == ("Hearing held in May", JUNE)
    assert action.version == opened_at + 2
    assert [change.field for change in saved.merged.changes] == ["target_date"]
    assert saved.merged.changed_by == editor_ma
    latest = _history(action)[-1]
    assert (latest.title, latest.target_date, latest.history_user) == (
        "Hearing held in May",
        JUNE,
        focal_ma,
    )
    assert any(
        record.target_date == JUNE and record.title != latest.title for record in _history(action)
    )


def test_both_changing_the_title_differently_is_a_conflict_and_nothing_is_written(
    editor_ma, focal_ma
):
    action = ActionFactory(title="Hearing on migrant workers", completion="limited")
    services.action_update(
        actor=editor_ma, action=action, expected_version=1, title="Hearing held in May"
    )
    records = len(_history(action))

    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(
            actor=focal_ma,
            action=action,
            expected_version=1,
            merge=True,
            title="Hearing postponed",
            completion="substantial",
        )

    [conflict] = stale.value.conflicts
    assert (conflict.field, conflict.label) == ("title", "title")
    assert (conflict.base, conflict.theirs, conflict.yours) == (
        "Hearing on migrant workers",
        "Hearing held in May",
        "Hearing postponed",
    )
    assert set(stale.value.yours) == {"title", "completion"}
    action.refresh_from_db()
    assert (action.title, action.completion, action.version) == (
        "Hearing held in May",
        "limited",
        2,
    )
    assert len(_history(action)) == records


def test_conflicts_show_choice_labels(editor_ma, focal_ma):
    action = ActionFactory(completion="limited")
    services.action_update(
        actor=editor_ma, action=action, expected_version=1, completion="complete"
    )
    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(
            actor=focal_ma, action=action, expected_version=1, merge=True, completion="withdrawn"
        )
    [conflict] = stale.value.conflicts
    assert (conflict.base, conflict.theirs, conflict.yours) == ("Limited", "Complete", "Withdrawn")


def test_both_making_the_same_change_is_no_conflict(editor_ma, focal_ma):
    action = ActionFactory()
    services.action_update(actor=editor_ma, action=action, expected_version=1, target_date=MAY)
    services.action_update(
        actor=focal_ma, action=action, expected_version=1, merge=True, target_date=MAY
    )
    action.refresh_from_db()
    assert action.target_date == MAY


def test_without_merge_a_stale_save_is_refused_and_lists_changes_and_conflicts(editor_ma, focal_ma):
    action = ActionFactory(title="Old")
    services.action_update(actor=editor_ma, action=action, expected_version=1, target_date=MAY)
    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(actor=focal_ma, action=action, expected_version=1, title="New")
    assert [c.field for c in stale.value.changes] == ["target_date"]
    assert stale.value.conflicts == []
    action.refresh_from_db()
    assert action.title == "Old"


def test_plan_merge_keeps_both_and_refuses_a_real_conflict(editor_ma, focal_ma):
    plan = PlanFactory(
        title="Plan 2020–2023", summary="Hearings.", status="drafting", adopted_on=None
    )
    fields = {
        "title": plan.title,
        "summary": plan.summary,
        "status": plan.status,
        "adopted_on": None,
        "adopting_body": plan.adopting_body,
        "period_start": None,
        "period_end": None,
        "document": plan.document,
        "document_url": "",
    }
    services.plan_update(
        actor=editor_ma, plan=plan, expected_version=1, summary="Hearings, a bill."
    )
    saved = services.plan_update(
        actor=focal_ma,
        plan=plan,
        expected_version=1,
        merge=True,
        **{**fields, "title": "Plan 2020–2024"},
    )
    plan.refresh_from_db()
    assert (plan.title, plan.summary, plan.version) == ("Plan 2020–2024", "Hearings, a bill.", 3)
    assert [c.field for c in saved.merged.changes] == ["summary"]

    with pytest.raises(services.StaleEdit) as stale:
        services.plan_update(
            actor=editor_ma,
            plan=plan,
            expected_version=2,
            merge=True,
            **{**fields, "title": "Plan 2021–2025", "summary": "Hearings, a bill."},
        )
    assert [c.field for c in stale.value.conflicts] == ["title"]
    plan.refresh_from_db()
    assert (plan.title, plan.version) == ("Plan 2020–2024", 3)


def test_objectives_merge_as_sets(editor_ma, focal_ma):
    action = ActionFactory()  # objectives 7 and 15
    before = list(action.objectives.all())
    objectives = {n: Objective.objects.get(number=n) for n in (7, 15, 16, 17)}
    services.action_update(
        actor=editor_ma,
        action=action,
        expected_version=1,
        objectives=[objectives[7], objectives[15], objectives[16]],
    )
    # The colleague's links stand when I only change the title (my form sent the old links).
    services.action_update(
        actor=focal_ma,
        action=action,
        expected_version=1,
        merge=True,
        title="Renamed",
        objectives=list(reversed(before)),
    )
    action.refresh_from_db()
    assert sorted(o.number for o in action.objectives.all()) == [7, 15, 16]
    assert action.title == "Renamed"
    recorded = _history(action)[-1].objectives.values_list("objective__number", flat=True)
    assert sorted(recorded) == [7, 15, 16]

    # Both change the links from version 1, differently: a conflict, with names.
    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(
            actor=focal_ma,
            action=action,
            expected_version=1,
            merge=True,
            objectives=[objectives[7], objectives[17]],
        )
    [conflict] = stale.value.conflicts
    assert conflict.field == "objectives"
    assert "Empower migrants" in conflict.theirs and "Empower migrants" not in conflict.base
    action.refresh_from_db()
    assert sorted(o.number for o in action.objectives.all()) == [7, 15, 16]


# --- The conflict page -------------------------------------------------------------------------


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _action_form_data(action, **changes):
    data = {
        "version": action.version,
        "title": action.title,
        "description": action.description,
        "action_type": action.action_type,
        "commitments": [c.pk for c in action.commitments.all()],
        "objectives": [o.pk for o in action.objectives.all()],
        "instrument": "",
        "responsible_body": action.responsible_body,
        "start_date": action.start_date or "",
        "target_date": action.target_date or "",
        "completion": action.completion,
    }
    data.update(changes)
    return data


def test_saving_a_new_title_from_an_old_page_keeps_the_colleagues_target_date(editor_ma, focal_ma):
    action = ActionFactory(title="Hearing on migrant workers")
    url = f"/workspace/actions/{action.pk}/edit/"
    opened = _action_form_data(action)  # both tabs opened the page at version 1
    first = _client(editor_ma).post(url, {**opened, "target_date": "2025-06-30"})
    assert first.status_code == 302

    second = _client(focal_ma).post(url, {**opened, "title": "Hearing held in May"}, follow=True)

    html = second.content.decode()
    assert "Saved. Meanwhile editor.ma changed Target date; their changes were kept." in html
    action.refresh_from_db()
    assert (action.title, action.target_date) == ("Hearing held in May", JUNE)


def test_conflict_page_shows_both_sides_and_requires_a_choice(editor_ma, focal_ma):
    action = ActionFactory(title="Hearing on migrant workers")
    url = f"/workspace/actions/{action.pk}/edit/"
    opened = _action_form_data(action)
    _client(editor_ma).post(
        url, {**opened, "title": "Hearing held in May", "target_date": "2025-06-30"}
    )
    focal = _client(focal_ma)

    page = focal.post(url, {**opened, "title": "Hearing postponed", "completion": "substantial"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "When you opened it" in html and "Theirs" in html and "Yours" in html
    # When they saved: the one date-and-time format, its zone said once.
    assert re.search(r"Theirs \([^,]+, \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC\)", html)
    assert re.search(r"Changed by [^<]+ on \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC while", html)
    assert "UTC UTC" not in html and "UTC (UTC)" not in html
    assert "Hearing on migrant workers" in html  # when opened
    assert "Hearing held in May" in html  # theirs
    assert 'value="Hearing postponed"' in html  # yours, still in the form
    assert 'name="keep_title"' in html
    assert 'name="keep_title" value="yours" checked' not in html  # no default
    assert 'name="version" value="2"' in html  # the hidden version moved on
    assert 'value="2025-06-30"' in html  # only they changed the target date: theirs in the form
    form = page.context["form"]
    assert form["completion"].value() == "substantial"  # only I changed it: mine
    action.refresh_from_db()
    assert (action.title, action.completion) == ("Hearing held in May", "limited")

    # Saving without choosing is a form error on the choice; nothing is written.
    data = _form_values(page)
    missing = focal.post(url, data)
    assert missing.status_code == 200
    assert "Choose which version to keep." in missing.content.decode()
    assert "Hearing held in May" in missing.content.decode()  # the panel is shown again
    action.refresh_from_db()
    assert action.version == 2

    # Keep theirs for the title: their title stands, my completion is applied.
    saved = focal.post(url, {**data, "keep_title": "theirs"})
    assert saved.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.target_date, action.completion) == (
        "Hearing held in May",
        JUNE,
        "substantial",
    )


def test_conflict_page_keep_yours(editor_ma, focal_ma):
    action = ActionFactory(title="Hearing on migrant workers")
    url = f"/workspace/actions/{action.pk}/edit/"
    opened = _action_form_data(action)
    _client(editor_ma).post(
        url, {**opened, "title": "Hearing held in May", "target_date": "2025-06-30"}
    )
    focal = _client(focal_ma)
    page = focal.post(url, {**opened, "title": "Hearing postponed"})
    saved = focal.post(url, {**_form_values(page), "keep_title": "yours"})
    assert saved.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.target_date) == ("Hearing postponed", JUNE)


def test_plan_conflict_page(editor_ma, focal_ma):
    plan = PlanFactory(title="Plan 2020–2023", status="drafting", adopted_on=None, adopting_body="")
    url = f"/workspace/plan/{plan.pk}/edit/"
    opened = {
        "version": 1,
        "title": plan.title,
        "summary": plan.summary,
        "status": "drafting",
        "adopted_on": "",
        "adopting_body": "",
        "period_start": "",
        "period_end": "",
        "document_url": "",
    }
    assert (
        _client(editor_ma)
        .post(url, {**opened, "title": "Plan A", "period_start": "2020-01-01"})
        .status_code
        == 302
    )
    focal = _client(focal_ma)
    page = focal.post(url, {**opened, "title": "Plan B"})
    assert page.status_code == 200
    assert 'name="keep_title"' in page.content.decode()
    saved = focal.post(url, {**_form_values(page), "keep_title": "yours"})
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.period_start) == ("Plan B", datetime.date(2020, 1, 1))


def _form_values(response):
    """What the browser would send back from the re-rendered form (no choice made)."""
    form = response.context["form"]
    data = {}
    for field in form:
        if field.name.startswith("keep_") or field.name == "document":
            continue
        value = field.value()
        if isinstance(value, (list, tuple)):
            data[field.name] = [str(getattr(item, "pk", item)) for item in value]
        elif value is None:
            data[field.name] = ""
        elif isinstance(value, datetime.date):
            data[field.name] = value.isoformat()
        else:
            data[field.name] = str(getattr(value, "pk", value))
    return data


# --- Spreadsheet import ------------------------------------------------------------------------

SHEET_URL = "/workspace/actions/spreadsheet/"


def _download(client):
    return load_workbook(io.BytesIO(client.get(SHEET_URL, {"download": "1"}).content))


def _upload(client, book):
    buffer = io.BytesIO()
    book.save(buffer)
    return client.post(SHEET_URL, {"file": SimpleUploadedFile("actions.xlsx", buffer.getvalue())})


def _row(sheet, title):
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == title:
            return row
    raise AssertionError(title)


def test_import_from_an_older_file_keeps_a_colleagues_later_edit(
    editor_client, editor_ma, focal_ma
):
    plan = PlanFactory()
    action = ActionFactory(plan=plan, title="Action 0", completion="limited")
    ActionFactory(plan=plan, title="Action 1")
    book = _download(editor_client)
    services.action_update(actor=focal_ma, action=action, expected_version=1, target_date=JUNE)
    _row(book["Actions"], "Action 0")[11].value = "complete"  # completion

    preview = _upload(editor_client, book).content.decode()
    assert "1 row will be applied (1 unchanged)" in preview
    assert editor_client.post(SHEET_URL, {"confirm": "1"}).status_code == 302

    action.refresh_from_db()
    assert (action.completion, action.target_date, action.version) == ("complete", JUNE, 3)


def test_import_of_a_field_a_colleague_changed_too_is_a_row_error(editor_client, focal_ma):
    plan = PlanFactory()
    action = ActionFactory(plan=plan, title="Action 0", completion="limited")
    book = _download(editor_client)
    services.action_update(
        actor=focal_ma, action=action, expected_version=1, completion="substantial"
    )
    row = _row(book["Actions"], "Action 0")
    row[11].value = "complete"
    row[3].value = "A new description"

    html = _upload(editor_client, book).content.decode()

    assert "The file has 1 problem. Nothing was saved." in html
    assert f'<th scope="row">{row[0].row}</th><td>Completion</td>' in html
    assert "Limited" in html and "Substantial" in html and "Complete" in html
    assert editor_client.post(SHEET_URL, {"confirm": "1"}).status_code == 302  # nothing to apply
    action.refresh_from_db()
    assert (action.completion, action.description, action.version) == (
        "substantial",
        "Committee hearing with migrant associations.",
        2,
    )


# --- API -----------------------------------------------------------------------------------------


def _token_client(user):
    client = Client()
    _token, key = services.api_token_create(user=user, name="tests")
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def test_api_409_lists_changes_and_conflicts_and_the_recipe_keeps_the_colleagues_change(
    editor_ma, focal_ma
):
    action = ActionFactory(title="Draft inquiry", completion="not_started")
    url = f"/api/v1/actions/{action.uid}/"
    colleague, integration = _token_client(editor_ma), _token_client(focal_ma)
    assert (
        colleague.patch(
            url,
            {"version": 1, "target_date": "2025-06-30", "title": "Inquiry"},
            content_type="application/json",
        ).status_code
        == 200
    )

    stale = integration.patch(
        url,
        {"version": 1, "title": "Inquiry opened", "completion": "limited"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["current_version"] == 2
    assert {"field": "target_date", "was": None, "now": "2025-06-30"} in error["changes"]
    assert error["conflicts"] == [
        {"field": "title", "was": "Draft inquiry", "yours": "Inquiry opened", "theirs": "Inquiry"}
    ]
    assert Action.objects.get(pk=action.pk).completion == "not_started"

    # The documented recipe: read again, reapply only your fields with the new version.
    guide = Client().get("/api/").content.decode()
    assert "Reapply only the fields you changed" in guide
    current = integration.get(url).json()
    reapplied = integration.patch(
        url,
        {"version": current["version"], "completion": "limited"},
        content_type="application/json",
    )
    assert reapplied.status_code == 200
    action.refresh_from_db()
    assert (action.title, action.target_date, action.completion) == ("Inquiry", JUNE, "limited")


def test_api_stale_put_answers_409_even_without_conflicts(editor_ma, focal_ma):
    plan = PlanFactory(title="Plan", status="drafting", adopted_on=None)
    url = f"/api/v1/plans/{plan.uid}/"
    assert (
        _token_client(editor_ma)
        .patch(url, {"version": 1, "summary": "New"}, content_type="application/json")
        .status_code
        == 200
    )
    body = _token_client(focal_ma).get(url).json()
    response = _token_client(focal_ma).put(
        url,
        {**{k: body[k] for k in ("title", "status")}, "version": 1, "title": "Plan B"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["conflicts"] == []
    assert PlanOfAction.objects.get(pk=plan.pk).title == "Plan"
