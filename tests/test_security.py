"""Brute force, throttles and headers: what someone guessing passwords, or a browser, meets.

Lockouts are kept in the database (django-axes), so each test starts unlocked; the
password-reset and token throttles count in the cache (Redis in CI) under a fresh key
prefix per test (tests/conftest.py)."""

import base64
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery"
LOCKED_MESSAGE = "Too many failed sign-in attempts"


def _sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- Lockout ---------------------------------------------------------------------------------


def test_fifth_wrong_password_locks_the_account_with_a_clear_message(editor_ma):
    client = Client()
    for _ in range(4):
        response = _sign_in(client, "editor.ma", "wrong")
        assert response.status_code == 200
        assert LOCKED_MESSAGE not in response.content.decode()
    response = _sign_in(client, "editor.ma", "wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_MESSAGE in html
    assert "15 minutes" in html

    response = _sign_in(client, "editor.ma", RIGHT)
    assert response.status_code == 429, "the right password must not sign in while locked"
    assert client.get("/workspace/").status_code == 302  # still signed out


def test_lockout_page_is_in_french_too(editor_ma):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    for _ in range(5):
        response = _sign_in(client, "editor.ma", "wrong")
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()


def test_lockout_ends_after_the_cool_off(editor_ma):
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        _sign_in(client, "editor.ma", "wrong")
    assert _sign_in(client, "editor.ma", RIGHT).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = _sign_in(client, "editor.ma", RIGHT)
    assert response.status_code == 302 and response["Location"] == "/accounts/start/"


def test_the_account_stays_locked_from_another_address(editor_ma):
    for _ in range(5):
        _sign_in(Client(REMOTE_ADDR="198.51.100.1"), "editor.ma", "wrong")
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.2"), "editor.ma", RIGHT).status_code == 429


def test_an_address_guessing_many_accounts_is_locked_for_every_account(editor_ma, editor_mx):
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for number in range(5):
        _sign_in(guesser, f"someone.{number}", "wrong")
    assert _sign_in(guesser, "editor.mx", RIGHT).status_code == 429
    # Elsewhere, the accounts themselves are not locked.
    response = _sign_in(Client(REMOTE_ADDR="198.51.100.8"), "editor.ma", RIGHT)
    assert response.status_code == 302


def test_behind_the_tls_proxy_the_forwarded_client_address_is_locked(settings, editor_ma):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    guesser = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    for number in range(5):
        _sign_in(guesser, f"someone.{number}", "wrong")
    assert _sign_in(guesser, "editor.ma", RIGHT).status_code == 429
    # A spoofed left-most entry does not escape: the proxy appends the real address.
    spoofing = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    assert _sign_in(spoofing, "editor.ma", RIGHT).status_code == 429
    # Someone else behind the same proxy is not.
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert _sign_in(colleague, "editor.ma", RIGHT).status_code == 302


def test_secretariat_unlocks_an_account_from_the_admin(editor_ma, secretariat_client):
    from axes.models import AccessAttempt

    for _ in range(5):
        _sign_in(Client(), "editor.ma", "wrong")
    assert _sign_in(Client(), "editor.ma", RIGHT).status_code == 429

    changelist = secretariat_client.get("/admin/axes/accessattempt/", {"q": "editor.ma"})
    assert changelist.status_code == 200
    assert "editor.ma" in changelist.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = secretariat_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    response = _sign_in(Client(), "editor.ma", RIGHT)
    assert response.status_code == 302 and response["Location"] == "/accounts/start/"


def test_admin_sign_in_is_locked_too(secretariat_user):
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "secretariat", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "secretariat", "password": RIGHT})
    assert response.status_code == 429


# --- Password reset ------------------------------------------------------------------------


def test_password_reset_is_throttled_per_email(editor_ma):
    for number in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{number + 20}")
        response = client.post("/accounts/password_reset/", {"email": editor_ma.email})
        assert response.status_code == 302
    assert len(mail.outbox) == 3
    response = Client(REMOTE_ADDR="198.51.100.40").post(
        "/accounts/password_reset/", {"email": editor_ma.email}
    )
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()
    assert len(mail.outbox) == 3


def test_password_reset_is_throttled_per_address(editor_ma):
    client = Client(REMOTE_ADDR="198.51.100.50")
    for number in range(10):
        response = client.post("/accounts/password_reset/", {"email": f"n{number}@example.org"})
        assert response.status_code == 302
    response = client.post("/accounts/password_reset/", {"email": editor_ma.email})
    assert response.status_code == 429
    assert mail.outbox == []


def test_password_reset_works_when_the_cache_is_down(settings, editor_ma):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    response = Client().post("/accounts/password_reset/", {"email": editor_ma.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1


# --- The API takes tokens, never passwords ---------------------------------------------------


def test_api_does_not_accept_a_username_and_password(editor_ma):
    basic = base64.b64encode(f"editor.ma:{RIGHT}".encode()).decode()
    client = Client(HTTP_AUTHORIZATION=f"Basic {basic}")
    response = client.post("/api/v1/plans/", {}, content_type="application/json")
    assert response.status_code in (401, 403)
    response = client.get("/api/v1/submissions/due/")
    assert response.status_code in (401, 403)


def test_guessing_api_tokens_is_throttled_per_address(settings, partner):
    from parliaments import services

    settings.API_BAD_TOKEN_RATE = "10/hour"
    guesser = Client(REMOTE_ADDR="198.51.100.60")
    for number in range(10):
        response = guesser.get(
            "/api/v1/actions/", HTTP_AUTHORIZATION=f"Token guess-{number}-xxxxxxxxxxxxxxxx"
        )
        assert response.status_code == 401
    _token, key = services.api_token_create(user=partner, name="tests")
    response = guesser.get("/api/v1/actions/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    # A caller elsewhere with a good token is served.
    other = Client(REMOTE_ADDR="198.51.100.61", HTTP_AUTHORIZATION=f"Token {key}")
    assert other.get("/api/v1/actions/").status_code == 200


# --- Headers ---------------------------------------------------------------------------------


def _directives(header):
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("url", ["/", "/progress/", "/accounts/login/"])
def test_pages_carry_a_strict_content_security_policy(url):
    response = Client().get(url)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]


def test_signed_in_pages_are_private(editor_client):
    response = editor_client.get("/workspace/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_account_pages_are_not_stored(editor_client):
    response = editor_client.get("/accounts/tokens/")
    assert "no-store" in response["Cache-Control"]


def test_api_answers_to_token_holders_are_private_and_still_conditional(partner):
    from parliaments import services

    _token, key = services.api_token_create(user=partner, name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/actions/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    again = client.get("/api/v1/actions/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert "private" in again["Cache-Control"]


def test_public_pages_for_anonymous_readers_are_not_marked_private():
    response = Client().get("/progress/")
    assert "private" not in response.get("Cache-Control", "")
