"""Issue 14: staff correct or delete their draft progress updates, through the services, the
API and the forms, with history; the published copy changes only at the next acceptance;
the action's completion follows the latest update; the figures follow too."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Action, ProgressUpdate
from parliaments.services.tokens import api_token_create
from tests.factories import ActionFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def progress(django_capture_on_commit_callbacks):
    editor = make_user("editor.ma", "editor", "MA")
    focal = make_user("focal.ma", "focal_point", "MA")
    reviewer = make_user("reviewer", "secretariat")
    cycle = Cycle.objects.get(code="2021-progress")
    with django_capture_on_commit_callbacks(execute=True):
        action = ActionFactory(title="Migrant workers bill")
        first = services.progress_update_create(
            actor=editor,
            action=action,
            date=datetime.date(2021, 3, 1),
            cycle=cycle,
            completion="limited",
            narrative="First reading.",
        )
        later = services.progress_update_create(
            actor=editor,
            action=action,
            date=datetime.date(2021, 9, 1),
            cycle=cycle,
            completion="complete",
            narrative="Adopted in plenary.",
            links=[("Gazette", "https://example.org/gazette")],
        )
        submission = services.submission_for(action.parliament, cycle)
        services.submission_submit(actor=focal, submission=submission)
        services.submission_accept(actor=reviewer, submission=submission)
    editor_client = Client()
    editor_client.force_login(editor)
    return {
        "editor": editor,
        "client": editor_client,
        "action": action,
        "first": first,
        "later": later,
        "focal": focal,
        "reviewer": reviewer,
    }


def _figures_check():
    call_command("rebuild_figures", "--check", stdout=io.StringIO())


def test_a_correction_through_the_form_keeps_history_and_the_published_copy(
    progress, django_capture_on_commit_callbacks
):
    later = progress["later"]
    later.refresh_from_db()
    page = progress["client"].get(f"/workspace/actions/{progress['action'].pk}/")
    assert f"/workspace/progress/{later.pk}/edit/" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = progress["client"].post(
            f"/workspace/progress/{later.pk}/edit/",
            {
                "version": later.version,
                "date": "2021-09-01",
                "cycle": later.cycle_id,
                "completion": "substantial",
                "narrative": "Adopted in committee; plenary in October.",
            },
        )
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.narrative == "Adopted in committee; plenary in October."
    assert later.history.count() >= 2
    # The action's completion follows its latest update; the public copy waits.
    assert Action.objects.get(pk=progress["action"].pk).completion == "substantial"
    published = ProgressUpdate.objects.get(uid=later.uid, is_published_copy=True)
    assert published.narrative == "Adopted in plenary."
    _figures_check()


def test_a_stale_correction_saves_nothing_and_keeps_the_text(progress):
    later = progress["later"]
    later.refresh_from_db()
    opened = later.version
    services.progress_update_update(
        actor=progress["editor"], update=later, expected_version=opened, narrative="Theirs."
    )
    response = progress["client"].post(
        f"/workspace/progress/{later.pk}/edit/",
        {
            "version": opened,
            "date": "2021-09-01",
            "cycle": later.cycle_id,
            "completion": "complete",
            "narrative": "Mine.",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved:" in html and "Mine.</textarea>" in html
    assert ProgressUpdate.objects.get(pk=later.pk).narrative == "Theirs."


def test_deleting_a_draft_update_removes_its_evidence_and_the_action_follows(
    progress, django_capture_on_commit_callbacks
):
    later = progress["later"]
    later.refresh_from_db()
    confirm = progress["client"].get(f"/workspace/progress/{later.pk}/delete/")
    assert "Delete this progress update?" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = progress["client"].post(
            f"/workspace/progress/{later.pk}/delete/", {"version": later.version}
        )
    assert response.status_code == 302
    assert not ProgressUpdate.objects.filter(pk=later.pk).exists()
    assert Action.objects.get(pk=progress["action"].pk).completion == "limited"
    # Published until the next acceptance, which removes it.
    assert ProgressUpdate.objects.filter(uid=later.uid, is_published_copy=True).exists()
    _figures_check()
    cycle = Cycle.objects.get(code="2021-progress")
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submission_for(progress["action"].parliament, cycle)
        services.submission_submit(actor=progress["focal"], submission=submission)
        services.submission_accept(actor=progress["reviewer"], submission=submission)
    assert not ProgressUpdate.objects.filter(uid=later.uid).exists()
    _figures_check()


def test_the_api_corrects_and_deletes_drafts_with_versions(progress):
    _token, key = api_token_create(user=progress["editor"], name="test")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    first = progress["first"]
    first.refresh_from_db()
    url = f"/api/v1/progress-updates/{first.uid}/"
    response = api.patch(
        url,
        {"version": first.version, "narrative": "First reading, 12 March."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["narrative"] == "First reading, 12 March."
    stale = api.patch(
        url, {"version": first.version, "narrative": "Old."}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == first.version + 1
    moved = api.patch(
        url,
        {
            "version": first.version + 1,
            "action": str(ActionFactory(plan=progress["action"].plan).uid),
        },
        content_type="application/json",
    )
    assert moved.status_code == 400
    assert api.delete(url).status_code == 400  # ?version= is required
    assert api.delete(f"{url}?version={first.version + 1}").status_code == 204
    assert not ProgressUpdate.objects.filter(pk=first.pk).exists()
    # Another parliament's staff cannot touch it; nobody can touch a published copy.
    other = make_user("editor.mx", "editor", "MX")
    _token, other_key = api_token_create(user=other, name="test")
    later = progress["later"]
    later.refresh_from_db()
    response = Client(HTTP_AUTHORIZATION=f"Token {other_key}").patch(
        f"/api/v1/progress-updates/{later.uid}/",
        {"version": later.version, "narrative": "Hijacked."},
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    assert ProgressUpdate.objects.get(pk=later.pk).narrative == "Adopted in plenary."


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_draft_update_gets_and_loses_evidence_through_the_form(
    progress, django_capture_on_commit_callbacks
):
    """Add a file and a link to an existing draft update and remove its old link; the
    published copy keeps its evidence until the next acceptance, which replaces it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    later = ProgressUpdate.objects.get(pk=progress["later"].pk)
    gazette = later.evidence.get()
    url = f"/workspace/progress/{later.pk}/edit/"
    form_page = progress["client"].get(url).content.decode()
    assert "Remove evidence" in form_page and "Gazette" in form_page
    assert 'enctype="multipart/form-data"' in form_page
    with django_capture_on_commit_callbacks(execute=True):
        response = progress["client"].post(
            url,
            {
                "version": later.version,
                "date": "2021-09-01",
                "cycle": later.cycle_id,
                "completion": "complete",
                "narrative": later.narrative,
                "remove_evidence": [gazette.pk],
                "links": "Hansard https://example.org/hansard",
                "files": [SimpleUploadedFile("adopted-law.pdf", PDF)],
                "files_public": "on",
            },
        )
    assert response.status_code == 302
    drafts = later.evidence.filter(is_published_copy=False)
    assert sorted((e.title, e.url, e.is_public) for e in drafts) == [
        ("Hansard", "https://example.org/hansard", False),
        ("adopted-law.pdf", "", True),
    ]
    later.refresh_from_db()
    assert later.version == progress["later"].version + 1
    # The removal is in the history; the public still sees the gazette until accepted.
    assert gazette.history.filter(history_type="-").exists()
    published = ProgressUpdate.objects.published().get(uid=later.uid)
    assert [e.title for e in published.evidence.all()] == ["Gazette"]
    cycle = Cycle.objects.get(code="2021-progress")
    submission = services.submission_for(later.parliament, cycle)
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_submit(actor=progress["focal"], submission=submission)
        services.submission_accept(actor=progress["reviewer"], submission=submission)
    assert sorted(e.title for e in published.evidence.all()) == ["Hansard", "adopted-law.pdf"]
    _figures_check()


def test_evidence_of_another_update_cannot_be_removed_and_bad_input_saves_nothing(progress):
    first = ProgressUpdate.objects.get(pk=progress["first"].pk)
    later = ProgressUpdate.objects.get(pk=progress["later"].pk)
    gazette = later.evidence.get()
    url = f"/workspace/progress/{first.pk}/edit/"
    base = {
        "version": first.version,
        "date": "2021-03-01",
        "cycle": first.cycle_id,
        "completion": "limited",
        "narrative": "First reading, corrected.",
    }
    for extra, field in (
        ({"remove_evidence": [gazette.pk]}, "remove_evidence"),  # not this update's
        ({"links": "not a link"}, "links"),
    ):
        response = progress["client"].post(url, {**base, **extra})
        assert response.status_code == 200
        assert field in response.context["form"].errors or response.context["form"].errors
        first.refresh_from_db()
        assert first.narrative == "First reading." and first.version == progress["first"].version
    assert later.evidence.filter(pk=gazette.pk).exists()
    with pytest.raises(Exception, match="Only this update's own evidence"):
        services.progress_update_update(
            actor=progress["editor"],
            update=first,
            expected_version=first.version,
            remove_evidence=[gazette],
        )
