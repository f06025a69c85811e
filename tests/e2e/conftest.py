"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Without Chromium on the machine these tests skip, except in CI (CI=true), where a missing
browser is a failure.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, reference_data):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.console_problems = []
    page.on(
        "console",
        lambda message: (
            page.console_problems.append(message.text)
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: page.console_problems.append(str(error)))
    yield page
    context.close()


# --- The workspace story: demo accounts, one browser context per person.


@pytest.fixture
def demo_data(reference_data):
    """The embedded demo (parliaments, plans, actions, submissions in every state) and its
    accounts: editor.ma, focal.ma, editor.mx, focal.mx, secretariat, partner."""
    from parliaments.demo import seed_demo

    assert seed_demo()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded evidence goes to a throwaway folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def open_page(browser, live_server):
    """Open a page in a new browser context (its own cookies: one person each). Each page
    collects its console errors and uncaught exceptions in `page.console_errors`, as
    (text, url) pairs."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: (
                page.console_errors.append((message.text, message.location.get("url", "")))
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: page.console_errors.append((str(error), page.url)))
        return page

    yield open_page
    for context in contexts:
        context.close()
