import pytest
from django.contrib import admin

from commitments.models import Commitment, Objective
from parliaments.models import Parliament

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
APP_MODELS = [m for m in REGISTERED if m._meta.app_label in {"commitments", "parliaments"}]


def test_every_reference_model_has_an_admin():
    from django.apps import apps

    for app_label in ("commitments", "parliaments"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical") or model._meta.auto_created:
                continue  # history rows are shown through each model's "History" page
            assert model in admin.site._registry, model


@pytest.mark.parametrize("model", APP_MODELS, ids=lambda model: model._meta.label)
def test_secretariat_can_search_and_filter_every_changelist(secretariat_client, model):
    opts = model._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/"
    assert secretariat_client.get(url).status_code == 200
    assert secretariat_client.get(url, {"q": "migra"}).status_code == 200
    add = secretariat_client.get(f"{url}add/").status_code
    read_only = {"ApiToken", "PublicationChange", "SubmissionEvent", "OutboxMessage"}  # logs
    read_only |= {"WebhookCursor", "WebhookDelivery"}  # written by the webhooks' jobs
    read_only |= {"FollowCursor", "Notification"}  # written by notify_followers
    assert add == (403 if model.__name__ in read_only else 200)


def test_admin_search_finds_a_parliament_by_iso_code(secretariat_client):
    response = secretariat_client.get("/admin/parliaments/parliament/", {"q": "DZA"})
    assert "Algeria" in response.content.decode()
    assert response.context["cl"].result_count == 1
    response = secretariat_client.get("/admin/parliaments/parliament/", {"q": "ma"})
    assert "Morocco" in response.content.decode()


def test_admin_change_pages_open(secretariat_client):
    for obj in (Objective.objects.first(), Commitment.objects.first(), Parliament.objects.first()):
        opts = obj._meta
        url = f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"
        assert secretariat_client.get(url).status_code == 200


def test_anonymous_visitor_is_sent_to_the_admin_login(anonymous_client):
    response = anonymous_client.get("/admin/commitments/objective/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_secretariat_sees_failing_outbox_messages_and_sends_one_again(secretariat_client):
    from django.utils import timezone

    from parliaments.models import OutboxMessage

    later = timezone.now() + timezone.timedelta(hours=1)
    failing = OutboxMessage.objects.create(
        kind="reminder",
        to="focal@example.org",
        subject="Due soon",
        attempts=3,
        next_attempt_at=later,
        last_error="451 try later",
    )
    page = secretariat_client.get("/admin/parliaments/outboxmessage/", {"state": "failing"})
    assert page.status_code == 200 and "focal@example.org" in page.content.decode()
    secretariat_client.post(
        "/admin/parliaments/outboxmessage/",
        {"action": "send_again_now", "_selected_action": [failing.pk]},
    )
    failing.refresh_from_db()
    assert failing.next_attempt_at <= timezone.now()


@pytest.mark.parametrize("junk", ["%", "api", "-1e308"])
def test_an_add_form_sent_with_junk_in_an_autocompleted_relation_shows_its_error(
    secretariat_client, junk
):
    """The autocomplete widget looked the sent value up to show it again: a 500."""
    for url in ("/admin/parliaments/submission/add/", "/admin/parliaments/action/add/"):
        response = secretariat_client.post(url, {"parliament": junk, "title": "x"})
        assert response.status_code == 200, url
        assert "errornote" in response.content.decode()


def test_a_key_beyond_64_bits_in_an_add_form_is_dropped_not_a_500(secretariat_client):
    """Found by the page fuzzer on SQLite, which cannot bind such an integer."""
    response = secretariat_client.get(
        "/admin/parliaments/profile/add/", {"parliament": "-99999999999999999999"}
    )
    assert response.status_code == 200
    assert secretariat_client.get(
        "/admin/parliaments/parliament/99999999999999999999/change/"
    ).status_code in (302, 404)
