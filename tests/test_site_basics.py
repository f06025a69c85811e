"""Issue 15, small things: a refused request (403) logs one line, not tracebacks; the
favicon answers at /favicon.ico."""

import io
import logging

import pytest

from compact_tracker.log_filters import OneLineForRefusals
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_refusal_logs_one_line_without_a_traceback(client):
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, OneLineForRefusals) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.force_login(make_user("editor.ma", "editor", "MA"))
        assert client.get("/cycles/").status_code == 403  # the secretariat's page
    finally:
        handler.setStream(previous)
    lines = [line for line in stream.getvalue().splitlines() if "/cycles/" in line]
    assert len(lines) == 1 and "Forbidden" in lines[0], stream.getvalue()
    assert "Traceback" not in stream.getvalue()


def test_the_favicon_is_at_the_address_browsers_ask_for(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    from django.contrib.staticfiles import finders

    assert finders.find("img/favicon.svg")


def test_the_embedded_default_does_not_warn_about_its_in_memory_broker(tmp_path):
    """kombu's "No hostname was supplied" at every task of the embedded mode."""
    import subprocess
    import sys

    env = {k: v for k, v in __import__("os").environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'compact_tracker.settings'); django.setup(); from reports import tasks; "
        "tasks.repair_figures.delay()"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    # The task itself fails on the empty database; what matters is what kombu said first.
    assert "No hostname" not in result.stderr + result.stdout


def test_one_date_format_per_language_everywhere():
    """Issue 15: "20 Nov 2019" in English, "18 juil. 2019" in French (never "Jui"), a
    moment with its zone; no template or module builds its own day format."""
    import datetime
    import re
    from pathlib import Path

    from django.utils import formats, translation

    day = datetime.date(2019, 7, 18)
    moment = datetime.datetime(2026, 12, 1, 14, 30, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert formats.date_format(day) == "18 Jul 2019"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "1 Dec 2026, 14:30 UTC"
    with translation.override("fr"):
        assert formats.date_format(day) == "18 juil. 2019"
        assert formats.date_format(datetime.date(2019, 6, 18)) == "18 juin 2019"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "1 déc. 2026, 14:30 UTC"
    root = Path(__file__).resolve().parents[1]
    allowed = {"DATETIME_FORMAT", "F Y", "Y"}  # a moment; a month-precision date; a year
    for path in [*root.glob("templates/**/*.html"), *root.glob("templates/**/*.txt")]:
        for used in re.findall(r'\|date:"([^"]*)"', path.read_text()):
            assert used in allowed, f'{path.relative_to(root)}: |date:"{used}"'
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        assert not re.search(r'date_format\([^)]*"j ', path.read_text()), path
