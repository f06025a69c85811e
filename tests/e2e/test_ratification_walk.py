"""Issue 17 in a real browser: Morocco's editor reports that the state ratified the
Violence and Harassment Convention (C190), naming the action of its plan that led there;
the secretariat checks it from the review queue and verifies it; the matrix and the R7a.1
pages then show Morocco as party since 2024, and the action is credited with it.

The new pages are checked with axe-core and must log no console error."""

import re

import pytest
from playwright.sync_api import expect

from commitments.models import Instrument
from parliaments.models import Action, Parliament
from parliaments.ratifications.models import RatificationProposal
from tests.e2e.axe import assert_no_serious_violations
from tests.factories import ActionFactory

pytestmark = pytest.mark.e2e

PASSWORD = "rabat-2018-demo"
ACTION_TITLE = "Ratify the Violence and Harassment Convention (e2e)"
SOURCE = (
    "https://normlex.ilo.org/dyn/nrmlx_en/f?p=NORMLEXPUB:11300:0::NO::P11300_INSTRUMENT_ID:3999810"
)


def sign_in(page, username):
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def test_a_parliament_reports_an_accession_and_the_secretariat_verifies_it(open_page, demo_data):
    morocco = Parliament.objects.get(iso2="MA")
    plan = Action.objects.drafts().filter(parliament=morocco).first().plan
    action = ActionFactory(
        plan=plan,
        title=ACTION_TITLE,
        action_type="ratification",
        instrument=Instrument.objects.get(code="C190"),
        links="R7a.1",
    )

    # Morocco's editor reports the ratification from the workspace.
    editor = open_page()
    sign_in(editor, "editor.ma")
    editor.get_by_role("link", name="Treaty status").first.click()
    expect(editor.get_by_role("heading", name="Treaty status")).to_be_visible()
    assert_no_serious_violations(editor)
    editor.locator("#instrument-C190").get_by_role("link", name="Report a change").click()
    # The instrument and the parliament's only C190 ratification action are chosen.
    expect(editor.get_by_label("Instrument")).to_have_value(
        str(Instrument.objects.get(code="C190").pk)
    )
    expect(editor.get_by_label("Your ratification action")).to_have_value(str(action.pk))
    editor.get_by_label("The state is now").select_option("party")
    editor.get_by_label("Date", exact=True).fill("2024-05-03")
    editor.get_by_label("What the date is").select_option("ratification")
    # A source that is not a link is refused with the field's error; nothing is sent.
    editor.get_by_label("Source").fill("the official journal")
    editor.get_by_role("button", name="Send to the secretariat").click()
    expect(
        editor.locator("#id_source").locator("..").get_by_text("Enter a valid URL.")
    ).to_be_visible()
    assert not RatificationProposal.objects.exists()
    assert_no_serious_violations(editor)
    editor.get_by_label("Source").fill(SOURCE)
    editor.get_by_role("button", name="Send to the secretariat").click()
    expect(editor.get_by_text("was sent to the IPU secretariat")).to_be_visible()
    expect(editor.locator("#instrument-C190")).to_contain_text("waiting for verification")

    # The secretariat checks it from the review queue and verifies it.
    secretariat = open_page()
    sign_in(secretariat, "secretariat")
    secretariat.goto("/review/")
    reports = secretariat.locator("#treaty-reports")
    expect(reports).to_contain_text("Morocco")
    reports.get_by_role("link", name=re.compile("Check")).click()
    expect(secretariat.get_by_role("heading", name="Morocco · C190")).to_be_visible()
    expect(secretariat.get_by_text(SOURCE)).to_be_visible()
    assert_no_serious_violations(secretariat)
    secretariat.get_by_role("button", name="Verify and record").click()
    expect(
        secretariat.get_by_text("Verified: Morocco is recorded as party for C190.")
    ).to_be_visible()

    # The matrix shows it, in words and with the year.
    secretariat.goto("/ratifications/?country=Morocco")
    row = secretariat.locator("#table-ratifications tbody tr", has_text="Morocco")
    headers = secretariat.locator("#table-ratifications thead th").all_inner_texts()
    cell = row.locator("td").nth(headers.index("C190") - 1)
    expect(cell).to_have_text(re.compile(r"Party\s+2024"))

    # The R7a.1 dashboard credits the action; the public page lists Morocco among the
    # states that joined since Rabat (the action is not published yet).
    secretariat.goto("/dashboard/commitments/R7a.1/")
    joined = secretariat.locator("#table-joined tbody tr", has_text="Morocco").filter(
        has_text="C190"
    )
    expect(joined).to_contain_text("Credited")
    expect(joined).to_contain_text(ACTION_TITLE)
    visitor = open_page()
    visitor.goto("/commitments/R7a.1/")
    joined = visitor.locator("#table-joined tbody tr", has_text="Morocco").filter(has_text="C190")
    expect(joined).to_contain_text("C190")
    expect(joined).not_to_contain_text(ACTION_TITLE)

    # The action's page says what it led to.
    editor.goto(f"/workspace/actions/{action.pk}/")
    expect(editor.locator(".credit-fact")).to_contain_text("Credited")
    expect(editor.locator(".credit-fact")).to_contain_text("C190: party")

    for page in (editor, secretariat, visitor):
        assert page.console_errors == [], page.console_errors
