"""Every page with charts, the API docs and the admin work under the strict Content
Security Policy: no inline script or style is allowed, nothing is evaluated from strings
(Vega draws through its CSP-safe expression interpreter), and the browser reports no
violation."""

import pytest

pytestmark = pytest.mark.e2e

CHART_PAGES = [
    "/dashboard/",
    "/dashboard/coverage/",
    "/dashboard/objectives/7/",
    "/dashboard/commitments/R7a.1/",
    "/dashboard/regions/americas/",
    "/dashboard/parliaments/ma/",
    "/progress/",
]
OTHER_PAGES = [
    "/",
    "/parliaments/",
    "/actions/",
    "/reports/",
    "/workspace/",
    "/review/",
    "/accounts/tokens/",
    "/admin/",
    "/admin/parliaments/parliament/",
    "/admin/parliaments/parliament/add/",
    "/admin/axes/accessattempt/",
]

# Record every violation the browser reports, before any script of the page runs.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile
    + ":" + event.lineNumber
  );
});
"""


def _directives(header):
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def _assert_strict_policy(response, url):
    header = response.headers.get("content-security-policy")
    assert header, f"{url} has no Content-Security-Policy"
    policy = _directives(header)
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy.get(directive, []), (url, header)
        assert "'unsafe-eval'" not in policy.get(directive, []), (url, header)


def _sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "rabat-2018-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _open(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    _assert_strict_policy(response, url)
    return response


def _violations(page):
    return page.evaluate("window.__cspViolations || []")


def test_every_chart_draws_under_the_content_security_policy(open_page, demo_data):
    page = open_page()
    page.add_init_script(WATCH_VIOLATIONS)
    _sign_in(page, "secretariat")
    problems = []
    for url in CHART_PAGES:
        _open(page, url)
        charts = page.locator("[data-vega-chart]")
        assert charts.count() > 0, url
        page.wait_for_function(
            "[...document.querySelectorAll('[data-vega-chart]')]"
            ".every(chart => chart.dataset.rendered)",
            timeout=20000,
        )
        for index in range(charts.count()):
            chart = charts.nth(index)
            assert chart.get_attribute("data-rendered") == "true", (url, index)
            assert chart.locator("svg path, svg rect, svg line").count() > 0, (url, index)
        if url in ("/dashboard/", "/progress/"):
            assert page.locator('[data-vega-chart="map"] svg path').count() > 100, url
        problems += [(url, violation) for violation in _violations(page)]
    assert problems == []
    assert page.console_errors == []


def test_pages_forms_and_admin_work_under_the_content_security_policy(open_page, demo_data):
    page = open_page()
    page.add_init_script(WATCH_VIOLATIONS)
    _sign_in(page, "secretariat")
    problems = []
    for url in OTHER_PAGES:
        _open(page, url)
        page.wait_for_load_state("networkidle")
        problems += [(url, violation) for violation in _violations(page)]
    # The editor's action form (its script shows and hides fields) and the token page.
    editor = open_page()
    editor.add_init_script(WATCH_VIOLATIONS)
    _sign_in(editor, "editor.ma")
    for url in ("/workspace/actions/new/", "/workspace/actions/"):
        _open(editor, url)
        editor.wait_for_load_state("networkidle")
        problems += [(url, violation) for violation in _violations(editor)]
    assert problems == []
    # The admin's pages link no icon, so the browser asks for /favicon.ico: not our concern.
    errors = [
        error
        for error in page.console_errors + editor.console_errors
        if not error[1].endswith("/favicon.ico")
    ]
    assert errors == []


def test_api_docs_work_under_the_content_security_policy(open_page, reference_data):
    page = open_page()
    page.add_init_script(WATCH_VIOLATIONS)
    _open(page, "/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=20000)
    assert page.locator(".swagger-ui .opblock").count() > 10
    assert _violations(page) == []
    assert page.console_errors == []
