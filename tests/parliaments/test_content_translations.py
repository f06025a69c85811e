"""Issue 16: a parliament's own text (an action's title and description, a plan's title
and summary, a progress narrative) can be given in other languages beside the one it is
written in (django-translated-fields columns). A reader sees their language when it was
given, else the text as written, marked with its language; the API carries both, tagged;
the published copy, the history and the reports follow."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Action, PlanOfAction, ProgressUpdate
from tests.factories import ActionFactory, ProgressUpdateFactory
from tests.parliaments.test_api import token_client
from tests.parliaments.test_views import _action_form_data

pytestmark = pytest.mark.django_db

FRENCH = "Audition sur le coût des envois de fonds"


def _client(language, user=None):
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def _publish(focal, reviewer):
    submission = services.submission_for(
        focal.profile.parliament, Cycle.objects.get(code="2019-plan")
    )
    services.submission_submit(actor=focal, submission=submission)
    services.submission_accept(actor=reviewer, submission=submission)


@pytest.fixture
def translated(editor_ma, focal_ma, secretariat):
    action = ActionFactory(
        title="Hearing on remittance costs",
        description="The committee hears the central bank.",
        title_in_fr=FRENCH,
        description_in_fr="La commission entend la banque centrale.",
    )
    ProgressUpdateFactory(
        action=action,
        narrative="Two hearings held.",
        narrative_in_fr="Deux auditions tenues.",
        cycle=Cycle.objects.get(code="2019-plan"),
        date=action.plan.adopted_on,
    )
    _publish(focal_ma, secretariat)
    return Action.objects.published().get(uid=action.uid)


def test_the_reader_sees_their_language_when_given_else_the_original_marked(translated):
    with translation.override("fr"):
        assert translated.title_in == FRENCH
        assert translated.in_other_language is None
    with translation.override("es"):
        assert translated.title_in == "Hearing on remittance costs"
        assert translated.in_other_language == "en"
    with translation.override("en"):
        assert translated.title_in == "Hearing on remittance costs"
    assert translated.translation_languages() == ["fr"]


def test_the_public_page_shows_the_translation_to_its_readers(translated):
    url = f"/parliaments/MA/actions/{translated.uid}/"
    french = _client("fr").get(url).content.decode()
    assert f"<h1>{FRENCH}" in french
    assert "La commission entend la banque centrale." in french
    assert "Deux auditions tenues." in french
    assert "Hearing on remittance costs" not in french
    spanish = _client("es").get(url).content.decode()
    assert '<h1 lang="en">Hearing on remittance costs' in spanish
    assert "(en inglés)" in spanish
    assert FRENCH not in spanish
    # The facts say what it is written in and what else it was given in.
    assert "also in French" in _client("en").get(url).content.decode()


def test_lists_and_the_home_page_show_the_translated_title(translated):
    for url in ("/actions/", "/parliaments/MA/"):
        html = _client("fr").get(url).content.decode()
        assert FRENCH in html, url


def test_the_form_saves_a_translation_and_keeps_the_original(editor_ma, editor_client):
    action = ActionFactory(title="Bill on migrant workers", language="en")
    data = _action_form_data(
        action,
        language="en",
        title_in_es="Proyecto de ley sobre trabajadores migrantes",
        description_in_es="Presentado por la comisión.",
    )
    response = editor_client.post(f"/workspace/actions/{action.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    action.refresh_from_db()
    assert action.title == "Bill on migrant workers"
    assert action.title_in_es == "Proyecto de ley sobre trabajadores migrantes"
    assert action.description_in_es == "Presentado por la comisión."
    # The history keeps the translation like any other field.
    assert action.history.first().title_in_es == action.title_in_es
    form = editor_client.get(f"/workspace/actions/{action.pk}/edit/").content.decode()
    assert 'name="title_in_es"' in form and 'lang="es"' in form
    assert '<details class="translations mb-3" data-translations' in form
    assert 'data-written-in="en" open' in form  # opened: it holds a translation


def test_a_translation_in_the_language_written_in_is_refused_and_changes_nothing(
    editor_ma, editor_client
):
    action = ActionFactory(title="Projet de loi", language="fr")
    data = _action_form_data(action, language="fr", title_in_fr="Projet de loi (bis)")
    response = editor_client.post(f"/workspace/actions/{action.pk}/edit/", data)
    assert response.status_code == 200
    assert "The text is written in this language" in response.content.decode()
    action.refresh_from_db()
    assert action.title_in_fr == "" and action.version == 1


def test_a_translated_description_needs_its_title(editor_ma, editor_client):
    action = ActionFactory(language="en")
    data = _action_form_data(action, language="en", description_in_fr="Sans titre.")
    response = editor_client.post(f"/workspace/actions/{action.pk}/edit/", data)
    assert response.status_code == 200
    assert "Give the title in this language too." in response.content.decode()
    action.refresh_from_db()
    assert action.description_in_fr == ""


def test_the_model_refuses_a_translation_into_its_own_language(editor_ma):
    action = ActionFactory(language="es")
    with pytest.raises(ValidationError) as error:
        services.action_update(
            actor=editor_ma,
            action=action,
            expected_version=action.version,
            title_in_es="Otra",
        )
    assert "title_in_es" in error.value.message_dict
    action.refresh_from_db()
    assert action.title_in_es == ""


def test_plan_and_progress_forms_offer_translations(editor_ma, editor_client):
    action = ActionFactory()
    plan = action.plan
    html = editor_client.get(f"/workspace/plan/{plan.pk}/edit/").content.decode()
    assert 'name="title_in_fr"' in html and 'name="summary_in_ar"' in html
    assert 'dir="rtl"' in html  # Arabic is typed right to left
    html = editor_client.get(f"/workspace/actions/{action.pk}/progress/new/").content.decode()
    assert 'name="narrative_in_fr"' in html


def test_the_api_carries_the_translations_tagged_by_language(translated, editor_ma):
    body = Client().get(f"/api/v1/actions/{translated.uid}/").json()
    assert body["language"] == "en"
    assert body["title"] == "Hearing on remittance costs"
    assert body["translations"] == {
        "fr": {"title": FRENCH, "description": "La commission entend la banque centrale."}
    }
    updates = Client().get("/api/v1/progress-updates/?parliament=MA").json()["results"]
    assert updates[0]["translations"] == {"fr": {"narrative": "Deux auditions tenues."}}


def test_the_api_writes_a_translation_and_refuses_bad_ones_with_field_errors(editor_ma):
    action = ActionFactory(language="en")
    client = token_client(editor_ma)
    url = f"/api/v1/actions/{action.uid}/"
    body = {"version": action.version, "translations": {"ar": {"title": "مشروع قانون"}}}
    response = client.patch(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["translations"] == {"ar": {"title": "مشروع قانون", "description": ""}}
    action.refresh_from_db()
    assert action.title_in_ar == "مشروع قانون"
    for bad in (
        {"xx": {"title": "?"}},
        {"fr": {"subtitle": "?"}},
        {"fr": {"title": 12}},
        {"fr": "plain"},
        {"en": {"title": "Same language"}},
        {"fr": {"description": "No title"}},
        {"fr": {"title": "x" * 301}},
        ["fr"],
    ):
        response = client.patch(
            url, {"version": action.version, "translations": bad}, content_type="application/json"
        )
        assert response.status_code == 400, (bad, response.content)
        assert "translations" in response.json()["error"]["fields"], bad
    action.refresh_from_db()
    assert action.title_in_fr == "" and action.title_in_ar == "مشروع قانون"
    # null removes a translation.
    body = {"version": action.version, "translations": {"ar": None}}
    assert client.patch(url, body, content_type="application/json").status_code == 200
    action.refresh_from_db()
    assert action.title_in_ar == ""


def test_the_published_copy_carries_the_translation(translated):
    draft = Action.objects.drafts().get(uid=translated.uid)
    assert translated.title_in_fr == draft.title_in_fr == FRENCH
    plan = PlanOfAction.objects.published().get(uid=draft.plan.uid)
    assert plan.language == "en"
    update = ProgressUpdate.objects.published().get(action__uid=translated.uid)
    assert update.narrative_in_fr == "Deux auditions tenues."


def test_the_public_pages_run_the_same_queries_with_translations(
    translated, django_assert_max_num_queries
):
    """Translations are columns of the same rows: no query per record."""
    client = _client("fr")
    url = f"/parliaments/MA/actions/{translated.uid}/"
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_a_search_finds_an_action_by_its_translated_title(translated):
    html = _client("en").get("/actions/?search=envois").content.decode()
    assert "Hearing on remittance costs" in html
    api = Client().get("/api/v1/actions/?search=envois").json()
    assert [item["title"] for item in api["results"]] == ["Hearing on remittance costs"]


def test_the_admin_labels_each_translation_with_its_language(translated, admin_client):
    html = admin_client.get(f"/admin/parliaments/action/{translated.pk}/change/").content.decode()
    assert "Title [fr]" in html and "Description [ar]" in html
