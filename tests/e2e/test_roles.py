"""Issue 15: each demo persona signs in, in a real browser, lands where it works, and finds
its places in the "Your work" band under the site's navigation (the account menu holds
account things only)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_workspace_flow import PASSWORD, Story, sign_in

pytestmark = pytest.mark.e2e

PERSONAS = [
    # username, where it lands, its links in the main navigation, links it must not have
    ("secretariat", "/dashboard/", ["Dashboard", "Review queue", "Cycles"], ["My workspace"]),
    ("editor.ma", "/workspace/", ["My workspace"], ["Dashboard", "Review queue"]),
    ("focal.mx", "/workspace/", ["My workspace"], ["Dashboard", "Review queue"]),
    ("partner", "/accounts/tokens/", ["API guide", "API tokens"], ["My workspace", "Dashboard"]),
]


@pytest.mark.parametrize("username, lands_on, has, has_not", PERSONAS)
def test_each_persona_lands_where_it_works(open_page, demo_data, username, lands_on, has, has_not):
    story = Story()
    page = open_page()
    page.goto("/objectives/7/")  # signing in from a public page: no `next` in the header link
    page.get_by_role("link", name="Sign in", exact=True).click()
    sign_in(page, story, username)
    page.mouse.move(5, 700)  # off the header: no hover transition while axe reads colours
    expect(page).to_have_url(re.compile(re.escape(lands_on) + "$"))
    work = page.get_by_role("navigation", name="Your work")
    for name in has:
        expect(work.get_by_role("link", name=re.compile(name))).to_be_visible()
    for name in has_not:
        expect(work.get_by_role("link", name=re.compile(name))).to_have_count(0)
    story.check(page, f"landing-{username}")
    story.console(page, username)

    # On a phone the same places stay in view, under the site's menu button.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # the page marks its scrolling tables after a resize
    expect(work.get_by_role("link", name=re.compile(has[0]))).to_be_visible()
    story.check(page, f"landing-{username}-phone")
    story.assert_no_problems()


def test_a_next_parameter_still_wins(open_page, demo_data):
    page = open_page()
    page.goto("/review/")  # the secretariat's page, reached signed out: next=/review/
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    form = page.locator("main form")
    form.locator('input[name="username"]').fill("secretariat")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/review/$"))


def test_the_review_button_is_in_view_on_a_phone(open_page, demo_data):
    """Issue 15: at 390 px the queue's table scrolls sideways, but the way into each
    submission stays in its first column, in view."""
    page = open_page()
    sign_in(page, Story(), "secretariat")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/review/")
    buttons = page.locator("table.review-queue tbody").get_by_role(
        "link", name=re.compile("^Review")
    )
    assert buttons.count() >= 1
    for index in range(buttons.count()):
        button = buttons.nth(index)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
