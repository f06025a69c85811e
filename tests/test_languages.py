"""Issue 16: the interface in French, Spanish and Arabic. Every named page answers in each
language for a visitor, a parliament's editor and the secretariat; Arabic pages are laid
out right to left with Bootstrap's RTL stylesheet; the language switcher names each
language in itself."""

import re

import pytest
from django.test import Client

from compact_tracker.countries import sort_key
from tests.reports.test_chart_tables import _urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(reference_data):
    from parliaments.demo import seed_demo

    assert seed_demo()


def _client(language, username=None):
    client = Client()
    client.cookies["django_language"] = language
    if username:
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_every_page_answers_in_each_language(demo, language):
    urls = sorted({url for _name, url in _urls() if not url.startswith("/accounts/logout")})
    failures, pages = [], 0
    for username in (None, "editor.ma", "secretariat"):
        client = _client(language, username)
        for url in urls:
            response = client.get(url)
            if response.status_code >= 500:
                failures.append(f"{username or 'visitor'} {url}: {response.status_code}")
            if response.status_code == 200 and "text/html" in response["Content-Type"]:
                pages += 1
                html = response.content.decode()
                direction = "rtl" if language == "ar" else "ltr"
                if f'<html lang="{language}" dir="{direction}">' not in html:
                    failures.append(f"{username or 'visitor'} {url}: not marked {language}")
    assert pages >= 60
    assert not failures, "\n".join(failures)


def test_arabic_is_right_to_left_with_bootstraps_rtl_stylesheet(demo):
    html = _client("ar").get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "bootstrap.rtl.min.css" in html and "bootstrap.min.css" not in html
    english = _client("en").get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in english and "bootstrap.rtl" not in english


def test_the_switcher_names_each_language_in_itself(demo):
    html = _client("en").get("/").content.decode()
    for code, name in (("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربيّة")):
        assert f'value="{code}" lang="{code}" title="{name}"' in html


def test_a_count_in_arabic_uses_its_plural_rule(demo):
    """Arabic's plural rule does arithmetic on the count (n % 100): a badge counted lazily
    on the secretariat's navigation must still render (it raised a TypeError)."""
    response = _client("ar", "secretariat").get("/review/")
    assert response.status_code == 200
    response = _client("ar", "editor.ma").get("/workspace/")
    assert response.status_code == 200


def test_the_api_follows_accept_language_for_titles_and_names(reference_data):
    client = Client()
    french = client.get("/api/v1/objectives/7/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["title"] == "Address and reduce vulnerabilities in migration"
    assert french["localized_title"].startswith("S’attaquer aux facteurs de vulnérabilité")
    assert french["localized_title_language"] == "fr"
    arabic = client.get("/api/v1/objectives/7/", HTTP_ACCEPT_LANGUAGE="ar")
    assert arabic["Content-Language"] == "ar"
    # No verified Arabic title: the English one, said to be English.
    assert arabic.json()["localized_title"] == arabic.json()["title"]
    assert arabic.json()["localized_title_language"] == "en"
    spanish = client.get("/api/v1/objectives/15/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert spanish["localized_title_language"] == "en"  # unverified in gcm-es.md: not shown

    morocco = client.get("/api/v1/parliaments/MA/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (morocco["name"], morocco["localized_name"]) == ("Morocco", "Maroc")
    assert morocco["names"]["ar"] == "المغرب"
    commitment = client.get("/api/v1/commitments/R8.1/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert commitment["localized_title"].startswith("Élaborer et mettre en œuvre")
    assert commitment["title_fr_status"] == "P"  # the project's translation, not official
    instrument = client.get("/api/v1/instruments/C029/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert instrument["localized_name"] == "Convention (n° 29) sur le travail forcé, 1930"


def test_french_pages_show_french_data(demo):
    """Country names, commitment and objective titles and instrument names in French, and
    in French alphabetical order; no English subtitle under an objective's French title."""
    client = _client("fr")
    home = client.get("/").content.decode()
    assert "Ratifier et appliquer les traités relatifs aux droits de l’homme" in home
    objective = client.get("/objectives/7/").content.decode()
    assert "S’attaquer aux facteurs de vulnérabilité" in objective
    assert "Address and reduce vulnerabilities in migration" not in objective
    parliaments = client.get("/parliaments/").content.decode()
    assert "Maroc" in parliaments and ">Morocco<" not in parliaments
    # Dates in the French format ("18 juin 2019"), not the tables' old "18 Jun 2019".
    months = "janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc"
    assert re.search(rf"\d{{1,2}} ({months})\.? \d{{4}}", parliaments)
    english = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    assert not re.search(rf"\d{{1,2}} ({english}) \d{{4}}", parliaments)
    commitment = client.get("/commitments/R7a.1/").content.decode()
    assert "Convention (n° 29) sur le travail forcé, 1930" in commitment or (
        "sur le travail forcé" in commitment
    )
    assert "Title translated by Compact Tracker" not in commitment  # said in French
    assert "traduit par Compact Tracker" in commitment


def test_parliaments_sort_in_the_readers_language(reference_data):
    from django.utils import translation

    from parliaments.models import Parliament

    with translation.override("fr"):
        names = [p.localized_name for p in Parliament.objects.order_by(Parliament.by_name())]
    # "Émirats arabes unis" among the E, not after "Zimbabwe".
    assert names.index("Émirats arabes unis") < names.index("Équateur") < names.index("Zambie")
    assert names.index("Égypte") < names.index("Espagne")
    with translation.override("en"):
        english = [p.name for p in Parliament.objects.order_by(Parliament.by_name())]
    assert english == sorted(english, key=sort_key)  # "Côte d'Ivoire" before "Croatia"


def test_charts_are_mirrored_for_a_right_to_left_reader():
    from django.utils import translation

    from reports import charts

    rows = [("on_time", "On time", 6), ("late", "Late", 2), ("none", "None yet", 172)]
    with translation.override("en"):
        english = charts.status_bar(rows, "Plans")
    with translation.override("ar"):
        arabic = charts.status_bar(rows, "Plans")

    def bars(spec):
        return next(layer for layer in spec["layer"] if layer["mark"]["type"] == "bar")

    assert "reverse" not in (bars(english)["encoding"]["x"].get("scale") or {})
    # Bars grow from the right, labels on the right, titles start on the right.
    assert bars(arabic)["encoding"]["x"]["scale"]["reverse"] is True
    assert bars(arabic)["encoding"]["y"]["axis"]["orient"] == "right"
    assert arabic["config"]["title"]["anchor"] == "end"
    text = next(layer for layer in arabic["layer"] if layer["mark"]["type"] == "text")
    assert text["mark"]["align"] == "right"


def test_an_arabic_pdf_chart_is_drawn_with_shaped_text():
    """WeasyPrint lays out SVG text without Arabic shaping: an Arabic report's charts are
    PNG drawn by vl-convert, which shapes it; other languages keep SVG."""
    from django.utils import translation

    from reports import charts
    from reports.render import drawn_chart

    rows = [("on_time", "في الموعد", 6), ("late", "متأخر", 2)]
    with translation.override("ar"):
        markup = drawn_chart({**charts.status_bar(rows, "خطط العمل"), "width": 300})
    assert markup.startswith('<img src="data:image/png;base64,') and 'alt="خطط العمل"' in markup
    with translation.override("fr"):
        assert drawn_chart({**charts.status_bar(rows, "Plans"), "width": 300}).startswith("<svg")


def test_a_parliaments_text_in_another_language_is_marked_with_it(demo):
    """Content the parliament wrote in English, read in French: shown as it is, with
    lang="en" and "(en anglais)"; read in English: no note."""
    from parliaments.models import Action

    action = Action.objects.published().filter(parliament__iso2="MX").first()
    assert action.language == "en"
    url = f"/parliaments/mx/actions/{action.uid}/"
    french = _client("fr").get(url).content.decode()
    assert '<h1 lang="en">' in french and "(en anglais)" in french
    english = _client("en").get(url).content.decode()
    assert "<h1>" in english and "(in English)" not in english
    listing = _client("fr").get("/actions/").content.decode()
    assert ' lang="en">' in listing and "(en anglais)" in listing


def test_a_new_text_is_taken_to_be_in_the_interface_language(demo):
    from parliaments.models import Action, ProgressUpdate

    editor = _client("fr", "editor.ma")
    form = editor.get("/workspace/actions/new/").content.decode()
    assert '<option value="fr" selected>' in form
    action = Action.objects.drafts().filter(parliament__iso2="MA").first()
    page = editor.get(f"/workspace/actions/{action.pk}/progress/new/")
    data = {
        **{k: v for k, v in page.context["form"].initial.items() if v is not None},
        "date": "2026-11-30",
        "cycle": page.context["form"].initial["cycle"].pk,
        "narrative": "Audition de la commission des lois.",
    }
    response = editor.post(f"/workspace/actions/{action.pk}/progress/new/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    update = ProgressUpdate.objects.drafts().filter(action=action).latest("pk")
    assert (update.narrative, update.language) == ("Audition de la commission des lois.", "fr")


def test_objective_short_labels_are_english_only(demo):
    """The objectives' short labels abbreviate the English titles: a French reader of the
    coverage matrix and of an objective's page gets the French title instead."""
    from commitments.models import Objective

    objective = Objective.objects.get(number=17)
    french = _client("fr", "secretariat").get("/dashboard/coverage/").content.decode()
    assert f'title="{objective.title_fr}"' in french.replace("&#x27;", "'")
    assert f'title="{objective.short_label}"' not in french
    english = _client("en", "secretariat").get("/dashboard/coverage/").content.decode()
    assert f'title="{objective.short_label}"' in english
    page = _client("fr").get("/objectives/17/").content.decode()
    assert objective.short_label not in page
