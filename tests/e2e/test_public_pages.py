import pytest

pytestmark = pytest.mark.e2e


def test_visitor_reads_home_follows_a_commitment_and_switches_to_french(page):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Compact Tracker"
    assert page.locator(".objective-list li").count() == 23

    page.get_by_role("link", name="R7a.1", exact=True).click()
    page.wait_for_url("**/commitments/R7a.1/")
    assert "Ratify and implement human rights treaties" in page.locator("h1").inner_text()
    instruments = page.locator("section[aria-labelledby=instruments-title]")
    assert instruments.get_by_role("cell", name="ICRMW").is_visible()

    page.get_by_role("button", name="Français").click()
    page.wait_for_url("**/commitments/R7a.1/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Objectifs du Pacte servis").is_visible()
    assert page.console_problems == []


def test_skip_link_moves_focus_to_main_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_menu_collapses_on_a_phone_and_opens_on_demand(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    objectives_link = page.get_by_role("link", name="Parliaments", exact=True)
    assert not objectives_link.is_visible()
    page.get_by_role("button", name="Show or hide the menu").click()
    objectives_link.wait_for(state="visible")
    # Tables scroll inside their container: the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.console_problems == []
