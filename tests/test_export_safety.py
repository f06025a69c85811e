"""Issue 12.3: text that a spreadsheet would run as a formula (CSV/formula injection) never
leaves the tracker live. Every CSV and XLSX writer prefixes a cell starting with =, +, -,
@, tab or carriage return with a single quote (OWASP's rule), XLSX text cells are always
strings, and the spreadsheet import takes the prefix off again."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from commitments.models import Cycle
from compact_tracker.safe_export import DANGEROUS, neutralise, unneutralise
from parliaments import services
from parliaments.models import Action, Parliament
from reports import services as report_services
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil","x")',
    "@SUM(1+1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
]


@pytest.fixture
def payload_world(editor_ma, focal_ma, secretariat):
    """Morocco's plan with an action titled with each payload (responsible body too),
    published by an accepted 2021 report."""
    plan = PlanFactory()
    for payload in PAYLOADS:
        ActionFactory(plan=plan, title=payload, responsible_body=payload)
    submission = services.submission_for(
        Parliament.objects.get(iso2="MA"), Cycle.objects.get(code="2021-progress")
    )
    services.submission_submit(actor=focal_ma, submission=submission)
    services.submission_accept(actor=secretariat, submission=submission)
    assert Action.objects.filter(is_published_copy=True, title__in=PAYLOADS).count() == 4


def _csv_cells(text):
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(content):
    book = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [f"{c.parent.title}!{c.coordinate}={c.value!r}" for c in cells if c.data_type == "f"]
    assert not formulas, f"cells written as formulas: {formulas}"
    return [c.value for c in cells if isinstance(c.value, str)]


def _assert_safe(cells, where):
    live = [cell for cell in cells if cell and cell[0] in DANGEROUS]
    assert not live, f"{where}: cells a spreadsheet would run: {live}"
    for payload in PAYLOADS:
        assert "'" + payload in cells, f"{where}: {payload!r} not written (escaped) at all"


def _check(response, file_format, where):
    assert response.status_code == 200, where
    if file_format == "xlsx":
        _assert_safe(_xlsx_cells(response.content), where)
    else:
        _assert_safe(_csv_cells(response.content.decode("utf-8-sig")), where)


# --- The helper --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [*PAYLOADS, "\t=1+1", "\r=1+1", "'=1+1", "''-1", "'plain", "plain", "", "a=b", "€"],
)
def test_neutralise_round_trips_and_leaves_nothing_live(value):
    escaped = neutralise(value)
    assert not escaped or escaped[0] not in DANGEROUS
    assert unneutralise(escaped) == value


def test_neutralise_prefixes_only_dangerous_starts():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("'=1+1") == "''=1+1"  # typed with a quote: kept exactly on import
    assert neutralise("'hello") == "'hello"
    assert neutralise("Hearing") == "Hearing"
    assert neutralise(-2) == -2 and neutralise(None) is None


# --- Every export path ---------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_workspace_action_list_export_escapes_formulas(payload_world, editor_client, file_format):
    response = editor_client.get("/workspace/actions/", {"_export": file_format})
    _check(response, file_format, f"workspace list {file_format}")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_public_action_list_export_escapes_formulas(payload_world, client, file_format):
    response = client.get("/actions/", {"_export": file_format})
    _check(response, file_format, f"public list {file_format}")


@pytest.mark.parametrize("persona", ["anonymous", "editor"])
def test_api_csv_escapes_formulas(payload_world, client, editor_client, persona):
    caller = client if persona == "anonymous" else editor_client
    response = caller.get("/api/v1/actions/", {"format": "csv"})
    _check(response, "csv", f"API csv as {persona}")


def test_spreadsheet_download_escapes_formulas(payload_world, editor_client):
    response = editor_client.get("/workspace/actions/spreadsheet/", {"download": "1"})
    _check(response, "xlsx", "spreadsheet download")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_dashboard_table_download_escapes_formulas(payload_world, secretariat, file_format):
    from django.test import Client

    client = Client()
    client.force_login(secretariat)
    response = client.get(
        "/dashboard/parliaments/MA/", {"export": "actions", "format": file_format}
    )
    _check(response, file_format, f"dashboard table {file_format}")


def test_cycle_report_xlsx_and_csv_zip_escape_formulas(payload_world):
    report, _created = report_services.report_request(
        actor=None,
        cycle=Cycle.objects.get(code="2021-progress"),
        scope="parliament",
        parliament=Parliament.objects.get(iso2="MA"),
        language="en",
        formats=["xlsx", "csv"],
    )
    assert report_services.report_build(report.pk)
    _assert_safe(_xlsx_cells(report.files.get(format="xlsx").file.read()), "report xlsx")
    with zipfile.ZipFile(io.BytesIO(report.files.get(format="csv").file.read())) as archive:
        cells = []
        for name in archive.namelist():
            cells += _csv_cells(archive.read(name).decode("utf-8"))
    _assert_safe(cells, "report csv zip")


# --- The round trip -------------------------------------------------------------------------


def test_spreadsheet_round_trip_gives_back_exactly_what_was_typed(editor_client, editor_ma):
    plan = PlanFactory()
    typed = [*PAYLOADS, "'=typed with a quote", "'quoted", "\t=tab first"]
    for title in typed:
        ActionFactory(plan=plan, title=title.strip(), responsible_body=title.strip())
    url = "/workspace/actions/spreadsheet/"
    content = editor_client.get(url, {"download": "1"}).content

    response = editor_client.post(url, {"file": SimpleUploadedFile("a.xlsx", content)})
    html = response.content.decode()
    assert "no change to apply" in html, html[:3000]

    # An edited title next to an escaped one: only the edit changes, payloads survive.
    book = load_workbook(io.BytesIO(content))
    sheet = book["Actions"]
    sheet.cell(row=2, column=4).value = "A new description"
    buffer = io.BytesIO()
    book.save(buffer)
    editor_client.post(url, {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue())})
    editor_client.post(url, {"confirm": "1"})
    titles = set(Action.objects.drafts().values_list("title", flat=True))
    assert titles == {title.strip() for title in typed}
    bodies = set(Action.objects.drafts().values_list("responsible_body", flat=True))
    assert bodies == {title.strip() for title in typed}
    assert Action.objects.drafts().filter(description="A new description").count() == 1
