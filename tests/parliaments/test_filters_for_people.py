"""Issue 15: filters are for people: a country by its name in English or French, or its
code; empty choices read "Any"; help texts without ISO jargon."""

import pytest
from django.test import Client

from compact_tracker.countries import matching
from parliaments.models import Parliament

pytestmark = pytest.mark.django_db


def countries():
    return list(Parliament.objects.values_list("iso2", "iso3", "name"))


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("MA", {"MA"}),
        ("mar", {"MA"}),
        ("Morocco", {"MA"}),
        ("Maroc", {"MA"}),
        ("  maroc ", {"MA"}),
        ("Allemagne", {"DE"}),
        ("Émirats arabes unis", {"AE"}),
        ("emirats", {"AE"}),
        ("Nowhere", set()),
    ],
)
def test_a_country_is_found_by_its_name_in_either_language_or_its_code(typed, expected):
    assert matching(typed, countries()) == expected


def test_the_country_filter_of_the_lists_takes_a_name(client):
    from tests.factories import ActionFactory, PlanFactory

    plan = PlanFactory(parliament=Parliament.objects.get(iso2="MA"))
    ActionFactory(plan=plan, title="Moroccan hearing")
    ActionFactory(
        plan=PlanFactory(parliament=Parliament.objects.get(iso2="MX")), title="Mexican bill"
    )
    from tests.factories import make_user

    client.force_login(make_user("secretariat.one", "secretariat"))
    for typed in ("Maroc", "Morocco", "MA"):
        html = client.get("/workspace/actions/", {"country": typed}).content.decode()
        assert "Moroccan hearing" in html and "Mexican bill" not in html, typed
    api = client.get("/api/v1/actions/", {"country": "Mexique"}).json()
    assert [row["title"] for row in api["results"]] == ["Mexican bill"]


def test_empty_choices_read_any_and_help_texts_speak_to_people():
    html = Client().get("/actions/").content.decode()
    assert "---------" not in html
    assert '<option value="" selected>Any</option>' in html
    assert "ISO 8601" not in html and "ISO 3166" not in html
