"""Issue 18: the whole published dataset as a Frictionless Data Package, built nightly by
Celery, valid by the `frictionless` library, with the API's row counts; a stable URL for
the latest and dated archives."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from frictionless import validate

from parliaments.demo import seed_demo
from parliaments.models import Evidence, ProgressUpdate
from reports import datapackage, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert seed_demo()
    return tmp_path


def _api_count(client, path):
    return client.get(f"/api/v1/{path}", {"page_size": 1}).json()["count"]


def test_the_package_is_valid_and_counts_what_the_api_shows(demo, settings):
    outcome = tasks.publish_datapackage()  # what beat runs nightly
    folder = settings.MEDIA_ROOT / "datapackage" / outcome["day"]
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    descriptor = json.loads((folder / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    names = [resource["name"] for resource in descriptor["resources"]]
    assert names == [
        "parliaments",
        "plans",
        "actions",
        "action_objectives",
        "action_commitments",
        "progress_updates",
        "evidence_links",
        "submissions",
        "ratifications",
    ]
    rows = outcome["rows"]
    client = Client()
    for name, path in (
        ("parliaments", "parliaments/"),
        ("plans", "plans/"),
        ("actions", "actions/"),
        ("progress_updates", "progress-updates/"),
        ("submissions", "submissions/"),
        ("ratifications", "ratifications/"),
    ):
        assert rows[name] == _api_count(client, path) > 0, name
    # The links and the evidence are nested in the API's actions and progress updates.
    actions = client.get("/api/v1/actions/", {"page_size": 500}).json()["results"]
    assert rows["action_objectives"] == sum(len(a["objectives"]) for a in actions)
    assert rows["action_commitments"] == sum(len(a["commitments"]) for a in actions)
    updates = client.get("/api/v1/progress-updates/", {"page_size": 500}).json()["results"]
    assert rows["evidence_links"] == sum(len(u["evidence"]) for u in updates) > 0
    # A file its parliament did not make public is listed without its address.
    hidden = Evidence.objects.filter(is_published_copy=True, is_public=False).exclude(file="")
    csv_text = (folder / "evidence_links.csv").read_text()
    for item in hidden:
        assert f"/evidence/{item.pk}/" not in csv_text
    # Drafts are not published: a draft narrative never reaches the package.
    draft = ProgressUpdate.objects.drafts().exclude(
        narrative__in=ProgressUpdate.objects.published().values("narrative")
    )
    progress_csv = (folder / "progress_updates.csv").read_text()
    assert all(update.narrative not in progress_csv for update in draft[:20])


def test_latest_has_a_stable_address_and_each_day_is_kept(demo):
    call_command("publish_datapackage", "--date", "2026-11-30", stdout=io.StringIO())
    call_command("publish_datapackage", "--date", "2026-12-01", stdout=io.StringIO())
    client = Client()
    latest = client.get("/data/latest/datapackage.json")
    assert latest.status_code == 200 and latest["Content-Type"] == "application/json"
    assert json.loads(b"".join(latest.streaming_content))["version"] == "2026-12-01"
    older = client.get("/data/2026-11-30/datapackage.json")
    assert json.loads(b"".join(older.streaming_content))["version"] == "2026-11-30"
    csv = client.get("/data/latest/actions.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert b"".join(csv.streaming_content).startswith(b"id,parliament,plan,title")
    archive = client.get("/data/latest/compact-tracker.zip")
    assert archive.status_code == 200 and "attachment" in archive["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as zipped:
        assert "compact-tracker-2026-12-01/datapackage.json" in zipped.namelist()
    page = client.get("/data/").content.decode()
    assert "/data/latest/datapackage.json" in page and "/data/2026-11-30/datapackage.json" in page
    for junk in ("/data/latest/../settings.py", "/data/latest/x.exe", "/data/2026-13-01/a.csv"):
        assert client.get(junk).status_code == 404, junk


def test_before_the_first_build_the_page_says_what_to_do(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "empty"
    page = Client().get("/data/")
    assert page.status_code == 200
    assert "The first package is built tonight" in page.content.decode()
    assert Client().get("/data/latest/datapackage.json").status_code == 404


def test_a_bad_date_is_one_line_and_exit_2(demo):
    with pytest.raises(CommandError) as error:
        call_command("publish_datapackage", "--date", "yesterday")
    assert error.value.returncode == 2 and "not a date" in str(error.value)
    assert datapackage.latest_day() is None


def test_the_job_runs_nightly(settings):
    job = settings.CELERY_BEAT_SCHEDULE["publish-datapackage"]
    assert job["task"] == "reports.tasks.publish_datapackage"
    assert (job["schedule"].hour, job["schedule"].minute) == ({3}, {15})
