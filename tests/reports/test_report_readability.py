"""Every cell of a cycle report says something a reader understands (issue 11, defect 4):
no "None", no raw codes (region, plan, report, completion, type, plan status), country
names rather than ISO codes, dates written for the report's language in HTML and PDF and
real date cells in XLSX. The JSON keeps its codes and stays valid against its schema."""

import csv
import datetime
import io
import json
import zipfile

import jsonschema
import pypdf
import pytest
from openpyxl import load_workbook

from commitments.models import Cycle, Instrument
from parliaments.models import (
    ActionType,
    Completion,
    Parliament,
    PlanOfAction,
    Region,
)
from reports import content, services
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db

# What a reader must never see in a cell of the HTML, PDF, XLSX or CSV files.
CODES = {
    *Region.values,
    *Completion.values,
    *ActionType.values,
    *PlanOfAction.Status.values,
    "on_time",
    "late",
    "none",
}
PYTHON_WORDS = {"None", "null", "True", "False"}
PARLIAMENT_HEADERS = {"Parliament", "Parlement"}


def _request(**kwargs):
    options = {
        "actor": None,
        "cycle": Cycle.objects.get(code="2021-progress"),
        "scope": "global",
        "language": "en",
        "formats": ["json", "xlsx", "csv", "pdf", "html"],
    }
    options.update(kwargs)
    report, created = services.report_request(**options)
    if created:  # else the same report, already built from the same data
        assert services.report_build(report.pk)
    report.refresh_from_db()
    assert report.status == "succeeded", report.error
    return report


def _internal(iso2, **kwargs):
    return _request(
        scope="parliament", parliament=Parliament.objects.get(iso2=iso2), internal=True, **kwargs
    )


def _bytes(report, file_format):
    return report.files.get(format=file_format).file.read()


def _workbook(report):
    return load_workbook(io.BytesIO(_bytes(report, "xlsx")))


def _xlsx_tables(report):
    """{sheet: [dict per row, keyed by header]} of the report's XLSX file."""
    book = _workbook(report)
    tables = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        tables[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return tables


def _csv_tables(report):
    with zipfile.ZipFile(io.BytesIO(_bytes(report, "csv"))) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))
            )
            for name in archive.namelist()
        }


def _pdf_text(report):
    pdf = pypdf.PdfReader(io.BytesIO(_bytes(report, "pdf")))
    return " ".join(" ".join(page.extract_text() for page in pdf.pages).split())


def _unreadable_cells(tables, iso_codes):
    """(table, header, value) of every cell a reader would not understand."""
    bad = []
    for name, rows in tables.items():
        for row in rows:
            for header, value in row.items():
                text = "" if value is None else str(value)
                python = text in PYTHON_WORDS or "None" in text.split()
                code = text in CODES or (header in PARLIAMENT_HEADERS and text in iso_codes)
                iso_date = isinstance(value, str) and _looks_like_iso_date(text)
                if python or code or iso_date:
                    bad.append((name, header, value))
    return bad


def _looks_like_iso_date(text):
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@pytest.fixture
def iso_codes(db):
    return set(Parliament.objects.values_list("iso2", flat=True))


@pytest.fixture
def ma_draft_plan(known):
    return PlanOfAction.objects.get(parliament__iso2="MA", is_published_copy=False)


def test_global_xlsx_says_no_plan_not_reported_and_region_names(known, iso_codes):
    tables = _xlsx_tables(_request(formats=["xlsx"]))
    assert _unreadable_cells(tables, iso_codes) == []
    parliaments = {row["ISO"]: row for row in tables["parliaments"]}
    kenya = parliaments["KE"]
    assert (kenya["Plan"], kenya["Report"]) == ("No plan", "Not reported")
    assert kenya["Region"] == "Africa"
    assert parliaments["AF"]["Region"] == "Asia"
    assert parliaments["MA"]["Plan"] == "On time" and parliaments["MA"]["Report"] == "On time"
    cells = [cell for row in tables["parliaments"] for cell in row.values() if cell is not None]
    assert not any("None" in str(cell) for cell in cells)
    assert {row["Parliament"] for row in tables["actions"]} == {"Morocco"}


def test_xlsx_dates_are_date_cells(known, ma_draft_plan):
    ActionFactory(plan=ma_draft_plan, title="Dated action", target_date=datetime.date(2024, 6, 18))
    book = _workbook(_internal("MA", formats=["xlsx"]))
    parliaments = book["parliaments"]
    headers = [cell.value for cell in parliaments[1]]
    adopted = parliaments.cell(row=2, column=headers.index("Plan adopted on") + 1)
    assert adopted.is_date and adopted.value == datetime.datetime(2019, 11, 20)
    assert "yy" in adopted.number_format.lower()

    actions = book["actions"]
    headers = [cell.value for cell in actions[1]]
    column = headers.index("Target date") + 1
    cells = {
        actions.cell(row=r, column=2).value: actions.cell(row=r, column=column)
        for r in range(2, actions.max_row + 1)
    }
    assert cells["Dated action"].is_date
    assert cells["Dated action"].value == datetime.datetime(2024, 6, 18)
    assert cells["MA complete"].value is None  # no target date: an empty cell


def test_csv_cells_are_readable_and_keep_iso_dates(known, iso_codes, ma_draft_plan):
    ActionFactory(
        plan=ma_draft_plan,
        title="Ratify the ICRMW",
        action_type="ratification",
        instrument=Instrument.objects.get(code="ICRMW"),
        target_date=datetime.date(2024, 6, 18),
        is_good_practice=True,
    )
    for report in (_request(formats=["csv"]), _internal("MA", formats=["csv"])):
        tables = _csv_tables(report)
        # ISO dates are the CSV convention: allowed in the date columns.
        dates = {"Plan adopted on", "Target date", "Date", "Sources as of", "Source as of"}
        readable = {
            name: [{h: v for h, v in row.items() if h not in dates} for row in rows]
            for name, rows in tables.items()
        }
        assert _unreadable_cells(readable, iso_codes) == []
        assert {row["Parliament"] for row in tables["actions"]} == {"Morocco"}
    kenya_free = {row["ISO"]: row for row in _csv_tables(_request(formats=["csv"]))["parliaments"]}
    assert kenya_free["KE"]["Plan"] == "No plan" and kenya_free["KE"]["Region"] == "Africa"
    actions = {row["Action"]: row for row in tables["actions"]}
    assert actions["Ratify the ICRMW"]["Target date"] == "2024-06-18"
    assert actions["Ratify the ICRMW"]["Good practice"] == "Yes"
    assert actions["MA complete"]["Good practice"] == "No"


def test_html_and_pdf_say_no_plan_with_dates_and_country_names(known):
    report = _request(formats=["html", "pdf"])
    html = _bytes(report, "html").decode()
    parliaments = html.split('id="parliaments"')[1].split("</table>")[0]
    assert "<td>None</td>" not in parliaments
    assert "<td>No plan</td>" in parliaments and "<td>Not reported</td>" in parliaments
    assert "<td>Africa</td>" in parliaments and "<td>africa</td>" not in parliaments
    assert "<td>20 Nov 2019</td>" in parliaments and "2019-11-20" not in html
    assert "Due 31 Dec 2021" in html and "2021-12-31" not in html
    assert '<h3 class="annex-parliament">Morocco</h3>' in html
    assert '<h3 class="annex-parliament">MA</h3>' not in html

    text = _pdf_text(report)
    assert "None None" not in text and "No plan Not reported" in text
    assert "20 Nov 2019" in text and "2019-11-20" not in text
    assert "Due 31 Dec 2021" in text


def test_a_plan_in_drafting_reads_drafting(known, iso_codes):
    report = _internal("SN", formats=["xlsx", "html"])
    senegal = _xlsx_tables(report)["parliaments"][0]
    assert (senegal["Plan"], senegal["Report"]) == ("Drafting", "Not reported")
    assert "<td>Drafting</td>" in _bytes(report, "html").decode()


def test_french_report_speaks_french_in_every_format(known, iso_codes):
    report = _request(language="fr", formats=["xlsx", "csv", "html", "pdf", "json"])
    tables = _xlsx_tables(report)
    assert _unreadable_cells(tables, iso_codes) == []
    parliaments = {row["ISO"]: row for row in tables["parliaments"]}
    kenya = parliaments["KE"]
    assert (kenya["Plan"], kenya["Rapport"], kenya["Région"]) == (
        "Aucun plan",
        "Aucun rapport remis",
        "Afrique",
    )
    assert parliaments["MA"]["Parlement"] == "Maroc"
    assert parliaments["MX"]["Parlement"] == "Mexique"
    assert {row["Parlement"] for row in tables["actions"]} == {"Maroc"}
    csv_parliaments = {row["ISO"]: row for row in _csv_tables(report)["parliaments"]}
    assert csv_parliaments["KE"]["Plan"] == "Aucun plan"
    assert csv_parliaments["DE"]["Parlement"] == "Allemagne"

    html = _bytes(report, "html").decode()
    assert "<td>20 nov. 2019</td>" in html and "<td>Aucun plan</td>" in html
    assert '<h3 class="annex-parliament">Maroc</h3>' in html
    assert "31 déc. 2021" in html
    text = _pdf_text(report)
    assert "Aucun plan" in text and "20 nov. 2019" in text

    data = json.loads(_bytes(report, "json"))
    jsonschema.validate(data, content.JSON_SCHEMA)


def test_json_keeps_codes_and_its_schema(known, ma_draft_plan):
    ActionFactory(plan=ma_draft_plan, title="Dated action", target_date=datetime.date(2024, 6, 18))
    for report in (_request(formats=["json"]), _internal("MA", formats=["json"])):
        data = json.loads(_bytes(report, "json"))
        jsonschema.validate(data, content.JSON_SCHEMA)
        parliaments = {p["iso2"]: p for p in data["parliaments"]}
        assert all(a["parliament"] == "MA" for a in data["actions"])
        assert parliaments["MA"]["region"] == "africa"
        assert parliaments["MA"]["plan_adopted_on"] == "2019-11-20"
    assert {a["title"]: a["target_date"] for a in data["actions"]}["Dated action"] == "2024-06-18"
    global_data = json.loads(_bytes(_request(formats=["json"]), "json"))
    kenya = {p["iso2"]: p for p in global_data["parliaments"]}["KE"]
    assert (kenya["plan"], kenya["report"], kenya["plan_adopted_on"]) == ("none", "none", None)


def test_a_report_built_before_this_layout_is_not_reused(known, monkeypatch):
    old = _request(formats=["json"])
    monkeypatch.setattr(content, "LAYOUT_VERSION", content.LAYOUT_VERSION + 1)
    new = _request(formats=["json"])
    assert new.pk != old.pk and new.version == old.version + 1
