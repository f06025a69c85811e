"""Issue 15: before an upload, the browser says at once that a file is too large or of a
type the server refuses, and the form does not send it (the server still checks)."""

import re

import pytest
from playwright.sync_api import expect

from parliaments.models import Action, ProgressUpdate
from tests.e2e.test_workspace_flow import Story, sign_in

pytestmark = pytest.mark.e2e


def test_the_progress_form_refuses_a_large_or_foreign_file_before_sending(
    open_page, demo_data, media_root
):
    action = Action.objects.drafts().filter(parliament__iso2="MA").order_by("pk").first()
    before = ProgressUpdate.objects.filter(action=action).count()
    page = open_page()
    sign_in(page, Story(), "editor.ma")
    page.goto(f"/workspace/actions/{action.pk}/progress/new/")
    files = page.locator('input[type="file"]')
    assert "application/pdf" in files.get_attribute("accept")
    assert ".pdf" in files.get_attribute("accept")

    files.set_input_files(
        [{"name": "minutes.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}]
    )
    expect(page.locator("[role=alert]")).to_contain_text("minutes.exe")
    expect(page.locator("[role=alert]")).to_contain_text("is not a PDF")

    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1)
    files.set_input_files([{"name": "report.pdf", "mimeType": "application/pdf", "buffer": big}])
    expect(page.locator("[role=alert]")).to_contain_text("larger than 10 MB")
    page.locator("textarea[name=narrative]").fill("A hearing.")
    page.get_by_role("button", name=re.compile("Save|Record")).first.click()
    page.wait_for_timeout(500)
    assert f"/workspace/actions/{action.pk}/progress/new/" in page.url  # not sent
    assert ProgressUpdate.objects.filter(action=action).count() == before
