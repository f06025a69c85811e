"""Every interface catalogue (French, Spanish, Arabic) is complete and its compiled .mo
matches the .po."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.fixture
def msgfmt():
    path = shutil.which("msgfmt")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt (gettext) is missing")
        pytest.skip("msgfmt (gettext) is not installed")
    return path


def test_every_interface_language_has_a_catalogue():
    assert LANGUAGES == ["fr", "es", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_compiled(msgfmt, tmp_path, language):
    locale = ROOT / "locale" / language / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [msgfmt, "--check", "--statistics", "-o", str(compiled), str(locale / "django.po")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert compiled.read_bytes() == (locale / "django.mo").read_bytes(), (
        "django.mo is stale: run `make messages`"
    )


def test_french_strings_put_a_no_break_space_before_double_punctuation():
    """French typography: "Période : 2020", with U+00A0 before ":", ";", "?" and "!" (an
    ordinary space lets the line break before the colon), outside code samples."""
    import re

    text = (ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    msgstrs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$((?:\n".*")*)', text, flags=re.M)
    wrong = []
    for first, rest in msgstrs:
        value = first + "".join(re.findall(r'"(.*)"', rest))
        if value.startswith("Project-Id-Version"):
            continue  # the catalogue's header
        value = re.sub(r"<code>.*?</code>", "", value)
        if re.search(r"\w[:;?!](?:\s|$)", value) or re.search(r" [:;?!]", value):
            wrong.append(value[:80])
    assert not wrong, wrong[:5]
