"""A reporting cycle opened in the browser (issue 14), in a real browser:

the secretariat opens a cycle for Morocco and Senegal from "Cycles"; 30 days
before its due date the reminders reach their focal points (and no one else); Morocco's
focal point finds it due in the workspace and submits; the secretariat accepts it and
requests the cycle's report from the cycle list, which the worker builds and which counts
the two parliaments listed.

Pages are checked with axe-core and for console errors, as in the workspace story.
"""

import datetime
import json
import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from commitments.models import Commitment, Cycle
from parliaments import services
from parliaments.models import Submission
from reports import services as report_services
from reports.models import Report
from tests.e2e.test_workspace_flow import Story, sign_in

pytestmark = pytest.mark.e2e

CODE = "2028-regional"
TITLE = "Regional progress report (e2e)"


def test_a_cycle_opened_in_the_browser_gets_its_reminders_and_its_report(open_page, demo_data):
    story = Story()
    due = timezone.localdate() + datetime.timedelta(days=30)

    # --- The secretariat opens the cycle -----------------------------------------------------
    secretariat = open_page()
    sign_in(secretariat, story, "secretariat")
    secretariat.get_by_role("navigation", name="Your work").get_by_role(
        "link", name="Cycles"
    ).click()
    secretariat.wait_for_url("**/cycles/")
    story.check(secretariat, "cycles-list")
    secretariat.get_by_role("link", name="Open a cycle").click()
    secretariat.wait_for_url("**/cycles/new/")
    form = secretariat.locator("main form")
    form.locator('input[name="code"]').fill(CODE)
    form.locator('input[name="title"]').fill(TITLE)
    form.locator('input[name="title_fr"]').fill("Rapport d’étape régional (e2e)")
    form.locator('select[name="kind"]').select_option("progress")
    form.locator('input[name="due_date"]').fill(due.isoformat())
    form.locator('select[name="commitment"]').select_option(
        str(Commitment.objects.get(code="R8.2").pk)
    )
    expect(form.get_by_label("Morocco")).to_be_hidden()  # only for a listed cycle
    form.get_by_label("The parliaments listed").check()
    form.get_by_label("Morocco").check()
    form.get_by_label("Senegal").check()
    story.check(secretariat, "cycle-form")
    form.get_by_role("button", name="Open the cycle").click()
    secretariat.wait_for_url("**/cycles/")
    row = secretariat.locator(f"#cycle-{CODE}")
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("0 of 2 answered")
    expect(row).to_contain_text("Chosen by the IPU secretariat")
    cycle = Cycle.objects.get(code=CODE)
    assert (cycle.reporters, cycle.due_date, cycle.commitment.code) == ("listed", due, "R8.2")

    # --- Reminders, 30 days before: Morocco's and Senegal's focal points only -----------------
    mail.outbox.clear()
    report_services.reminders_send(today=due - datetime.timedelta(days=30))
    about = [message for message in mail.outbox if TITLE in message.subject]
    recipients = {address for message in about for address in message.to}
    assert "focal.ma@demo.compact-tracker.invalid" in recipients
    assert recipients <= {
        "focal.ma@demo.compact-tracker.invalid",
        "focal.sn@demo.compact-tracker.invalid",
    }, recipients
    assert all("due in 30 days" in message.subject for message in about)

    # --- Morocco's focal point finds it due and submits ---------------------------------------
    focal = open_page()
    sign_in(focal, story, "focal.ma")
    focal.goto("/workspace/")
    expect(focal.locator("main")).to_contain_text(TITLE)
    story.check(focal, "workspace-with-new-cycle")
    focal.goto(f"/workspace/submissions/{CODE}/")
    focal.get_by_role("button", name="Submit to the IPU").click()
    focal.get_by_role("button", name="Send it now").click()
    expect(focal.locator("main")).to_contain_text("Submitted to the IPU secretariat")
    submission = Submission.objects.get(parliament__iso2="MA", cycle=cycle)
    assert submission.status == "submitted"
    story.console(focal, "focal.ma")

    # --- The secretariat accepts it and requests the cycle's report from the list ------------
    services.submission_accept(actor=_user("secretariat"), submission=submission)
    secretariat.goto("/cycles/")
    expect(secretariat.locator(f"#cycle-{CODE}")).to_contain_text("1 of 2 answered")
    secretariat.locator(f"#cycle-{CODE}").get_by_role("link", name=re.compile("^Report")).click()
    secretariat.wait_for_url(re.compile(r"/reports/\?cycle="))
    request = secretariat.locator("main form").last
    expect(request.get_by_label("Cycle")).to_have_value(CODE)
    for other in ("PDF", "XLSX", "CSV (zip)", "HTML"):
        request.get_by_label(other, exact=True).uncheck()
    request.get_by_label("JSON", exact=True).check()
    request.get_by_role("button", name="Build the report").click()
    report = Report.objects.filter(cycle=cycle).latest("created_at")
    deadline = time.monotonic() + 120
    while report.status != "succeeded" and time.monotonic() < deadline:
        time.sleep(0.5)
        report.refresh_from_db()
    assert report.status == "succeeded", report.error
    data = json.loads(report.files.get(format="json").file.read())
    assert data["summary"]["report_compliance"] == {"on_time": 1, "late": 0, "none": 1}
    story.check(secretariat, "cycle-report")
    story.console(secretariat, "secretariat")
    story.assert_no_problems()


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
