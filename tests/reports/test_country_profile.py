"""Issue 14: a country profile per parliament, requested by its staff or the secretariat and
built by the worker: the plan, every action with its progress over all cycles, a
completion chart, the good practices and the submission history. Published data on the
parliament's public page; drafts, marked DRAFT, from the workspace."""

import io
import json

import pypdf
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from parliaments.demo import PARLIAMENTS
from parliaments.models import Action, Parliament
from reports import services
from reports.models import Report
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def pdf_text(report):
    payload = report.files.get(format="pdf").file.read()
    pdf = pypdf.PdfReader(io.BytesIO(payload))
    return " ".join(" ".join(page.extract_text() for page in pdf.pages).split()), len(pdf.pages)


def build(parliament, internal=False, language="en"):
    report, _created = services.profile_request(
        actor=None, parliament=parliament, internal=internal, language=language
    )
    assert services.report_build(report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.SUCCEEDED, report.error
    return report


@pytest.fixture
def demo():
    call_command("seed_demo", "--allow-without-debug", stdout=io.StringIO())


def test_the_profile_builds_for_every_demo_parliament_in_both_languages(demo):
    for iso2 in PARLIAMENTS:
        parliament = Parliament.objects.get(iso2=iso2)
        published = Action.objects.filter(parliament=parliament, is_published_copy=True)
        for language in ("en", "fr"):
            report = build(parliament, language=language)
            assert {f.format for f in report.files.all()} == {"pdf", "html", "json"}
            data = json.loads(report.files.get(format="json").file.read())
            assert data["report"]["parliament"] == iso2
            assert data["summary"]["actions"] == published.count()
            text, _pages = pdf_text(report)
            heading = "Plan of action" if language == "en" else "Plan d’action"
            assert heading in text, (iso2, language)
            if published.exists():
                # In the report's language where the parliament translated it (Morocco
                # and Senegal give French titles), else as written.
                first = published.order_by("title").first()
                with translation.override(language):
                    assert " ".join(first.title_in.split()) in " ".join(text.split())


def test_the_published_profile_shows_published_progress_and_the_draft_one_is_marked(demo):
    ecuador = Parliament.objects.get(iso2="EC")
    draft = Action.objects.filter(parliament=ecuador, is_published_copy=False).first()
    Action.objects.filter(pk=draft.pk).update(title="A draft nobody has accepted yet")

    published = build(ecuador)
    data = json.loads(published.files.get(format="json").file.read())
    assert data["report"]["internal"] is False
    assert all(s["status"] == "accepted" for s in data["submissions"])
    narratives = [u["narrative"] for a in data["actions"] for u in a["progress"]]
    assert narratives, "Ecuador's accepted reports published its progress"
    text, pages = pdf_text(published)
    assert "A draft nobody has accepted yet" not in text
    assert "DRAFT" not in text
    assert narratives[0].split(";")[0] in text
    assert "Reports to the IPU" in text and "Good practices" in text
    assert pages >= 2

    internal = build(ecuador, internal=True)
    text, _pages = pdf_text(internal)
    assert "A draft nobody has accepted yet" in text
    assert "DRAFT" in text
    # The chart is drawn in the PDF: its title is text of the SVG.
    assert "Actions by completion" in text


@pytest.mark.parametrize(
    ("who", "internal", "status"),
    [
        ("anonymous", False, 302),  # to the sign-in page
        ("partner", False, 403),
        ("other_editor", False, 403),
        ("editor", True, 302),
        ("editor", False, 302),
        ("secretariat", False, 302),
    ],
)
def test_who_may_build_a_profile(db, who, internal, status):
    users = {
        "partner": make_user("partner.iom", "partner"),
        "other_editor": make_user("editor.mx", "editor", "MX"),
        "editor": make_user("editor.ma", "editor", "MA"),
        "secretariat": make_user("secretariat.reviewer", "secretariat"),
    }
    client = Client()
    if who in users:
        client.force_login(users[who])
    response = client.post("/reports/profiles/MA/", {"internal": "1" if internal else ""})
    assert response.status_code == status
    queued = Report.objects.filter(kind="profile", parliament__iso2="MA", internal=internal)
    if who in ("editor", "secretariat"):
        report = queued.get()
        assert response["Location"] == f"/reports/{report.pk}/"
        assert report.formats == ["html", "json", "pdf"]
    else:
        assert not queued.exists()


def test_the_public_page_links_the_latest_profile_and_the_workspace_the_draft(demo):
    morocco = Parliament.objects.get(iso2="MA")
    anonymous = Client()
    page = anonymous.get("/parliaments/MA/").content.decode()
    assert "Country profile" in page and "Not built yet." in page
    assert "/reports/profiles/MA/" not in page  # the public cannot build one

    report = build(morocco)
    page = anonymous.get("/parliaments/MA/").content.decode()
    assert f"/reports/{report.pk}/pdf/" in page
    assert anonymous.get(f"/reports/{report.pk}/pdf/").status_code == 200

    editor = Client()
    editor.force_login(make_user("editor.ma.2", "editor", "MA"))
    workspace = editor.get("/workspace/").content.decode()
    assert "Country profile (draft)" in workspace
    assert 'action="/reports/profiles/MA/"' in workspace and 'name="internal"' in workspace
    draft = build(morocco, internal=True)
    assert f"/reports/{draft.pk}/pdf/" in editor.get("/workspace/").content.decode()
    # The draft profile is the parliament's and the secretariat's only.
    assert anonymous.get(f"/reports/{draft.pk}/pdf/").status_code == 404
