import pytest
from django.db.backends.utils import CursorWrapper

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(anonymous_client, settings):
    response = anonymous_client.get("/healthz")
    body = response.json()
    assert body["checks"]["database"] == "ok"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert body["checks"]["broker"] == "not configured"
    else:
        # CI: REDIS_URL points at a real Redis, which must answer.
        assert body["checks"]["broker"] == "ok"
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_503_when_the_broker_is_unreachable(anonymous_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = anonymous_client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable"},
    }


def test_healthz_answers_503_when_the_database_fails(anonymous_client, monkeypatch):
    def broken_execute(self, sql, params=None):
        raise Exception("connection refused")  # noqa: TRY002 - stands in for any driver error

    monkeypatch.setattr(CursorWrapper, "execute", broken_execute)
    response = anonymous_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


def test_healthz_refuses_post(anonymous_client):
    assert anonymous_client.post("/healthz").status_code == 405


def test_livez_answers_without_touching_the_database(anonymous_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = anonymous_client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
