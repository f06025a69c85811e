import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from parliaments import services
from parliaments.models import Action
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db

URL = "/workspace/actions/spreadsheet/"


@pytest.fixture
def actions(editor_ma):
    plan = PlanFactory()
    return [ActionFactory(plan=plan, title=f"Action {n}") for n in range(5)]


def download(client):
    response = client.get(URL, {"download": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def upload(client, book):
    buffer = io.BytesIO()
    book.save(buffer)
    return client.post(URL, {"file": SimpleUploadedFile("actions.xlsx", buffer.getvalue())})


def row_of(sheet, title):
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == title:
            return row
    raise AssertionError(title)


def versions():
    return dict(Action.objects.drafts().values_list("title", "version"))


def test_round_trip_applies_exactly_the_changed_rows(editor_client, actions):
    book = download(editor_client)
    sheet = book["Actions"]
    assert sheet.max_row == 6
    row_of(sheet, "Action 2")[11].value = "complete"
    row_of(sheet, "Action 4")[2].value = "Action 4, renamed offline"
    before = versions()

    preview = upload(editor_client, book)
    html = preview.content.decode()
    assert "2 rows will be applied (3 unchanged)" in html
    assert versions() == before  # nothing saved before confirmation

    response = editor_client.post(URL, {"confirm": "1"})
    assert response.status_code == 302
    after = versions()
    assert after["Action 0"] == before["Action 0"]
    assert after["Action 2"] == before["Action 2"] + 1
    assert after["Action 4, renamed offline"] == before["Action 4"] + 1
    assert Action.objects.drafts().get(title="Action 2").completion == "complete"
    assert Action.objects.drafts().count() == 5


def test_one_bad_row_changes_nothing_and_names_the_row_and_field(editor_client, actions):
    book = download(editor_client)
    sheet = book["Actions"]
    row_of(sheet, "Action 1")[2].value = "A good change"
    bad = row_of(sheet, "Action 3")
    bad[11].value = "finished"
    bad_row_number = bad[0].row
    before = versions()

    response = upload(editor_client, book)

    html = response.content.decode()
    assert "The file has 1 problem. Nothing was saved." in html
    assert f'<th scope="row">{bad_row_number}</th><td>Completion</td>' in html
    assert "Select a valid choice" in html
    assert editor_client.post(URL, {"confirm": "1"}).status_code == 302  # nothing to apply
    assert versions() == before


def test_unknown_codes_are_reported_per_row(editor_client, actions):
    book = download(editor_client)
    row = row_of(book["Actions"], "Action 0")
    row[5].value = "R7a.1, R99"
    row[6].value = "6, 42"
    html = upload(editor_client, book).content.decode()
    assert "Unknown code “R99”" in html and "Unknown code “42”" in html


def test_row_changed_on_the_site_since_download_is_refused(editor_client, editor_ma, actions):
    book = download(editor_client)
    row_of(book["Actions"], "Action 0")[2].value = "Offline title"
    action = Action.objects.drafts().get(title="Action 0")
    services.action_update(actor=editor_ma, action=action, expected_version=1, title="Site title")

    html = upload(editor_client, book).content.decode()

    assert "Changed on the site too since the file was downloaded" in html
    assert editor_client.post(URL, {"confirm": "1"}).status_code == 302  # nothing to apply
    action.refresh_from_db()
    assert (action.title, action.version) == ("Site title", 2)
    assert not Action.objects.filter(title="Offline title").exists()


def test_new_row_creates_an_action(editor_client, actions):
    book = download(editor_client)
    book["Actions"].append(
        ["", "", "Hearing on remittances", "", "oversight", "R8.4", "20", "", "", "", "", "limited"]
    )
    assert "1 row will be applied" in upload(editor_client, book).content.decode()
    editor_client.post(URL, {"confirm": "1"})
    created = Action.objects.drafts().get(title="Hearing on remittances")
    assert list(created.objectives.values_list("number", flat=True)) == [20]


def test_a_file_that_is_not_xlsx_gets_a_form_error(editor_client, actions):
    response = editor_client.post(
        URL, {"file": SimpleUploadedFile("actions.xlsx", b"%PDF-1.4\n%%EOF\n")}
    )
    assert "Upload the XLSX workbook downloaded from this page." in response.content.decode()


def test_other_parliaments_rows_are_not_found(other_parliament_client, editor_client, actions):
    book = download(editor_client)
    html = upload(other_parliament_client, book).content.decode()
    assert "No action of your parliament has this id." in html


def test_an_action_form_reads_the_commitment_links_only_when_drawn(django_assert_num_queries):
    """The import validates one form per row: building one must not query; drawing it
    reads the commitments and, once, their links to objectives for the suggestions."""
    from parliaments.forms import ActionForm

    with django_assert_num_queries(0):
        form = ActionForm()
    with django_assert_num_queries(2):
        html = str(form["commitments"])
    assert 'data-objectives="' in html
    # Grouped by the outcome document's paragraph (a searchable multi-select in the page).
    assert '<select name="commitments"' in html and "multiple" in html
    assert '<optgroup label="Paragraph 7(a)">' in html
