"""Junk in a request answers 400 or 404, never 500: bad page numbers and sizes on every
paginated list, NUL bytes and broken percent-encoding anywhere in the path or the query,
and a database connection that died between two requests."""

import pytest
from django.db import close_old_connections, connection
from django.test import Client

pytestmark = pytest.mark.django_db

PAGINATED = [
    ("anonymous", "/actions/"),
    ("anonymous", "/parliaments/"),
    ("anonymous", "/parliaments/MA/"),
    ("editor", "/workspace/actions/"),
    ("editor", "/workspace/"),
    ("secretariat", "/review/"),
    ("secretariat", "/dashboard/coverage/"),
    ("anonymous", "/api/v1/actions/"),
    ("anonymous", "/api/v1/parliaments/"),
]

JUNK_PAGING = [
    "per_page=-1",
    "per_page=0",
    "per_page=abc",
    "per_page=99999999999999999999999",
    "page=-1",
    "page=0",
    "page=abc",
    "page=99999999999999999999999",
    "page=1e3",
    "page_size=-1",
    "page_size=0",
    "page_size=abc",
    "per_page=-1&page=-1",
]


@pytest.fixture
def clients(editor_client, reviewer_client):
    client = Client(raise_request_exception=False)
    return {"anonymous": client, "editor": editor_client, "secretariat": reviewer_client}


@pytest.mark.parametrize(("persona", "url"), PAGINATED)
def test_junk_page_numbers_and_sizes_do_not_break_a_list(clients, persona, url):
    client = clients[persona]
    client.raise_request_exception = False
    broken = {}
    for query in JUNK_PAGING:
        response = client.get(f"{url}?{query}")
        if response.status_code >= 500:
            broken[query] = response.status_code
    assert not broken, f"{url} as {persona}: {broken}"


@pytest.mark.parametrize(
    "url",
    [
        "/parliaments/%00/",
        "/commitments/%00/",
        "/dashboard/parliaments/%00/",
        "/dashboard/commitments/a%00b/",
        "/dashboard/regions/%00/",
        "/admin/parliaments/action/?q=%00",
        "/parliaments/MA/actions/%00/",
        "/actions/?search=%00",
        "/actions/?country=%00",
        "/api/v1/actions/?search=%00",
        "/api/v1/parliaments/%00/",
        "/parliaments/%FF%FE/",
        "/actions/?search=%FF",
        "/parliaments/?q=%",
    ],
)
def test_nul_bytes_and_broken_encoding_answer_400_or_404(url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code in (400, 404), (url, response.status_code)


def test_nul_byte_in_a_form_post_is_not_a_server_error(editor_client):
    editor_client.raise_request_exception = False
    response = editor_client.post("/workspace/plan/new/", {"title": "a\x00b"})
    assert response.status_code < 500


def test_database_connections_are_health_checked(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_between_requests_is_replaced_not_a_500(reference_data):
    """The connection the app keeps between requests (CONN_MAX_AGE) is killed by the
    database between two requests: the next request opens a new one instead of failing."""
    import psycopg2

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    client = Client(raise_request_exception=False)
    conn_max_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 600
    connection.close()  # the next connection reads the settings above
    try:
        assert client.get("/parliaments/").status_code == 200
        pid = connection.connection.info.backend_pid
        killer = psycopg2.connect(**connection.get_connection_params())
        killer.autocommit = True
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        killer.close()
        # What Django's WSGI handler does when a request starts (the test client skips it).
        close_old_connections()
        assert client.get("/parliaments/").status_code == 200
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = conn_max_age
        connection.close()
