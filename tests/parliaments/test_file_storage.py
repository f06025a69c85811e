"""Uploaded evidence and plan documents are stored under a name the server chooses, with
the extension of the type found in their content; the name the user gave is kept for
display and for the download, which says the detected type and forbids sniffing."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Evidence, PlanOfAction
from tests.factories import ActionFactory, PlanFactory, make_user
from tests.parliaments.test_views import PDF

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def editor_ma(db):
    from django.test import Client

    user = make_user("editor.ma", "editor", "MA")
    client = Client()
    client.force_login(user)
    return user, client


def _stored(prefix, extension):
    today = timezone.now()
    return re.compile(rf"{prefix}/{today:%Y}/{today:%m}/[0-9a-f]{{32}}\.{extension}")


def test_evidence_named_like_a_web_page_is_stored_under_a_server_name_with_its_real_type(
    editor_ma,
):
    user, client = editor_ma
    action = ActionFactory()
    response = client.post(
        f"/workspace/actions/{action.pk}/progress/new/",
        {
            "date": "2021-06-01",
            "cycle": Cycle.objects.get(code="2021-progress").pk,
            "completion": "complete",
            "narrative": "Law adopted.",
            "files": [SimpleUploadedFile("x.html", PDF, content_type="text/html")],
            "links": "",
        },
    )
    evidence = Evidence.objects.drafts().get(original_name="x.html")
    assert response.status_code == 302
    assert _stored("evidence", "pdf").fullmatch(evidence.file.name), evidence.file.name
    assert evidence.content_type == "application/pdf"

    download = client.get(f"/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="x.pdf"' in disposition  # the name given, with the real type's extension
    assert b"".join(download.streaming_content) == PDF


def test_an_evidence_name_with_quotes_and_unicode_is_sent_safely_quoted(editor_ma):
    user, client = editor_ma
    action = ActionFactory()
    upload = SimpleUploadedFile('rapport "final"\r\n مغرب.png', PNG)
    upload.detected_content_type = "image/png"
    update = services.progress_update_create(
        actor=user,
        action=action,
        date=datetime.date(2021, 5, 1),
        cycle=Cycle.objects.get(code="2021-progress"),
        completion="limited",
        narrative="Hearing.",
        files=[upload],
        links=[],
    )
    evidence = update.evidence.get()
    assert _stored("evidence", "png").fullmatch(evidence.file.name)
    disposition = client.get(f"/evidence/{evidence.pk}/")["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert "filename*=utf-8''" in disposition
    assert '"final"' not in disposition.split("filename*=")[0]


def test_plan_document_is_stored_under_a_server_name_and_downloaded_under_its_own(editor_ma):
    user, client = editor_ma
    plan = PlanFactory()
    response = client.post(
        f"/workspace/plan/{plan.pk}/edit/",
        {
            "title": plan.title,
            "summary": plan.summary,
            "status": plan.status,
            "adopted_on": "2019-11-20",
            "adopting_body": plan.adopting_body,
            "document": SimpleUploadedFile("plan.exe.html", PDF),
            "document_url": "",
            "version": plan.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = PlanOfAction.objects.get(pk=plan.pk)
    assert _stored("plans", "pdf").fullmatch(plan.document.name), plan.document.name
    assert plan.document_name == "plan.exe.html"
    download = client.get(f"/plans/{plan.pk}/document/")
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert 'filename="plan.exe.pdf"' in download["Content-Disposition"]
