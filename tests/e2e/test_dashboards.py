"""The secretariat opens every dashboard in Chromium: charts and the map are drawn (SVG
with marks), axe-core finds no serious or critical violation, screenshots are saved."""

from pathlib import Path

import pytest

from tests.e2e.axe import assert_no_serious_violations

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"

DASHBOARDS = [
    ("overview", "/dashboard/"),
    ("coverage", "/dashboard/coverage/"),
    ("objective", "/dashboard/objectives/7/"),
    ("commitment", "/dashboard/commitments/R7a.1/"),
    ("region", "/dashboard/regions/americas/"),
    ("parliament", "/dashboard/parliaments/ma/"),
    ("public-summary", "/progress/"),
]


def test_secretariat_reads_every_dashboard(open_page, demo_data):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "rabat-2018-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/review/")

    for name, url in DASHBOARDS:
        response = page.goto(url)
        assert response.status == 200, url
        charts = page.locator("[data-vega-chart]:visible")
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.locator("svg").first.wait_for(timeout=15000)
            marks = chart.locator("svg path, svg rect, svg line")
            assert marks.count() > 0, (url, index)
        page.screenshot(path=SCREENSHOTS / f"dashboard-{name}.png", full_page=True)
        assert_no_serious_violations(page)
    if name == "overview":
        assert page.locator('[data-vega-chart="map"] svg path').count() > 100
    assert page.console_errors == []
