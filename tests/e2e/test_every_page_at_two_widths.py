"""Issue 15: every page at 390 px and at 1366 px, for a visitor, a parliament's editor and the
secretariat: nothing sticks out of the viewport, except inside a scroll region that is
labelled and reachable with the keyboard (a wide table; see static/js/app.js), and axe-core
finds no serious or critical violation.

The pages are every named route of the site, with values from the demo data (the same walk
as tests/reports/test_chart_tables.py)."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.test_workspace_flow import PASSWORD
from tests.reports.test_chart_tables import _urls

pytestmark = pytest.mark.e2e

OVERFLOW = r"""() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    if (el.ownerSVGElement) continue;  // a chart's shapes: its <svg> clips them
    const exempt = "[role=region][tabindex], .visually-hidden, .visually-hidden-focusable";
    if (el.closest(exempt)) continue;
    if (getComputedStyle(el).position === "fixed") continue;
    const classes = typeof el.className === "string" ? el.className.trim() : "";
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (classes ? "." + classes.split(/\s+/).join(".") : "");
    out.push(name + " (right edge " + Math.round(box.right) + " px)");
  }
  return {scroll: document.documentElement.scrollWidth, width: width, out: out.slice(0, 4)};
}"""


def _signed_in(open_page, username, width):
    page = open_page()
    page.set_viewport_size({"width": width, "height": 844})
    if username:
        page.goto("/accounts/login/")
        form = page.locator("main form")
        form.locator('input[name="username"]').fill(username)
        form.locator('input[name="password"]').fill(PASSWORD)
        form.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    return page


@pytest.mark.parametrize("width", [390, 1366])
def test_no_page_overflows_outside_a_labelled_scroll_region_and_axe_is_clean(
    open_page, demo_data, width
):
    urls = sorted({url for _name, url in _urls()})
    problems, visited = [], 0
    for username in (None, "editor.ma", "secretariat"):
        page = _signed_in(open_page, username, width)
        for url in urls:
            if url.startswith("/accounts/logout"):
                continue  # would sign out (a POST); GET answers 405
            try:
                response = page.goto(url)
            except PlaywrightError:  # a download, not a page
                continue
            if response is None or response.status != 200:
                continue
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            visited += 1
            page.wait_for_timeout(50)
            found = page.evaluate(OVERFLOW)
            if found["scroll"] > found["width"] + 1 or found["out"]:
                problems.append(f"{username or 'visitor'} {url}: {found}")
            try:
                assert_no_serious_violations(page)
            except AssertionError as error:
                problems.append(f"{username or 'visitor'} {url} (axe at {width} px): {error}")
    assert visited >= 3 * 20, f"only {visited} pages walked"
    assert not problems, "\n".join(problems)
