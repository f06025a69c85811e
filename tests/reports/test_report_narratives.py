"""Issue 14: a cycle report carries what parliaments wrote, not only counts. Per action, its
completion at the start and the end of the cycle and the progress narratives of the cycle,
in date order, with their evidence: a link the report's reader may open, or the title of
a file they may not. HTML and PDF show them under each action; XLSX, CSV and JSON in a
table of their own keyed by the action's id; the JSON validates against the schema the
API serves."""

import datetime
import io
import json
import zipfile

import jsonschema
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Evidence, Parliament
from reports import content
from reports import services as report_services
from tests.factories import ActionFactory, PlanFactory, ProgressUpdateFactory, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def ecuador(settings):
    """Ecuador's one action: limited before the cycle (a 2019 update), then two 2021
    updates: a hearing with a public file and a link, the law with a file not public.
    Its 2021 report is accepted, so the published copies exist."""
    settings.SITE_URL = "https://tracker.example.org"
    editor = make_user("editor.ec", "editor", "EC")
    focal = make_user("focal.ec", "focal_point", "EC")
    reviewer = make_user("reviewer", "secretariat")
    ec = Parliament.objects.get(iso2="EC")
    action = ActionFactory(plan=PlanFactory(parliament=ec), title="Migrant workers bill")
    ProgressUpdateFactory(
        action=action,
        date=datetime.date(2019, 10, 1),
        cycle=Cycle.objects.get(code="2019-plan"),
        completion="limited",
        narrative="Bill tabled.",
    )
    cycle = Cycle.objects.get(code="2021-progress")
    services.progress_update_create(
        actor=editor,
        action=action,
        date=datetime.date(2021, 3, 1),
        cycle=cycle,
        completion="substantial",
        narrative="Committee hearing held with migrant associations.",
        files=[SimpleUploadedFile("hearing.pdf", PDF, content_type="application/pdf")],
        files_public=True,
        links=[("Hansard", "https://parliament.example.ec/hansard/12")],
    )
    services.progress_update_create(
        actor=editor,
        action=action,
        date=datetime.date(2021, 9, 1),
        cycle=cycle,
        completion="complete",
        narrative="Law adopted in plenary.",
        files=[SimpleUploadedFile("vote-count.pdf", PDF, content_type="application/pdf")],
    )
    submission = services.submission_for(ec, cycle)
    services.submission_submit(actor=focal, submission=submission)
    services.submission_accept(actor=reviewer, submission=submission)
    action.refresh_from_db()
    return {"ec": ec, "action": action, "editor": editor, "reviewer": reviewer}


def build(ec, internal, formats=("json", "xlsx", "csv", "html", "pdf")):
    report, _created = report_services.report_request(
        actor=None,
        cycle=Cycle.objects.get(code="2021-progress"),
        scope="parliament",
        parliament=ec,
        internal=internal,
        language="en",
        formats=list(formats),
    )
    assert report_services.report_build(report.pk)
    report.refresh_from_db()
    assert report.status == "succeeded"
    return {f.format: f.file.read() for f in report.files.all()}


def test_the_json_has_each_action_s_cycle_and_its_narratives_with_evidence(ecuador):
    data = json.loads(build(ecuador["ec"], internal=False, formats=["json"])["json"])
    jsonschema.validate(data, content.JSON_SCHEMA)
    (action,) = data["actions"]
    assert action["id"] == str(ecuador["action"].uid)
    assert (action["completion_at_start"], action["completion_at_end"]) == ("limited", "complete")
    # Only this cycle's narratives, in date order, keyed by the action's id.
    hearing_text = "Committee hearing held with migrant associations."
    narratives = [
        (p["action"], p["date"], p["completion"], p["narrative"]) for p in data["progress"]
    ]
    assert narratives == [
        (action["id"], "2021-03-01", "substantial", hearing_text),
        (action["id"], "2021-09-01", "complete", "Law adopted in plenary."),
    ]
    hearing, law = data["progress"]
    public_file, link = hearing["evidence"]
    assert public_file["kind"] == "file" and public_file["title"] == "hearing.pdf"
    assert public_file["url"].startswith("https://tracker.example.org/evidence/")
    assert link == {
        "kind": "link",
        "title": "Hansard",
        "url": "https://parliament.example.ec/hansard/12",
        "public": True,
    }
    # The public report names the file its parliament did not make public, with no link.
    assert law["evidence"] == [
        {"kind": "file", "title": "vote-count.pdf", "url": None, "public": False}
    ]
    # The public link opens the file for anyone; nothing opens the other.
    anonymous = Client()
    path = public_file["url"].removeprefix("https://tracker.example.org")
    assert anonymous.get(path).status_code == 200
    hidden = Evidence.objects.get(is_published_copy=True, original_name="vote-count.pdf")
    assert anonymous.get(f"/evidence/{hidden.pk}/").status_code == 404


def test_the_internal_report_links_every_file_for_the_secretariat(ecuador):
    data = json.loads(build(ecuador["ec"], internal=True, formats=["json"])["json"])
    jsonschema.validate(data, content.JSON_SCHEMA)
    urls = [e["url"] for p in data["progress"] for e in p["evidence"] if e["kind"] == "file"]
    assert len(urls) == 2 and all(urls)
    secretariat = Client()
    secretariat.force_login(ecuador["reviewer"])
    for url in urls:
        assert secretariat.get(url.removeprefix("https://tracker.example.org")).status_code == 200
        assert Client().get(url.removeprefix("https://tracker.example.org")).status_code == 404


def test_spreadsheet_and_csv_have_a_progress_table_keyed_by_action_id(ecuador):
    files = build(ecuador["ec"], internal=False, formats=["xlsx", "csv"])
    uid = str(ecuador["action"].uid)
    book = load_workbook(io.BytesIO(files["xlsx"]))
    actions = list(book["actions"].iter_rows(values_only=True))
    assert actions[0][-3:] == (
        "Completion at the start of the cycle",
        "Completion at the end of the cycle",
        "Action ID",
    )
    assert actions[1][-3:] == ("Limited", "Complete", uid)
    progress = list(book["progress"].iter_rows(values_only=True))
    assert [row[:2] for row in progress[1:]] == [(uid, "Ecuador"), (uid, "Ecuador")]
    assert progress[1][4] == "Committee hearing held with migrant associations."
    assert "hearing.pdf" in progress[1][5] and "Hansard" in progress[1][5]
    assert "https://parliament.example.ec/hansard/12" in progress[1][6]
    assert progress[2][5] == "vote-count.pdf (file not public)"
    with zipfile.ZipFile(io.BytesIO(files["csv"])) as archive:
        text = archive.read("progress.csv").decode()
    assert uid in text and "Law adopted in plenary." in text


def test_html_and_pdf_show_the_narratives_under_their_action(ecuador):
    files = build(ecuador["ec"], internal=False, formats=["html", "pdf"])
    html = files["html"].decode()
    assert "Committee hearing held with migrant associations." in html
    assert 'href="https://parliament.example.ec/hansard/12"' in html
    assert "vote-count.pdf" in html and "file not public" in html
    assert "Limited → Complete" in html
    pdf = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Law adopted in plenary." in text
    assert "Committee hearing held with migrant associations." in text
    assert "file not public" in text


def test_the_api_serves_the_json_schema_reports_follow(ecuador):
    response = Client().get("/api/v1/reports/schema.json/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"] == {"const": content.JSON_SCHEMA_VERSION}
    assert "progress" in schema["required"]
    schema.pop("$id")
    data = json.loads(build(ecuador["ec"], internal=False, formats=["json"])["json"])
    jsonschema.validate(data, schema)
    data["progress"][0]["evidence"][0]["kind"] = "video"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
