"""The REST API: access for every persona, filters, output formats, caching, throttling,
the changes feed, the error shape, the schema, query counts and writes."""

import datetime
import itertools
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from openapi_spec_validator import validate as validate_openapi

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Action
from tests.factories import ActionFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "partner", "editor", "other_editor", "secretariat"]


def token_client(user):
    client = Client()
    if user is not None:
        _token, key = services.api_token_create(user=user, name="tests")
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


@pytest.fixture
def api(db):
    """Morocco: a published action plus a draft-only action; Mexico: a published action."""
    cache.clear()
    users = {
        "partner": make_user("partner.iom", "partner"),
        "editor": make_user("editor.ma", "editor", "MA"),
        "focal": make_user("focal.ma", "focal_point", "MA"),
        "other_editor": make_user("editor.mx", "editor", "MX"),
        "focal_mx": make_user("focal.mx", "focal_point", "MX"),
        "secretariat": make_user("secretariat.reviewer", "secretariat"),
    }
    published = ActionFactory(title="Published hearing", links="R7a.2")
    mexico = ActionFactory(
        plan=_plan("MX"),
        title="Mexican bill",
        action_type="legislation",
    )
    for focal in (users["focal"], users["focal_mx"]):
        submission = services.submission_for(
            focal.profile.parliament, Cycle.objects.get(code="2019-plan")
        )
        services.submission_submit(actor=focal, submission=submission)
        services.submission_accept(actor=users["secretariat"], submission=submission)
    draft = ActionFactory(plan=published.plan, title="Draft inquiry", completion="not_started")
    clients = {name: token_client(users.get(name)) for name in PERSONAS}
    return {
        "users": users,
        "clients": clients,
        "published": published,
        "draft": draft,
        "mexico": mexico,
    }


def _plan(iso2):
    from parliaments.models import Parliament

    return PlanFactory(parliament=Parliament.objects.get(iso2=iso2))


def titles(response):
    assert response.status_code == 200, response.content
    return sorted(row["title"] for row in response.json()["results"])


# --- Access ---------------------------------------------------------------------------------

LIST_VISIBILITY = {
    # persona: titles of actions listed
    "anonymous": ["Mexican bill", "Published hearing"],
    "partner": ["Mexican bill", "Published hearing"],
    "editor": ["Draft inquiry", "Mexican bill", "Published hearing"],
    "other_editor": ["Mexican bill", "Published hearing"],
    "secretariat": ["Draft inquiry", "Mexican bill", "Published hearing"],
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_action_list_follows_the_visibility_of_the_pages(api, persona):
    assert titles(api["clients"][persona].get("/api/v1/actions/")) == LIST_VISIBILITY[persona]


READS = [
    # endpoint, expected status per persona (in PERSONAS order)
    (lambda w: "/api/v1/objectives/17/", [200] * 5),
    (lambda w: "/api/v1/commitments/R8.1/", [200] * 5),
    (lambda w: "/api/v1/cycles/2019-plan/", [200] * 5),
    (lambda w: "/api/v1/instruments/ICRMW/", [200] * 5),
    (lambda w: "/api/v1/parliaments/ma/", [200] * 5),
    (lambda w: f"/api/v1/actions/{w['draft'].uid}/", [404, 404, 200, 404, 200]),
    (lambda w: f"/api/v1/actions/{w['published'].uid}/", [200] * 5),
    (lambda w: f"/api/v1/plans/{w['published'].plan.uid}/", [200] * 5),
    (lambda w: "/api/v1/progress-updates/", [200] * 5),
    (lambda w: "/api/v1/submissions/", [200] * 5),
    (lambda w: "/api/v1/changes/?since=0", [200] * 5),
]


@pytest.mark.parametrize(
    ("read", "persona"),
    list(itertools.product(READS, PERSONAS)),
    ids=[f"{i}-{p}" for i, p in itertools.product(range(len(READS)), PERSONAS)],
)
def test_read_access_matrix(api, read, persona):
    url, expected = read
    response = api["clients"][persona].get(url(api))
    assert response.status_code == expected[PERSONAS.index(persona)]


def _new_action(plan_uid=None):
    body = {
        "title": "Hearing on remittances",
        "action_type": "oversight",
        "commitments": ["R8.4"],
        "objectives": [20],
        "completion": "not_started",
    }
    if plan_uid:
        body["plan"] = str(plan_uid)
    return body


WRITES = [
    # name, method, url, body, expected status per persona
    (
        "create action",
        "post",
        lambda w: "/api/v1/actions/",
        lambda w: _new_action(),
        [401, 403, 201, 201, 403],
    ),
    (
        "create action in another parliament's plan",
        "post",
        lambda w: "/api/v1/actions/",
        lambda w: _new_action(w["published"].plan.uid),
        [401, 403, 201, 400, 403],
    ),
    (
        "update Morocco's draft",
        "patch",
        lambda w: f"/api/v1/actions/{w['draft'].uid}/",
        lambda w: {"version": w["draft"].version, "completion": "limited"},
        [401, 403, 200, 404, 403],
    ),
    (
        "delete Morocco's draft",
        "delete",
        lambda w: f"/api/v1/actions/{w['draft'].uid}/?version={w['draft'].version}",
        lambda w: None,
        [401, 403, 204, 404, 403],
    ),
    (
        "update Morocco's plan",
        "patch",
        lambda w: f"/api/v1/plans/{w['published'].plan.uid}/",
        lambda w: {"version": w["published"].plan.version, "summary": "New"},
        [401, 403, 200, 404, 403],
    ),
    (
        "record progress",
        "post",
        lambda w: "/api/v1/progress-updates/",
        lambda w: {
            "action": str(w["draft"].uid),
            "date": "2021-05-01",
            "cycle": "2021-progress",
            "completion": "limited",
            "narrative": "Hearing held.",
        },
        [401, 403, 201, 400, 403],
    ),
]


@pytest.mark.parametrize(
    ("write", "persona"),
    list(itertools.product(WRITES, PERSONAS)),
    ids=[f"{w[0]}-{p}" for w, p in itertools.product(WRITES, PERSONAS)],
)
def test_write_access_matrix(api, write, persona):
    _name, method, url, body, expected = write
    client = api["clients"][persona]
    payload = body(api)
    kwargs = {"content_type": "application/json"} if payload is not None else {}
    args = (url(api), payload) if payload is not None else (url(api),)
    response = getattr(client, method)(*args, **kwargs)
    assert response.status_code == expected[PERSONAS.index(persona)], response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"status", "code", "message"}


def test_editor_write_refused_for_another_parliament_and_accepted_with_history_for_own(api):
    mexico_plan = api["mexico"].plan
    editor = api["clients"]["editor"]
    refused = editor.post(
        "/api/v1/actions/", _new_action(mexico_plan.uid), content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["plan"]
    assert not Action.objects.filter(plan=mexico_plan, title="Hearing on remittances").exists()
    # Another parliament's draft reads like one that does not exist: nothing leaks.
    nowhere = uuid.uuid4()
    missing = editor.post("/api/v1/actions/", _new_action(nowhere), content_type="application/json")
    missing_message = missing.json()["error"]["fields"]["plan"][0]
    refused_message = refused.json()["error"]["fields"]["plan"][0]
    assert "does not exist" in missing_message
    assert refused_message.replace(str(mexico_plan.uid), "?") == missing_message.replace(
        str(nowhere), "?"
    )
    progress = editor.post(
        "/api/v1/progress-updates/",
        {
            "action": str(api["mexico"].uid),
            "date": "2021-05-01",
            "cycle": "2021-progress",
            "completion": "limited",
            "narrative": "Hearing held.",
        },
        content_type="application/json",
    )
    assert progress.status_code == 400
    assert "does not exist" in str(progress.json()["error"]["fields"]["action"])

    draft = api["draft"]
    response = editor.patch(
        f"/api/v1/actions/{draft.uid}/",
        {"version": draft.version, "title": "Inquiry, renamed via the API"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["version"] == draft.version + 1
    record = Action.objects.get(pk=draft.pk).history.order_by("-history_date").first()
    assert record.title == "Inquiry, renamed via the API"
    assert record.history_user == api["users"]["editor"]


def test_stale_write_answers_409_with_the_changes(api):
    draft, editor = api["draft"], api["clients"]["editor"]
    url = f"/api/v1/actions/{draft.uid}/"
    first = editor.patch(url, {"version": 1, "title": "First"}, content_type="application/json")
    assert first.status_code == 200
    second = editor.patch(url, {"version": 1, "title": "Second"}, content_type="application/json")
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "conflict" and error["current_version"] == 2
    assert {"field": "title", "was": "Draft inquiry", "now": "First"} in error["changes"]
    assert Action.objects.get(pk=draft.pk).title == "First"


def test_invalid_write_answers_400_per_field_and_saves_nothing(api):
    before = Action.objects.count()
    response = api["clients"]["editor"].post(
        "/api/v1/actions/",
        {"title": "", "action_type": "teleportation", "commitments": ["R99"], "objectives": []},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"title", "action_type", "commitments"} <= set(fields)
    assert Action.objects.count() == before


def test_ratification_without_instrument_is_refused_by_the_same_rule_as_the_form(api):
    body = {
        **_new_action(),
        "action_type": "ratification",
        "commitments": ["R7a.1"],
        "objectives": [6],
    }
    response = api["clients"]["editor"].post(
        "/api/v1/actions/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "instrument" in response.json()["error"]["fields"]


def test_submission_steps_through_the_api(api):
    mx_submission = services.submission_for(
        api["users"]["other_editor"].profile.parliament, Cycle.objects.get(code="2021-progress")
    )
    focal_mx = token_client(api["users"]["focal_mx"])
    assert (
        api["clients"]["other_editor"]
        .post(f"/api/v1/submissions/{mx_submission.pk}/submit/")
        .status_code
        == 403
    )
    assert focal_mx.post(f"/api/v1/submissions/{mx_submission.pk}/submit/").status_code == 200
    reviewer = api["clients"]["secretariat"]
    accepted = reviewer.post(
        f"/api/v1/submissions/{mx_submission.pk}/accept/", {}, content_type="application/json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = reviewer.post(
        f"/api/v1/submissions/{mx_submission.pk}/accept/", {}, content_type="application/json"
    )
    assert again.status_code == 409


# --- Filters ----------------------------------------------------------------------------------

FILTERS = [
    ("country=MA", ["Published hearing"]),
    ("country=mex", ["Mexican bill"]),
    ("region=americas", ["Mexican bill"]),
    ("parliament=MX", ["Mexican bill"]),
    ("objective=15", ["Mexican bill", "Published hearing"]),
    ("objective=1", []),
    ("commitment=R7a.2", ["Mexican bill", "Published hearing"]),
    ("action_type=legislation", ["Mexican bill"]),
    # Published without progress: "not started", whatever the draft says (see README).
    ("completion=not_started", ["Mexican bill", "Published hearing"]),
    ("completion=limited", []),
    ("cycle=2019-plan", []),
    ("search=published", ["Published hearing"]),
    ("search=associations", ["Mexican bill", "Published hearing"]),
    ("search=MEXICAN", ["Mexican bill"]),
    ("good_practice=true", []),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_action_filters_select_exactly_the_right_rows(api, query, expected):
    assert titles(api["clients"]["partner"].get(f"/api/v1/actions/?{query}")) == expected


def test_updated_since_and_cycle_filters(api):
    client = api["clients"]["secretariat"]
    Action.objects.filter(title="Draft inquiry").update(
        updated_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )
    assert titles(client.get("/api/v1/actions/?updated_since=2029-12-31T00:00:00Z")) == [
        "Draft inquiry"
    ]
    services.progress_update_create(
        actor=api["users"]["editor"],
        action=api["draft"],
        date=datetime.date(2021, 5, 1),
        cycle=Cycle.objects.get(code="2021-progress"),
        completion="limited",
        narrative="x",
    )
    assert titles(client.get("/api/v1/actions/?cycle=2021-progress")) == ["Draft inquiry"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("updated_since=yesterday", 400),
        ("updated_since=2021-01-01T00:00:00%2B99:00", 400),
        ("objective=99", 400),
        ("region=atlantis", 400),
        ("page_size=abc", 200),  # ignored: the default page size
        ("ordering=-nonsense", 200),  # ignored: the default order
        ("page=999", 404),
    ],
)
def test_bad_filter_values_never_give_a_500(api, query, status):
    response = api["clients"]["partner"].get(f"/api/v1/actions/?{query}")
    assert response.status_code == status
    if response.status_code != 200:
        assert response.json()["error"]["status"] == response.status_code


def test_plan_and_submission_filters(api):
    client = api["clients"]["partner"]
    plans = client.get("/api/v1/plans/?status=adopted&adopted_by=2019-12-31&current=true").json()
    assert sorted(p["parliament"] for p in plans["results"]) == ["MA", "MX"]
    assert client.get("/api/v1/plans/?adopted_by=2019-01-01").json()["count"] == 0
    subs = client.get("/api/v1/submissions/?cycle=2019-plan&status=accepted&region=africa").json()
    assert [s["parliament"] for s in subs["results"]] == ["MA"]


# --- Output, caching, throttling ---------------------------------------------------------------


def test_csv_output_for_a_list(api):
    response = api["clients"]["anonymous"].get("/api/v1/actions/?format=csv&ordering=title")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert "title" in lines[0].split(",")
    assert len(lines) == 3 and "Mexican bill" in lines[1]
    assert '"7, 15"' in lines[1]


def test_etag_and_conditional_get(api):
    client = api["clients"]["anonymous"]
    first = client.get("/api/v1/actions/")
    etag = first["ETag"]
    assert etag
    assert client.get("/api/v1/actions/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(f"/api/v1/actions/{api['published'].uid}/")["ETag"] != etag


def test_a_cached_list_page_is_the_same_bytes_with_the_etag_of_its_body(api):
    from hashlib import md5

    client = api["clients"]["partner"]
    for path in ("/api/v1/actions/?ordering=title", "/api/v1/actions/?format=csv&ordering=title"):
        first, second = client.get(path), client.get(path)  # computed, then from the cache
        assert first.content == second.content
        assert first["Content-Type"] == second["Content-Type"]
        assert second["ETag"] == f'"{md5(second.content).hexdigest()}"' == first["ETag"]
        assert client.get(path, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304
    plain = client.get("/api/v1/actions/?ordering=title")
    assert plain["Content-Type"] == "application/json"
    pretty = client.get("/api/v1/actions/?ordering=title", HTTP_ACCEPT="application/json; indent=2")
    assert pretty.content != plain.content and pretty.json() == plain.json()


def test_a_cached_list_page_shows_a_change_at_once(api):
    client = api["clients"]["editor"]
    before = client.get("/api/v1/actions/?ordering=title")
    action = api["published"]
    action.title = "Renamed for the cache test"
    action.save()
    after = client.get("/api/v1/actions/?ordering=title")
    assert b"Renamed for the cache test" in after.content
    assert after["ETag"] != before["ETag"]


def test_anonymous_callers_are_throttled_harder_with_retry_after(api, monkeypatch):
    from compact_tracker.api import AnonThrottle, UserThrottle

    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "6/minute"})
    monkeypatch.setattr(UserThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "6/minute"})
    cache.clear()
    anonymous, partner = api["clients"]["anonymous"], api["clients"]["partner"]
    codes = [anonymous.get("/api/v1/cycles/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = anonymous.get("/api/v1/cycles/")
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["error"]["code"] == "throttled"
    assert [partner.get("/api/v1/cycles/").status_code for _ in range(6)] == [200] * 6


# --- Errors ----------------------------------------------------------------------------------


def test_errors_share_one_shape(api, settings):
    client = api["clients"]["partner"]
    not_found = client.get("/api/v1/actions/00000000-0000-0000-0000-000000000000/")
    unknown = client.get("/api/v1/no-such-thing/")
    not_allowed = api["clients"]["editor"].put(
        "/api/v1/objectives/1/", {}, content_type="application/json"
    )
    bad_token = Client(HTTP_AUTHORIZATION="Token nope").get("/api/v1/actions/")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    too_large = api["clients"]["editor"].post(
        "/api/v1/actions/", {"title": "x" * 500}, content_type="application/json"
    )
    for response, status in [
        (not_found, 404),
        (unknown, 404),
        (not_allowed, 405),
        (bad_token, 401),
        (too_large, 413),
    ]:
        assert response.status_code == status, (status, response.content)
        error = response.json()["error"]
        assert error["status"] == status and error["code"] and error["message"]


# --- Changes feed ----------------------------------------------------------------------------


def test_changes_feed_gives_upserts_then_tombstones_with_a_cursor(api):
    client = api["clients"]["anonymous"]
    # The feed opens with the reference statuses of Rabat §7(a) (type "ratification"):
    # read it to its end, page by page.
    first = {"results": [], "has_more": True, "next_cursor": 0}
    while first["has_more"]:
        page = client.get(f"/api/v1/changes/?since={first['next_cursor']}&limit=500").json()
        first = {**page, "results": first["results"] + page["results"]}
    kinds = {(entry["type"], entry["operation"]) for entry in first["results"]}
    assert ("ratification", "upsert") in kinds
    assert ("action", "upsert") in kinds and ("plan", "upsert") in kinds
    assert all(entry["record"] is not None for entry in first["results"])
    cursor = first["next_cursor"]
    assert client.get(f"/api/v1/changes/?since={cursor}").json()["results"] == []

    # Morocco deletes its published action and has the deletion accepted: a tombstone.
    published = api["published"]
    services.action_delete(
        actor=api["users"]["editor"], action=published, expected_version=published.version
    )
    submission = services.submission_for(published.parliament, Cycle.objects.get(code="2019-plan"))
    services.submission_submit(actor=api["users"]["focal"], submission=submission)
    services.submission_accept(actor=api["users"]["secretariat"], submission=submission)

    later = client.get(f"/api/v1/changes/?since={cursor}").json()
    tombstones = [e for e in later["results"] if e["operation"] == "delete"]
    assert [(e["type"], e["id"], e["record"]) for e in tombstones] == [
        ("action", str(published.uid), None)
    ]
    upserts = [e for e in later["results"] if e["operation"] == "upsert"]
    assert any(e["record"] and e["record"]["title"] == "Draft inquiry" for e in upserts)
    assert later["next_cursor"] > cursor
    assert not any(
        e["record"]["title"] == "Draft inquiry"
        for e in first["results"]
        if e["record"] and e["type"] == "action"
    )


def test_changes_feed_pages_with_has_more(api):
    page = api["clients"]["anonymous"].get("/api/v1/changes/?since=0&limit=1").json()
    assert len(page["results"]) == 1 and page["has_more"] is True
    assert page["next_cursor"] == page["results"][0]["cursor"]
    assert api["clients"]["anonymous"].get("/api/v1/changes/?since=-1").status_code == 400


# --- Schema, docs and tokens ------------------------------------------------------------------


def test_schema_is_valid_openapi_3_with_descriptions(api):
    response = api["clients"]["anonymous"].get("/api/schema/?format=json")
    schema = response.json()
    validate_openapi(schema)
    assert schema["openapi"].startswith("3.")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert operation.get("summary") or operation.get("description"), (path, method)
    action_params = {p["name"]: p for p in schema["paths"]["/api/v1/actions/"]["get"]["parameters"]}
    for name in (
        "country",
        "region",
        "objective",
        "commitment",
        "action_type",
        "completion",
        "cycle",
        "updated_since",
        "search",
        "ordering",
        "page_size",
    ):
        assert action_params[name].get("description"), name


def test_docs_page_and_guide_load_without_cdn(api):
    docs = api["clients"]["anonymous"].get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn." not in docs and "unpkg" not in docs
    guide = api["clients"]["anonymous"].get("/api/").content.decode()
    assert "/actions/?objective=17&amp;region=africa&amp;format=csv" in guide


def test_tokens_are_created_and_revoked_by_their_owner(api):
    from parliaments.models import ApiToken

    browser = Client()
    browser.force_login(api["users"]["partner"])
    page = browser.post("/accounts/tokens/", {"name": "IOM portal"}).content.decode()
    key = page.split("data-new-token>")[1].split("<")[0]
    token_client_ = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert token_client_.get("/api/v1/actions/").status_code == 200
    token = ApiToken.objects.get(name="IOM portal")
    assert token.key_hash != key and key not in token.key_hash
    other = Client()
    other.force_login(api["users"]["editor"])
    other.post("/accounts/tokens/", {"revoke": token.pk})
    assert token_client_.get("/api/v1/actions/").status_code == 200  # not theirs to revoke
    browser.post("/accounts/tokens/", {"revoke": token.pk})
    assert token_client_.get("/api/v1/actions/").status_code == 401


def test_a_tokens_holder_is_read_once_and_forgotten_when_the_account_changes(api):
    """The API reads a token's holder and profile from the cache after the first request
    (no query); deactivating the account, changing its role or deleting it takes effect
    on the next request, not when the cached entry would have expired."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parliaments.models import Profile

    partner = api["clients"]["partner"]
    assert partner.get("/api/v1/actions/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert partner.get("/api/v1/actions/").status_code == 200
    assert not [q for q in queries.captured_queries if "apitoken" in q["sql"]]
    assert not [q for q in queries.captured_queries if "parliaments_profile" in q["sql"]]

    # A role change: the partner becomes Morocco's editor and sees its drafts at once.
    titles = lambda client: {a["title"] for a in client.get("/api/v1/actions/").json()["results"]}  # noqa: E731
    assert "Draft inquiry" not in titles(partner)
    profile = Profile.objects.get(user=api["users"]["partner"])
    profile.role, profile.parliament = "editor", api["published"].parliament
    profile.save()
    assert "Draft inquiry" in titles(partner)

    user = api["users"]["partner"]
    user.is_active = False
    user.save()
    assert partner.get("/api/v1/actions/").status_code == 401

    editor = api["clients"]["editor"]
    assert editor.get("/api/v1/actions/").status_code == 200
    api["users"]["editor"].delete()
    assert editor.get("/api/v1/actions/").status_code == 401


def test_create_api_token_command_prints_a_working_token(api):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("create_api_token", "partner.iom", stdout=out)
    key = out.getvalue().strip()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/plans/").status_code == 200
    with pytest.raises(CommandError) as error:
        call_command("create_api_token", "nobody")
    assert error.value.returncode == 2


# --- Query counts ------------------------------------------------------------------------------


def _many_published_actions(api, count):
    from tests.parliaments.test_views import _bulk_actions

    _bulk_actions("MA", count)
    submission = services.submission_for(
        api["published"].parliament, Cycle.objects.get(code="2021-progress")
    )
    services.submission_submit(actor=api["users"]["focal"], submission=submission)
    services.submission_accept(actor=api["users"]["secretariat"], submission=submission)


# Measured: a list that starts querying per row fails at 500 rows.
API_PAGES = [
    ("partner", "/api/v1/actions/?page_size=500", 6),
    ("partner", "/api/v1/actions/?objective=1&region=africa&page_size=500", 4),
    ("editor", "/api/v1/actions/?page_size=500&format=csv", 6),
    ("secretariat", "/api/v1/progress-updates/?page_size=500", 5),
    ("partner", "/api/v1/plans/", 4),
    ("partner", "/api/v1/submissions/", 5),  # + the events of the page, one query
    ("partner", "/api/v1/changes/?since=0&limit=500", 6),
]


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize(
    ("persona", "url", "max_queries"), API_PAGES, ids=[p[1] for p in API_PAGES]
)
def test_api_list_queries_do_not_grow_with_rows(
    api, django_assert_max_num_queries, size, persona, url, max_queries
):
    _many_published_actions(api, size)
    api["clients"][persona].get("/api/v1/cycles/")  # the token's last-use stamp is written once
    with django_assert_max_num_queries(max_queries):
        response = api["clients"][persona].get(url)
    assert response.status_code == 200
    # Again: lists come from the page cache (the changes feed is always read fresh).
    with django_assert_max_num_queries(2 if "/changes/" not in url else max_queries):
        again = api["clients"][persona].get(url)
    assert again.content == response.content


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("2021-01-01T00:00:00%2B21:12", 200),  # a valid offset, converted to UTC
        ("0001-01-01T00:00:00%2B05:00", 400),  # before year 1 in UTC
        ("9999-12-31T23:59:59-05:00", 400),  # after year 9999 in UTC
    ],
)
def test_extreme_time_zone_offsets_are_handled_not_500(api, value, status):
    response = api["clients"]["partner"].get(f"/api/v1/actions/?updated_since={value}")
    assert response.status_code == status


def test_a_single_record_as_csv(api):
    response = api["clients"]["partner"].get(f"/api/v1/actions/{api['published'].uid}/?format=csv")
    lines = response.content.decode().splitlines()
    assert response.status_code == 200 and len(lines) == 2 and "Published hearing" in lines[1]


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_unknown_api_paths_answer_json_404_for_every_method(api, method):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/v1/no-such-endpoint/x/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_paths_that_match_no_route_answer_json(api):
    response = Client().get("/api/v1/objectives/%0A/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "<html" in Client().get("/no-such-page%0A/").content.decode()


def test_progress_update_filters_select_the_right_rows(api):
    editor = api["users"]["editor"]
    for action, cycle in ((api["draft"], "2021-progress"), (api["published"], "2019-plan")):
        services.progress_update_create(
            actor=editor,
            action=action,
            date=datetime.date(2021, 5, 1),
            cycle=Cycle.objects.get(code=cycle),
            completion="limited",
            narrative=f"On {action.title}",
        )
    client = api["clients"]["secretariat"]

    def narratives(query):
        return sorted(
            r["narrative"]
            for r in client.get(f"/api/v1/progress-updates/?{query}").json()["results"]
        )

    assert narratives("cycle=2021-progress") == ["On Draft inquiry"]
    assert narratives("cycle=2019-plan") == ["On Published hearing"]
    assert narratives("country=MAR&search=published") == ["On Published hearing"]
    assert narratives("objective=15&region=africa") == ["On Draft inquiry", "On Published hearing"]
    assert narratives("region=americas") == []


def test_an_action_without_links_is_refused_with_field_errors(api):
    editor = api["clients"]["editor"]
    before = Action.objects.count()
    for field, message in (("commitments", "Rabat commitment"), ("objectives", "GCM objective")):
        body = {**_new_action(), field: []}
        response = editor.post("/api/v1/actions/", body, content_type="application/json")
        assert response.status_code == 400
        assert message in str(response.json()["error"]["fields"][field])
    assert Action.objects.count() == before
