"""The secretariat opens every dashboard in Chromium: charts and the map are drawn (SVG
with marks), axe-core finds no serious or critical violation, screenshots are saved."""

from pathlib import Path

import pytest

from tests.e2e.axe import assert_no_serious_violations

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"

# (name, url, charts drawn at the least: visible ones; the coverage charts are folded)
DASHBOARDS = [
    ("overview", "/dashboard/", 6),
    ("coverage", "/dashboard/coverage/", 0),
    ("objective", "/dashboard/objectives/7/", 2),
    ("commitment", "/dashboard/commitments/R7a.1/", 1),
    ("region", "/dashboard/regions/americas/", 6),
    ("parliament", "/dashboard/parliaments/ma/", 1),
    ("public-summary", "/progress/", 6),
]


def test_secretariat_reads_every_dashboard(open_page, demo_data):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "rabat-2018-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dashboard/")  # the secretariat lands on the overview

    for name, url, least in DASHBOARDS:
        response = page.goto(url)
        assert response.status == 200, url
        charts = page.locator("[data-vega-chart]:visible")
        assert charts.count() >= least, (url, charts.count())
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.locator("svg").first.wait_for(timeout=15000)
            marks = chart.locator("svg path, svg rect, svg line")
            assert marks.count() > 0, (url, index)
        page.screenshot(path=SCREENSHOTS / f"dashboard-{name}.png", full_page=True)
        assert_no_serious_violations(page)
        if name in ("overview", "public-summary"):
            assert page.locator('[data-vega-chart="map"] svg path').count() > 100, url
    assert page.console_errors == []
