"""Issue 18 in a real browser: a partner's page on another origin runs the API guide's
fetch() example against the live server, draws its chart from
/api/v1/actions/?format=csv, and cannot write: Chromium refuses the cross-origin POST
(no Access-Control-Allow-Origin on its preflight)."""

import functools
import html
import http.server
import re
import threading
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def partner_site(tmp_path):
    """A second origin: a plain static server on its own port."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _guide_example(live_server):
    """The guide's "From your own web page" example, as the guide shows it."""
    page = urllib.request.urlopen(f"{live_server.url}/api/").read().decode()  # noqa: S310
    section = page[page.index('id="from-a-web-page"') :]
    code = re.search(r"<pre class=\"code-block\"><code>(.*?)</code></pre>", section, re.S)
    return html.unescape(code.group(1))


def test_a_partner_page_draws_a_chart_from_the_api_and_cannot_write(
    open_page, live_server, demo_data, partner_site
):
    from parliaments.models import Action

    folder, origin = partner_site
    assert origin.split(":")[-1] not in live_server.url  # another origin
    example = _guide_example(live_server)
    assert f"{live_server.url}/api/v1/actions/?format=csv" in example
    write = (
        '<script type="module">'
        f"try {{ await fetch('{live_server.url}/api/v1/actions/', {{method: 'POST', "
        "headers: {'Content-Type': 'application/json'}, body: '{}'}); "
        "document.body.dataset.write = 'answered'; } "
        "catch (error) { document.body.dataset.write = 'refused'; }</script>"
    )
    (folder / "index.html").write_text(f"<!doctype html><body>{example}{write}</body>")

    page = open_page()
    page.goto(f"{origin}/index.html")
    page.wait_for_function("document.body.dataset.write !== undefined")
    assert page.evaluate("document.body.dataset.write") == "refused"
    page.wait_for_selector("#chart div")
    shown = dict(
        re.match(r"(\S+)\s+(\d+)$", line.replace("\xa0", " ").strip()).groups()
        for line in page.locator("#chart div").all_inner_texts()
    )
    published = Action.objects.published()
    expected = {}
    for kind in published.values_list("action_type", flat=True)[:500]:
        expected[kind] = expected.get(kind, 0) + 1
    assert {name: int(n) for name, n in shown.items()} == expected
