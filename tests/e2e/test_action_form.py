"""Issue 15: the action form's 19 commitments and 23 objectives are searchable, grouped
multi-selects (Tom Select, vendored) that work from the keyboard and are named for a
screen reader, and the form fits in about one screen at 1366 px (it was 2,754 px tall)."""

import re

import pytest
from playwright.sync_api import expect

from commitments.models import Commitment
from parliaments.models import Action
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.test_workspace_flow import Story, sign_in

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}


def chosen(page, name):
    return page.locator(f'select[name="{name}"]').evaluate(
        "select => Array.from(select.selectedOptions).map(o => o.textContent.trim())"
    )


def test_the_action_form_fits_one_laptop_screen(open_page, demo_data):
    page = open_page()
    page.set_viewport_size(LAPTOP)
    sign_in(page, Story(), "editor.ma")
    page.goto("/workspace/actions/new/")
    form = page.locator("form.action-form")
    expect(form.get_by_role("combobox", name=re.compile("Rabat commitments"))).to_be_visible()
    height = form.bounding_box()["height"]
    assert height <= LAPTOP["height"], f"the form is {height:.0f} px tall"
    # Commitments are grouped by the outcome document's paragraph.
    form.get_by_role("combobox", name=re.compile("Rabat commitments")).click()
    dropdown = page.locator("#id_commitments-ts-dropdown")
    expect(dropdown.locator(".optgroup-header").first).to_have_text("Paragraph 1")
    expect(dropdown.locator(".optgroup-header", has_text="Paragraph 7(a)")).to_be_visible()
    assert dropdown.get_by_role("option").count() == Commitment.objects.count()
    assert_no_serious_violations(page)
    assert not page.console_errors


def test_an_action_is_entered_from_the_keyboard_alone(open_page, demo_data):
    r7b1 = Commitment.objects.get(code="R7b.1")
    served = sorted(r7b1.objectives.values_list("number", flat=True))
    assert len(served) >= 2
    page = open_page()
    page.set_viewport_size(LAPTOP)
    sign_in(page, Story(), "editor.ma")
    page.goto("/workspace/actions/new/")
    form = page.locator("form.action-form")
    form.locator("input[name=title]").fill("Hearing on labour migration")
    form.get_by_label("Type of action").select_option("oversight")

    # Tab into the commitments, search by a word of the title, pick with Enter.
    form.get_by_label("Type of action").focus()
    page.keyboard.press("Tab")
    commitments = form.get_by_role("combobox", name=re.compile("Rabat commitments"))
    expect(commitments).to_be_focused()
    page.keyboard.type("R7b.1")
    expect(page.locator("#id_commitments-ts-dropdown").get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    assert chosen(page, "commitments") == [f"R7b.1 — {r7b1.title}"]
    # The objectives it serves are selected as a suggestion, and said so.
    assert sorted(int(t.split(".")[0]) for t in chosen(page, "objectives")) == served
    expect(form.locator("[data-suggestion-note]")).to_contain_text(
        ", ".join(str(n) for n in served)
    )

    # Backspace in the objectives removes one; the served one comes back first, under its
    # own heading.
    objectives = form.get_by_role("combobox", name=re.compile("GCM objectives"))
    objectives.focus()
    page.keyboard.press("Backspace")
    kept = sorted(int(t.split(".")[0]) for t in chosen(page, "objectives"))
    assert len(kept) == len(served) - 1 and set(kept) < set(served)
    (removed,) = set(served) - set(kept)
    page.keyboard.press("ArrowDown")
    dropdown = page.locator("#id_objectives-ts-dropdown")
    expect(dropdown.locator(".optgroup-header").first).to_have_text(
        "Served by the chosen commitments"
    )
    expect(dropdown.locator(".optgroup").first.get_by_role("option")).to_have_text(
        [re.compile(rf"^{removed}\. ")]
    )
    # Search an objective by a word, add it.
    page.keyboard.type("smuggling")
    expect(dropdown.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expected = sorted([*kept, 9])
    assert sorted(int(t.split(".")[0]) for t in chosen(page, "objectives")) == expected

    form.get_by_role("button", name="Save the action").click()
    page.wait_for_url(re.compile(r"/workspace/actions/\d+/$"))
    action = Action.objects.drafts().get(title="Hearing on labour migration")
    assert list(action.commitments.values_list("code", flat=True)) == ["R7b.1"]
    assert sorted(action.objectives.values_list("number", flat=True)) == expected

    # Editing shows the saved choices as chips, in French too.
    page.goto(f"/workspace/actions/{action.pk}/edit/")
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    form = page.locator("form.action-form")
    expect(form.locator(".ts-control .item", has_text="R7b.1")).to_be_visible()
    expect(form.get_by_role("combobox", name=re.compile("Engagements de Rabat"))).to_have_attribute(
        "placeholder", re.compile("Tapez")
    )
    assert_no_serious_violations(page)
    assert not page.console_errors


def test_a_translation_is_given_beside_the_text_as_written(open_page, demo_data):
    """Issue 16: the folded "Translations" section offers every language but the one the
    text is written in (following the "Written in" choice), saves the translation beside
    the original, and a reader of that language sees it."""
    action = Action.objects.drafts().filter(parliament__iso2="MA", language="en").first()
    page = open_page()
    page.set_viewport_size(LAPTOP)
    sign_in(page, Story(), "editor.ma")
    page.goto(f"/workspace/actions/{action.pk}/edit/")
    form = page.locator("form.action-form")
    translations = form.locator("details.translations")
    # Open already when the action has a translation (the demo's Moroccan ones do).
    if translations.get_attribute("open") is None:
        translations.locator("summary").click()
    expect(form.get_by_label("Title in French")).to_have_value(action.title_in_fr)
    english, spanish = (
        translations.locator(f'fieldset[data-language="{code}"]') for code in ("en", "es")
    )
    expect(english).to_be_hidden()
    expect(spanish).to_be_visible()
    form.get_by_label("Written in").select_option("es")
    expect(spanish).to_be_hidden()
    expect(english).to_be_visible()
    form.get_by_label("Written in").select_option("en")
    form.get_by_label("Title in Spanish").fill("Audiencia sobre la migración laboral")
    expect(form.get_by_label("Title in Spanish")).to_have_attribute("lang", "es")
    expect(form.get_by_label("Title in Arabic")).to_have_attribute("dir", "rtl")
    assert_no_serious_violations(page)
    form.get_by_role("button", name="Save the action").click()
    page.wait_for_url(re.compile(rf"/workspace/actions/{action.pk}/$"))
    action.refresh_from_db()
    assert (action.title_in_es, action.language) == ("Audiencia sobre la migración laboral", "en")
    page.get_by_role("button", name="Español").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Audiencia sobre la migración laboral")
    expect(page.locator("h1")).not_to_have_attribute("lang", "en")
    assert not page.console_errors
