"""Issue 16: in French, Spanish and Arabic, a browser walk of the public pages and of a
parliament editor's workspace finds no English data string where the reference data
has a translation: objective and commitment titles, instrument names, country names, and
a parliament's own text that it also gave in the reader's language.
Text marked with another language (a parliament's own English text: lang="en") is the
parliament's words, shown as written, and is left out of the search."""

import re

import pytest

from commitments.models import Commitment, Instrument, Objective
from parliaments.models import Action, Parliament, PlanOfAction, ProgressUpdate
from tests.e2e.test_workspace_flow import PASSWORD

pytestmark = pytest.mark.e2e

PUBLIC_PAGES = [
    "/",
    "/objectives/7/",
    "/objectives/17/",
    "/commitments/R7a.1/",
    "/commitments/R8.1/",
    "/parliaments/",
    "/parliaments/ma/",
    "/parliaments/mx/",
    "/actions/",
    "/progress/",
]
WORKSPACE_PAGES = ["/workspace/", "/workspace/actions/", "/workspace/actions/new/"]

# The page's visible text, and option labels, without text marked as another language.
PAGE_TEXT = """() => {
  const lang = document.documentElement.lang;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!element || element.closest("script, style, template")) continue;
    const marked = element.closest("[lang]");
    if (marked && marked.lang !== lang) continue;
    out.push(walker.currentNode.textContent);
  }
  return out.join("\\n");
}"""


def english_with_translation(language):
    """English strings of the reference data that have a translation in `language`."""
    strings = set()
    for objective in Objective.objects.all():
        if getattr(objective, f"title_{language}", ""):
            strings.add(objective.title)
    for commitment in Commitment.objects.all():
        if getattr(commitment, f"title_{language}", ""):
            strings.add(commitment.title)
    for instrument in Instrument.objects.all():
        if getattr(instrument, f"name_{language}", ""):
            strings.add(instrument.name)
    # A parliament's own text it also gave in `language` (the demo's Moroccan and
    # Senegalese titles and narratives in French): the reader sees the translation.
    for model in (PlanOfAction, Action):
        for record in model.objects.exclude(**{f"title_in_{language}": ""}):
            strings.add(record.title)
    for update in ProgressUpdate.objects.exclude(**{f"narrative_in_{language}": ""}):
        strings.add(update.narrative)
    translations = [p.names.get(language, "") for p in Parliament.objects.all()]
    for parliament in Parliament.objects.all():
        translated = parliament.names.get(language)
        if translated and translated != parliament.name and len(parliament.name) > 3:
            strings.add(parliament.name)
    # An English name inside a translated one ("Congo" in "Congo-Kinshasa", "Myanmar" in
    # "Myanmar (Birmanie)") cannot be told apart from it: not searched for.
    return {s for s in strings if not found([s], "\n".join(translations))}


def found(strings, text):
    return sorted(s for s in strings if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text))


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_no_english_data_where_a_translation_exists(open_page, live_server, demo_data, language):
    strings = english_with_translation(language)
    assert len(strings) > 100  # countries at least
    page = open_page()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    problems = []

    def walk(urls):
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            assert page.evaluate("document.documentElement.lang") == language, url
            english = found(strings, page.evaluate(PAGE_TEXT))
            if english:
                problems.append(f"{url}: {english[:6]}")

    walk(PUBLIC_PAGES)
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator('input[name="username"]').fill("editor.ma")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    walk(WORKSPACE_PAGES)
    assert not problems, "\n".join(problems)
