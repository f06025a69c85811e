"""The workspace story in a real browser, one browser context per person:

Morocco's editor adds an action and records progress with a PDF as evidence, marked
public; Morocco's focal point submits the returned 2021 report again; the secretariat
reads the action on the review page (new, its narrative and evidence inline) and accepts
it; a visitor reads the new action on Morocco's public page, its timeline and evidence;
the 2021 report's PDF and XLSX carry the narrative; Mexico's editor cannot open Morocco's
draft.

Every page visited is checked with axe-core (WCAG 2.0/2.1 A and AA; serious and critical
violations fail) and must log no console error. Those two checks are collected along the
way and reported together at the end, so one run lists every page at fault; a broken
step of the story fails at once. A full-page screenshot of each step is saved in
test-results/screenshots/.
"""

import io
import re
import time
from pathlib import Path

import filetype
import pypdf
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from commitments.models import Cycle
from parliaments.models import Parliament
from reports import services as report_services
from tests.e2e.axe import assert_no_serious_violations

pytestmark = pytest.mark.e2e

PASSWORD = "rabat-2018-demo"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
ACTION_TITLE = "Hearing on the rights of migrant workers in detention (e2e)"
COMMITMENT = "R7a.2"
EVIDENCE_NAME = "committee-hearing-report.pdf"
NARRATIVE = "The committee held a public hearing with the ministry and civil society."
NOT_FOUND = "Failed to load resource: the server responded with a status of 404"


def minimal_pdf():
    """A small, well-formed one-page PDF (with a correct cross-reference table)."""
    stream = b"BT /F1 18 Tf 72 720 Td (Committee hearing report) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class Story:
    """Screenshots each step, and collects accessibility and console problems."""

    def __init__(self):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.step = 0
        self.problems = []

    def check(self, page, name, axe=True):
        """Screenshot the page as step `name`, then run axe on it."""
        self.step += 1
        page.screenshot(path=SCREENSHOTS / f"{self.step:02d}-{name}.png", full_page=True)
        if axe:
            try:
                assert_no_serious_violations(page)
            except AssertionError as error:
                self.problems.append(f"[step {self.step:02d} {name}] {error}")

    def console(self, page, who, allowed=()):
        """Record the console errors of `who`'s page, except the `allowed` ones."""
        errors = [
            f"{text} (at {url})"
            for text, url in page.console_errors
            if not any(rule(text, url) for rule in allowed)
        ]
        if errors:
            self.problems.append(f"[console of {who}] " + "\n  ".join(["", *errors]))

    def assert_no_problems(self):
        assert not self.problems, "\n\n".join(self.problems)


def sign_in(page, story, username, check_page=False):
    page.goto("/accounts/login/")
    if check_page:
        story.check(page, "login-page")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page, f"{username} could not sign in").not_to_have_url(re.compile("/accounts/login/"))


def test_action_progress_submission_review_and_publication(open_page, demo_data, media_root):
    story = Story()
    pdf = minimal_pdf()
    assert filetype.guess(pdf).mime == "application/pdf"

    # --- Morocco's editor adds an action ---------------------------------------------------
    editor = open_page()
    sign_in(editor, story, "editor.ma", check_page=True)
    editor.get_by_role("link", name="My workspace").click()
    editor.wait_for_url("**/workspace/")
    expect(editor.locator("h1")).to_have_text("Morocco")
    story.check(editor, "editor-workspace-home")

    editor.get_by_role("link", name="Add an action").click()
    editor.wait_for_url("**/workspace/actions/new/")
    story.check(editor, "editor-action-form")

    form = editor.locator("form.action-form")
    form.locator('input[name="title"]').fill(ACTION_TITLE)
    form.locator('select[name="action_type"]').select_option("legislation")
    option = form.locator('select[name="commitments"] option', has_text=f"{COMMITMENT} — ")
    suggested = sorted(int(n) for n in option.get_attribute("data-objectives").split(","))
    assert suggested, f"{COMMITMENT} serves no objective in the page's data"
    assert_objectives_ticked(form, [])
    # The commitments are a searchable multi-select (Tom Select): type, then Enter.
    form.get_by_role("combobox", name=re.compile("Rabat commitments")).fill(COMMITMENT)
    editor.keyboard.press("Enter")
    # static/js/action-form.js selects the objectives the commitment serves.
    assert_objectives_ticked(form, suggested)
    note = form.locator("[data-suggestion-note]")
    expect(note).to_contain_text("Suggested objectives added:")
    assert sorted(int(n) for n in re.findall(r"\d+", note.inner_text())) == suggested
    story.check(editor, "editor-action-form-filled")

    form.get_by_role("button", name="Save the action").click()
    editor.wait_for_url(re.compile(r"/workspace/actions/\d+/$"))
    action_path = re.search(r"/workspace/actions/\d+/$", editor.url).group(0)
    expect(editor.locator("h1")).to_have_text(ACTION_TITLE)
    expect(editor.get_by_text("Action added.")).to_be_visible()
    story.check(editor, "editor-action-detail")

    # --- ... and records progress with a PDF as evidence -----------------------------------
    editor.get_by_role("link", name="Record progress").click()
    editor.wait_for_url(f"**{action_path}progress/new/")
    story.check(editor, "editor-progress-form")

    form = editor.locator("main form")
    form.locator('input[name="date"]').fill("2021-06-15")
    # The cycle list shows titles; 2021-progress is "Progress report to the IPU".
    form.locator('select[name="cycle"]').select_option(
        label=Cycle.objects.get(code="2021-progress").title
    )
    form.locator('select[name="completion"]').select_option("limited")
    form.locator('textarea[name="narrative"]').fill(NARRATIVE)
    form.locator('input[name="files"]').set_input_files(
        [{"name": EVIDENCE_NAME, "mimeType": "application/pdf", "buffer": pdf}]
    )
    form.get_by_label("Anyone may open these files once they are published").check()
    story.check(editor, "editor-progress-form-filled")
    form.get_by_role("button", name="Save the progress update").click()
    editor.wait_for_url(f"**{action_path}")
    expect(editor.get_by_text("Progress recorded.")).to_be_visible()
    evidence = editor.locator(".evidence-list").get_by_role("link", name=EVIDENCE_NAME)
    expect(evidence).to_be_visible()
    download = editor.context.request.get(evidence.get_attribute("href"))
    assert download.status == 200
    assert download.body() == pdf
    story.check(editor, "editor-action-detail-with-evidence")
    story.console(editor, "editor.ma")

    # --- Morocco's focal point submits the returned 2021 report again ----------------------
    focal = open_page()
    sign_in(focal, story, "focal.ma")
    focal.goto("/workspace/submissions/2021-progress/")
    status = focal.locator("header .submission-status")
    expect(status).to_have_text("Returned with comments")
    expect(focal.get_by_text(ACTION_TITLE).first).to_be_visible()
    story.check(focal, "focal-submission-returned")
    focal.get_by_role("button", name="Submit again").click()
    # A confirmation step lists what will be sent before anything goes.
    expect(focal.locator("h1")).to_have_text("Check what you are sending")
    expect(focal.get_by_text(ACTION_TITLE).first).to_be_visible()
    story.check(focal, "focal-submission-confirm")
    focal.get_by_role("button", name="Send it now").click()
    expect(focal.get_by_text("Submitted to the IPU secretariat.")).to_be_visible()
    expect(status).to_have_text("Submitted")
    story.check(focal, "focal-submission-submitted")
    story.console(focal, "focal.ma")

    # --- The secretariat accepts and publishes it -------------------------------------------
    reviewer = open_page()
    sign_in(reviewer, story, "secretariat")
    reviewer.goto("/review/")
    story.check(reviewer, "secretariat-review-queue")
    row = reviewer.get_by_role("row").filter(has_text="Morocco").filter(has_text="2021-progress")
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Review").click()
    reviewer.wait_for_url(re.compile(r"/review/\d+/$"))
    expect(reviewer.locator("h1")).to_contain_text("Morocco")
    expect(reviewer.get_by_text(ACTION_TITLE).first).to_be_visible()
    item = reviewer.locator("article.review-item").filter(has_text=ACTION_TITLE)
    expect(item.locator(".draft-flag")).to_have_text("new")
    expect(item.get_by_text(NARRATIVE)).to_be_visible()
    expect(item.get_by_role("link", name=EVIDENCE_NAME)).to_be_visible()
    # Comment boxes open on demand.
    comment = item.locator("textarea")
    expect(comment).to_be_hidden()
    item.get_by_text("Add a comment").click()
    expect(comment).to_be_visible()
    expect(reviewer.locator(".decision-explained")).to_contain_text("Accepting publishes")
    story.check(reviewer, "secretariat-review-detail")
    reviewer.get_by_label("Accept and publish").check()
    reviewer.get_by_role("button", name="Record the decision").click()
    reviewer.wait_for_url("**/review/")
    expect(reviewer.get_by_text("Accepted: the report is now published.")).to_be_visible()
    story.check(reviewer, "secretariat-review-queue-after-decision")
    story.console(reviewer, "secretariat")

    # --- A visitor reads the new action on Morocco's public page -----------------------------
    visitor = open_page()
    visitor.goto("/parliaments/MA/")
    published = visitor.locator('section[aria-labelledby="actions-title"] table')
    expect(published.get_by_text(ACTION_TITLE)).to_be_visible()
    story.check(visitor, "visitor-public-parliament")
    published.get_by_role("link", name=ACTION_TITLE).click()
    visitor.wait_for_url(re.compile(r"/parliaments/MA/actions/[0-9a-f-]+/$"))
    expect(visitor.locator(".timeline").get_by_text(NARRATIVE)).to_be_visible()
    public_file = visitor.locator(".evidence-list").get_by_role("link", name=EVIDENCE_NAME)
    expect(public_file).to_be_visible()
    assert visitor.context.request.get(public_file.get_attribute("href")).body() == pdf
    story.check(visitor, "visitor-public-action")
    story.console(visitor, "anonymous visitor")

    # --- Mexico's editor cannot see Morocco's draft -------------------------------------------
    other = open_page()
    sign_in(other, story, "editor.mx")
    response = other.goto(action_path)
    assert response.status == 404
    story.check(other, "editor-mx-404", axe=False)
    story.console(
        other,
        "editor.mx",
        allowed=[lambda text, url: text.startswith(NOT_FOUND) and url.endswith(action_path)],
    )

    # --- The 2021 report carries the narrative, in the PDF's text and in the XLSX ------------
    report, _created = report_services.report_request(
        actor=None,
        cycle=Cycle.objects.get(code="2021-progress"),
        scope="parliament",
        parliament=Parliament.objects.get(iso2="MA"),
        language="en",
        formats=["pdf", "xlsx"],
    )
    # Built here, or by the worker the request dispatched to (then this build does nothing).
    report_services.report_build(report.pk)
    deadline = time.monotonic() + 120
    while report.status != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.5)
        report.refresh_from_db()
    assert report.status == "succeeded", report.error
    pdf_file = pypdf.PdfReader(io.BytesIO(report.files.get(format="pdf").file.read()))
    text = " ".join(" ".join(page.extract_text() for page in pdf_file.pages).split())
    assert NARRATIVE in text and EVIDENCE_NAME in text
    book = load_workbook(io.BytesIO(report.files.get(format="xlsx").file.read()))
    narratives = [row[4] for row in book["progress"].iter_rows(min_row=2, values_only=True)]
    assert NARRATIVE in narratives

    story.assert_no_problems()


def assert_objectives_ticked(form, numbers):
    ticked = form.locator('select[name="objectives"]').evaluate(
        "select => Array.from(select.selectedOptions).map(o => parseInt(o.dataset.number, 10))"
    )
    assert sorted(ticked) == sorted(numbers)
