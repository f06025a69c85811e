"""Two people edit the same action in two browsers (issue 11, defect 1).

Morocco's editor (tab A) and focal point (tab B) open the action's edit page at the same
version. A changes the target date and saves; B changes the title and saves: both stand.
Then both change the responsible body: B gets the conflict page (when B opened it, theirs,
yours, side by side), chooses, saves; the chosen value stands and A's other changes too.
Screenshots of the conflict page at 1366 and 390 px go to /tmp (E2E_SCREENSHOTS).
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from parliaments.models import Action, ActionType
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.test_workspace_flow import sign_in

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp"))
TARGET = datetime.date(2030, 6, 30)


def _edit(page, action):
    page.goto(f"/workspace/actions/{action.pk}/edit/")
    return page.locator("form.action-form")


def _save(form):
    form.get_by_role("button", name="Save the action").click()


def test_two_people_editing_one_action_keep_each_others_changes(open_page, demo_data):
    action = (
        Action.objects.drafts()
        .filter(parliament__iso2="MA")
        .exclude(action_type=ActionType.RATIFICATION)
        .order_by("created_at")
        .first()
    )
    tab_a, tab_b = open_page(), open_page()
    sign_in(tab_a, None, "editor.ma")
    sign_in(tab_b, None, "focal.ma")

    # --- Different fields: both stand ---------------------------------------------------------
    form_a, form_b = _edit(tab_a, action), _edit(tab_b, action)
    form_a.locator('input[name="target_date"]').fill(TARGET.isoformat())
    _save(form_a)
    expect(tab_a.get_by_text("Action saved.")).to_be_visible()

    new_title = f"{action.title} (renamed by the focal point)"
    form_b.locator('input[name="title"]').fill(new_title)
    _save(form_b)
    tab_b.wait_for_url(re.compile(rf"/workspace/actions/{action.pk}/$"))
    expect(
        tab_b.get_by_text(re.compile(r"Saved\. Meanwhile .* changed Target date; their changes"))
    ).to_be_visible()
    action.refresh_from_db()
    assert (action.title, action.target_date) == (new_title, TARGET)

    # --- The same field: B chooses on the conflict page --------------------------------------
    opened_body = action.responsible_body
    form_a, form_b = _edit(tab_a, action), _edit(tab_b, action)
    form_a.locator('input[name="responsible_body"]').fill("Committee on foreign affairs")
    form_a.locator('select[name="completion"]').select_option("complete")
    _save(form_a)
    expect(tab_a.get_by_text("Action saved.")).to_be_visible()

    form_b.locator('input[name="responsible_body"]').fill("Committee on migration")
    _save(form_b)
    expect(tab_b.get_by_text("Not saved yet")).to_be_visible()
    panel = tab_b.locator("#conflict-keep_responsible_body")
    expect(panel.get_by_role("heading", name="When you opened it")).to_be_visible()
    expect(panel.get_by_role("heading", name=re.compile(r"^Theirs \("))).to_be_visible()
    expect(panel.get_by_role("heading", name="Yours")).to_be_visible()
    expect(panel.locator(".conflict-theirs")).to_contain_text("Committee on foreign affairs")
    expect(panel.locator(".conflict-yours")).to_contain_text("Committee on migration")
    expect(panel.locator(".conflict-base")).to_contain_text(opened_body or "—")
    # Only A changed the completion: the form already holds A's value.
    expect(tab_b.locator('select[name="completion"]')).to_have_value("complete")
    for width in (1366, 390):
        tab_b.set_viewport_size({"width": width, "height": 900})
        tab_b.screenshot(path=SHOTS / f"merge1-conflict-{width}.png", full_page=True)
        assert tab_b.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_serious_violations(tab_b)

    # Saving without a choice is refused with the error on the choice.
    _save(tab_b.locator("form.action-form"))
    expect(tab_b.get_by_text("Choose which version to keep.").first).to_be_visible()
    action.refresh_from_db()
    assert action.responsible_body == "Committee on foreign affairs"

    tab_b.get_by_label("Keep yours (as in the form)").check()
    _save(tab_b.locator("form.action-form"))
    tab_b.wait_for_url(re.compile(rf"/workspace/actions/{action.pk}/$"))
    expect(tab_b.get_by_text("Action saved.")).to_be_visible()
    action.refresh_from_db()
    assert (action.responsible_body, action.completion, action.target_date, action.title) == (
        "Committee on migration",
        "complete",
        TARGET,
        new_title,
    )
    assert not tab_a.console_errors and not tab_b.console_errors
