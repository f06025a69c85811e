"""Issue 14: once published, the public sees an evidence file only if its parliament marked
it public when uploading; otherwise its title shows and the file does not. Staff of the
parliament and the secretariat can open it either way; links are public once published."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Evidence
from tests.factories import ActionFactory, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def published(db):
    users = {
        "editor": make_user("editor.ma", "editor", "MA"),
        "focal": make_user("focal.ma", "focal_point", "MA"),
        "other_editor": make_user("editor.mx", "editor", "MX"),
        "secretariat": make_user("secretariat.reviewer", "secretariat"),
        "partner": make_user("partner.iom", "partner"),
    }
    action = ActionFactory(title="Hearing on migrant workers")
    editor_client = Client()
    editor_client.force_login(users["editor"])
    cycle = Cycle.objects.get(code="2021-progress")
    for name, public in (("open-minutes.pdf", True), ("closed-minutes.pdf", False)):
        response = editor_client.post(
            f"/workspace/actions/{action.pk}/progress/new/",
            {
                "date": "2021-06-01",
                "cycle": cycle.pk,
                "completion": "substantial",
                "narrative": f"Hearing ({name}).",
                "files": [SimpleUploadedFile(name, PDF)],
                "files_public": "on" if public else "",
                "links": "",
            },
        )
        assert response.status_code == 302
    submission = services.submission_for(action.parliament, cycle)
    services.submission_submit(actor=users["focal"], submission=submission)
    services.submission_accept(actor=users["secretariat"], submission=submission)
    copies = {e.original_name: e for e in Evidence.objects.filter(is_published_copy=True)}
    clients = {"anonymous": Client()}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    published_action = action.__class__.objects.get(uid=action.uid, is_published_copy=True)
    return {"copies": copies, "clients": clients, "action": published_action}


def test_the_upload_form_records_whether_the_files_are_public(published):
    drafts = {e.original_name: e.is_public for e in Evidence.objects.drafts()}
    assert drafts == {"open-minutes.pdf": True, "closed-minutes.pdf": False}
    assert {n: e.is_public for n, e in published["copies"].items()} == drafts


@pytest.mark.parametrize(
    ("who", "opens_closed"),
    [
        ("anonymous", False),
        ("partner", False),
        ("other_editor", False),
        ("editor", True),
        ("secretariat", True),
    ],
)
def test_who_can_open_a_published_file(published, who, opens_closed):
    client = published["clients"][who]
    open_copy, closed_copy = (
        published["copies"]["open-minutes.pdf"],
        published["copies"]["closed-minutes.pdf"],
    )
    assert client.get(f"/evidence/{open_copy.pk}/").status_code == 200
    assert client.get(f"/evidence/{closed_copy.pk}/").status_code == (200 if opens_closed else 404)


def test_the_public_action_page_names_a_closed_file_without_a_link(published):
    page = published["clients"]["anonymous"].get(
        f"/parliaments/MA/actions/{published['action'].uid}/"
    )
    assert page.status_code == 200
    html = page.content.decode()
    open_copy = published["copies"]["open-minutes.pdf"]
    closed_copy = published["copies"]["closed-minutes.pdf"]
    assert f'href="/evidence/{open_copy.pk}/"' in html
    assert "closed-minutes.pdf" in html and "file not public" in html
    assert f"/evidence/{closed_copy.pk}/" not in html


@pytest.mark.parametrize(("who", "sees_closed"), [("partner", False), ("secretariat", True)])
def test_the_api_gives_a_file_link_only_to_who_may_open_it(published, who, sees_closed):
    response = published["clients"][who].get("/api/v1/progress-updates/?parliament=MA")
    assert response.status_code == 200
    files = {
        item["title"]: item for update in response.json()["results"] for item in update["evidence"]
    }
    if who == "partner":
        assert files["open-minutes.pdf"]["file"].endswith(
            f"/evidence/{published['copies']['open-minutes.pdf'].pk}/"
        )
        assert files["open-minutes.pdf"]["public"] is True
        assert files["closed-minutes.pdf"]["file"] is None
        assert files["closed-minutes.pdf"]["public"] is False
    else:
        # The secretariat reads drafts through the API; every file links.
        assert all(item["file"] for item in files.values())
    assert (files["closed-minutes.pdf"]["file"] is not None) == sees_closed
