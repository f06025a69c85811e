"""Issue 18 in a real browser: a partner follows Mexico from its page; Mexico publishes an
action; the header counts the new notification, the notifications page lists it, and
"Mark all as read" clears the count. The pages are checked with axe-core and must log no
console error."""

import re

import pytest
from playwright.sync_api import expect

from commitments.models import Cycle
from parliaments import services
from parliaments.following import services as following
from parliaments.following.models import Follow, Notification
from parliaments.models import Action, Parliament
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.test_ratification_walk import sign_in
from tests.factories import ActionFactory

pytestmark = pytest.mark.e2e

TITLE = "Hearing on the protection of migrant children (e2e)"


def test_a_partner_follows_a_parliament_and_reads_what_it_published(open_page, demo_data):
    mexico = Parliament.objects.get(iso2="MX")
    page = open_page()
    sign_in(page, "partner")
    page.goto("/parliaments/MX/")
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_text("You follow Mexico")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Following"))).to_be_visible()
    assert Follow.objects.filter(user__username="partner", parliament=mexico).exists()
    assert_no_serious_violations(page)

    # Mexico publishes a new action (as an acceptance does); the followers are notified.
    following.notify(limit=10**6)
    plan = Action.objects.drafts().filter(parliament=mexico).first().plan
    ActionFactory(plan=plan, title=TITLE)
    services.publish_parliament(mexico, Cycle.objects.get(code="2019-plan"))
    assert following.notify() >= 1

    page.goto("/parliaments/")
    unread = Notification.objects.filter(user__username="partner", read_at=None).count()
    expect(page.locator("[data-unread-count]")).to_have_text(re.compile(rf"^{unread}\b"))
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    item = page.locator("#notifications li", has_text=TITLE)
    expect(item).to_contain_text("Action published")
    expect(item).to_contain_text("Mexico")
    assert_no_serious_violations(page)
    item.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    page.goto("/accounts/notifications/")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("marked as read")).to_be_visible()
    expect(page.locator("[data-unread-count]")).to_have_count(0)

    # What one follows, and the digest's frequency, on their own page.
    page.goto("/accounts/following/")
    expect(page.locator(".follow-list")).to_contain_text("Mexico")
    page.get_by_label("Daily").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your email digest is saved.")).to_be_visible()
    assert_no_serious_violations(page)
    assert page.console_errors == [], page.console_errors
