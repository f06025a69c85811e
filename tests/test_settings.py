"""Configuration is read from the environment by strict helpers that fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from compact_tracker import env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("OFF", False)])
def test_env_bool_reads_common_words(monkeypatch, raw, expected):
    monkeypatch.setenv("CT_FLAG", raw)
    assert env.env_bool("CT_FLAG", not expected) is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("CT_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="CT_FLAG='maybe' is not a boolean"):
        env.env_bool("CT_FLAG", False)


def test_env_int_refuses_text_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("CT_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env.env_int("CT_NUMBER", 1)
    monkeypatch.setenv("CT_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env.env_int("CT_NUMBER", 1, minimum=0)


def test_env_url_checks_scheme_and_host(monkeypatch):
    monkeypatch.setenv("CT_URL", "mysql://db/x")
    with pytest.raises(ImproperlyConfigured, match="must start with one of"):
        env.env_url("CT_URL", None, schemes=("postgres",))
    monkeypatch.setenv("CT_URL", "redis://")
    with pytest.raises(ImproperlyConfigured, match="has no host name"):
        env.env_url("CT_URL", None, schemes=("redis",))


def test_secret_is_required_and_long_without_debug(monkeypatch):
    monkeypatch.delenv("CT_SECRET", raising=False)
    assert env.env_secret("CT_SECRET", debug=True, dev_default="dev") == "dev"
    with pytest.raises(ImproperlyConfigured, match="must be set when DEBUG is off"):
        env.env_secret("CT_SECRET", debug=False, dev_default="dev")
    monkeypatch.setenv("CT_SECRET", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32 characters"):
        env.env_secret("CT_SECRET", debug=False, dev_default="dev")


def test_email_url_becomes_smtp_settings(monkeypatch):
    monkeypatch.setenv("CT_EMAIL", "smtp://mailer:p%40ss@mail.example.org:587?tls=1")
    config = env.env_email("CT_EMAIL", "console://")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }
    monkeypatch.setenv("CT_EMAIL", "carrier-pigeon://loft")
    with pytest.raises(ImproperlyConfigured, match="CT_EMAIL must start with one of"):
        env.env_email("CT_EMAIL", "console://")


def _manage_check(**overrides):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
    }
    environment.update(overrides)
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _manage_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_bad_database_url_refuses_to_start():
    result = _manage_check(DATABASE_URL="mongodb://localhost/x")
    assert result.returncode != 0
    assert "DATABASE_URL must start with one of" in result.stderr


def test_production_settings_start_with_a_secret():
    result = _manage_check(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="tracker.example.org")
    assert result.returncode == 0, result.stderr


def _production_environment(**overrides):
    """What a production deployment behind a TLS-terminating proxy sets."""
    environment = {
        key: value
        for key, value in os.environ.items()
        # Test-only variables (the browser tests allow async-unsafe calls) stay out.
        if key not in {"DEBUG", "SECRET_KEY", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not key.startswith("SECURE_")
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY="production-like-" + "k7" * 30,
        ALLOWED_HOSTS="tracker.example.org",
        CSRF_TRUSTED_ORIGINS="https://tracker.example.org",
        BEHIND_TLS_PROXY="1",
    )
    environment.update(overrides)
    return environment


def test_check_deploy_finds_nothing_under_production_settings():
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout


def _production_setting(expression, **overrides):
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env=_production_environment(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's own banner


def test_production_sends_hsts_for_a_year_and_redirects_to_https():
    assert _production_setting("settings.SECURE_HSTS_SECONDS") == "31536000"
    assert _production_setting("settings.SECURE_SSL_REDIRECT") == "True"
    # The proxy's health checks reach the app over plain HTTP.
    assert _production_setting("settings.SECURE_REDIRECT_EXEMPT") == "['^healthz$', '^livez$']"


def test_hsts_and_https_redirect_can_be_switched_off_by_the_environment():
    assert _production_setting("settings.SECURE_SSL_REDIRECT", SECURE_SSL_REDIRECT="0") == "False"
    assert _production_setting("settings.SECURE_HSTS_SECONDS", SECURE_HSTS_SECONDS="0") == "0"
    assert _production_setting("settings.SECURE_HSTS_SECONDS", DEBUG="1") == "0"
