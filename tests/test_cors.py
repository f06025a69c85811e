"""Issue 18: the read-only API answers cross-origin requests without credentials (a
partner's web page reads it from the browser); writes and cookie-authenticated requests
stay same-origin: the browser gets no Access-Control-Allow-Origin for them."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ORIGIN = "https://data.migration-network.example"


def _preflight(client, path, method, headers="accept-language"):
    return client.options(
        path,
        headers={
            "origin": ORIGIN,
            "access-control-request-method": method,
            "access-control-request-headers": headers,
        },
    )


def test_a_preflight_for_a_read_is_allowed_and_for_a_write_refused():
    client = Client()
    read = _preflight(client, "/api/v1/actions/", "GET")
    assert read.status_code == 200
    assert read["Access-Control-Allow-Origin"] == ORIGIN
    allowed = {m.strip() for m in read["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    assert "accept-language" in read["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in read
    for method in ("POST", "PATCH", "PUT", "DELETE"):
        write = _preflight(client, "/api/v1/actions/", method, "content-type, authorization")
        assert "Access-Control-Allow-Origin" not in write, method


def test_a_cross_origin_read_gets_the_data_and_its_headers():
    response = Client().get("/api/v1/objectives/", headers={"origin": ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "origin" in response["Vary"].lower()
    assert "Content-Language" in response["Access-Control-Expose-Headers"]
    csv = Client().get("/api/v1/actions/?format=csv", headers={"origin": ORIGIN})
    assert csv.status_code == 200 and csv["Access-Control-Allow-Origin"] == ORIGIN


def test_cookie_authenticated_and_write_requests_stay_same_origin(partner_client, partner):
    # Signed in with the session cookie: no cross-origin answer, even for a read.
    response = partner_client.get("/api/v1/actions/", headers={"origin": ORIGIN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    # A write from another origin gets no CORS header (and is refused anyway).
    write = Client().post(
        "/api/v1/actions/", {}, content_type="application/json", headers={"origin": ORIGIN}
    )
    assert "Access-Control-Allow-Origin" not in write


def test_only_the_api_is_shared():
    for path in ("/dashboard/", "/progress/", "/ratifications/", "/accounts/login/"):
        response = Client().get(path, headers={"origin": ORIGIN})
        assert "Access-Control-Allow-Origin" not in response, path
    assert "Access-Control-Allow-Origin" not in _preflight(Client(), "/progress/", "GET")
